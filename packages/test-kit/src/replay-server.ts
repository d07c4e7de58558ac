/**
 * A local HTTP server on 127.0.0.1 that answers with queued replies and records every request,
 * so a vendor SDK can be run for real against fixtures written in the vendor's wire format.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status: number;
  body?: unknown;
  /** Response headers; content-type defaults to the server's (application/json unless set). */
  headers?: Record<string, string>;
  delayMs?: number;
  /** Drop the connection without answering (a network error for the client). */
  destroySocket?: boolean;
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface ReplayServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: CapturedRequest[];
  enqueue(...replies: Reply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** The answer when nothing is queued, in the vendor's error shape (OpenAI's by default). */
  emptyQueue?: Reply;
  /** The Content-Type of replies that set none. */
  contentType?: string;
}

const EMPTY_QUEUE: Reply = {
  status: 418,
  body: { error: { message: 'replay queue empty', type: 'test_queue_empty', param: null, code: null } },
};

export async function startReplayServer(options: ReplayOptions = {}): Promise<ReplayServer> {
  const emptyQueue = options.emptyQueue ?? EMPTY_QUEUE;
  const contentType = options.contentType ?? 'application/json';
  let queue: Reply[] = [];
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = queue.shift() ?? emptyQueue;
      if (reply.destroySocket) {
        req.socket.destroy();
        return;
      }
      const send = () => {
        const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        res.writeHead(reply.status, { 'content-type': contentType, ...reply.headers });
        res.end(payload);
      };
      if (reply.delayMs === undefined) {
        send();
        return;
      }
      const timer = setTimeout(send, reply.delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    reset: () => {
      queue = [];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

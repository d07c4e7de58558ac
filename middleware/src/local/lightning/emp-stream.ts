/**
 * The server side of Lightning Local's `lightning/empApi`: a platform event channel
 * (`/event/Deal_Closure_Event__e`) as server-sent events. Each event carries its replay id as the
 * SSE id, so a browser that reconnects resumes after the last one it saw (the local org keeps the
 * latest 1,000). `replayId` -1 streams new events only, -2 every retained one, n those after n.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { LocalOrg, PlatformEventMessage } from '@dealdesk/local-org';
import type { UserAccess } from './access.ts';

const HEARTBEAT_MS = 25_000;

export const StreamQuerySchema = z.object({
  channel: z.string().regex(/^\/event\/\w+__e$/, { error: 'channel must be /event/<Platform_Event__e>' }),
  replayId: z.coerce.number().int().min(-2).default(-1),
});

/** The message as empApi delivers it: the event's fields, a schema id and the replay id. */
export function empMessage(message: PlatformEventMessage): {
  schema: string;
  payload: Record<string, unknown>;
  event: { replayId: number };
} {
  const { Id: _id, ReplayId: _replay, ...payload } = message.payload;
  const schema = createHash('sha256')
    .update(`${message.type}:${Object.keys(payload).sort().join(',')}`)
    .digest('base64url')
    .slice(0, 22);
  return { schema, payload, event: { replayId: message.replayId } };
}

export class EmpStreams {
  private readonly org: LocalOrg;
  private readonly open = new Set<Response>();

  constructor(org: LocalOrg) {
    this.org = org;
  }

  /**
   * Serves one subscription until the browser goes away or the streams close. A subscription the
   * org refuses (no such channel, no access to the event) is answered on the stream, as CometD
   * answers a refused subscribe, so the browser reports no failed request.
   */
  serve(req: Request, res: Response, user: UserAccess): void {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const query = StreamQuerySchema.safeParse(req.query);
    if (!query.success) return refuse(res, query.error.issues[0]!.message);
    const { channel, replayId } = query.data;
    const type = channel.slice('/event/'.length);
    if (this.org.registry.get(type)?.def.kind !== 'platformEvent')
      return refuse(res, `No such channel: ${channel}`);
    if (!user.canRead(type)) return refuse(res, `You cannot subscribe to ${channel}`);
    const send = (message: PlatformEventMessage) => {
      if (message.type !== type) return;
      res.write(`id: ${message.replayId}\nevent: event\ndata: ${JSON.stringify(empMessage(message))}\n\n`);
    };
    res.write(`retry: 3000\nevent: subscribed\ndata: ${JSON.stringify({ channel })}\n\n`);
    const lastSeen = Number(req.get('Last-Event-ID'));
    const after = Number.isInteger(lastSeen) && lastSeen >= 0 ? lastSeen : replayId;
    if (after !== -1)
      for (const message of this.org.platformEventsSince(Math.max(after, 0), type)) send(message);
    const unsubscribe = this.org.onPlatformEvent(send);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    this.open.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(res);
    });
  }

  /** Ends every stream (the server is stopping). */
  close(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}

/** A refused subscription, answered on the stream as CometD answers a refused subscribe. */
function refuse(res: Response, error: string): void {
  res.end(`event: refused\ndata: ${JSON.stringify({ error })}\n\n`);
}

/**
 * The dealdesk middleware's HTTP API (docs/api.md) as the plugin uses it: start, read, retry and
 * cancel closures, decide playbook suggestions, and /readyz. Where the middleware is and which key
 * to send come from flags, then the environment, then (URL only) the org's DealDesk_Middleware
 * Named Credential, since the key itself is a secret Salesforce never hands back.
 */
import { readFile } from 'node:fs/promises';
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import type { z } from 'zod';
import {
  ActionAcceptedSchema,
  ApiErrorBodySchema,
  ClosureStartedSchema,
  ClosureSummarySchema,
  SuggestionDecisionSchema,
  type ActionAccepted,
  type ClosureStarted,
  type ClosureSummary,
  type PlaybookDecisionBody,
  type StartClosureBody,
  type SuggestionDecision,
} from '@dealdesk/contracts';

export const NAMED_CREDENTIAL = 'DealDesk_Middleware';
const REQUEST_TIMEOUT_MS = 15_000;

export interface MiddlewareTarget {
  url: string;
  apiKey: string | undefined;
  /** Where the URL came from, for messages: `flag`, `env` or `named-credential`. */
  urlSource: 'flag' | 'env' | 'named-credential';
}

export class MiddlewareError extends SfError {
  readonly status: number | undefined;
  readonly apiCode: string;
  readonly details: unknown;
  constructor(message: string, code: string, status?: number, details?: unknown, actions?: string[]) {
    super(message, 'MiddlewareError', actions);
    this.apiCode = code;
    this.status = status;
    this.details = details;
  }
}

export function parseMiddlewareUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SfError(
      `"${raw}" is not a URL; expected e.g. https://dealdesk.example.com`,
      'InvalidMiddlewareUrl',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SfError(`the middleware URL must be http(s), not ${url.protocol}`, 'InvalidMiddlewareUrl');
  if (url.username || url.password)
    throw new SfError('the middleware URL must not carry credentials', 'InvalidMiddlewareUrl');
  return url.toString().replace(/\/+$/, '');
}

export async function readApiKeyFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SfError(
      `cannot read the API key file ${path}: ${(err as Error).message}`,
      'ApiKeyFileUnreadable',
    );
  }
  return parseApiKey(text.trim(), path);
}

export function parseApiKey(key: string, source: string): string {
  // The middleware accepts `current,next` in its env, but a caller sends exactly one key.
  if (!/^[\x21-\x7e]{16,512}$/.test(key) || key.includes(','))
    throw new SfError(
      `the API key from ${source} must be 16-512 printable characters without spaces or commas`,
      'InvalidApiKey',
    );
  return key;
}

/** The Named Credential's URL, or undefined where the org cannot say (no such record, or no access). */
export async function namedCredentialUrl(conn: Connection): Promise<string | undefined> {
  try {
    const res = await conn.query<{ Endpoint: string | null }>(
      `SELECT Endpoint FROM NamedCredential WHERE DeveloperName = '${NAMED_CREDENTIAL}'`,
    );
    return res.records[0]?.Endpoint ?? undefined;
  } catch {
    return undefined;
  }
}

export async function resolveMiddleware(
  conn: Connection,
  flags: { 'middleware-url'?: string; 'api-key-file'?: string },
  options: { requireKey: boolean },
): Promise<MiddlewareTarget> {
  let url: string | undefined;
  let urlSource: MiddlewareTarget['urlSource'] = 'flag';
  if (flags['middleware-url']) url = parseMiddlewareUrl(flags['middleware-url']);
  else if (process.env.DEALDESK_MIDDLEWARE_URL) {
    url = parseMiddlewareUrl(process.env.DEALDESK_MIDDLEWARE_URL);
    urlSource = 'env';
  } else {
    const fromOrg = await namedCredentialUrl(conn);
    if (fromOrg) {
      url = parseMiddlewareUrl(fromOrg);
      urlSource = 'named-credential';
    }
  }
  if (!url)
    throw new SfError(
      'No middleware URL: pass --middleware-url, set DEALDESK_MIDDLEWARE_URL, or run sf dealdesk setup so the DealDesk_Middleware Named Credential points at it.',
      'NoMiddlewareUrl',
    );
  let apiKey: string | undefined;
  if (flags['api-key-file']) apiKey = await readApiKeyFile(flags['api-key-file']);
  else if (process.env.DEALDESK_API_KEY)
    apiKey = parseApiKey(process.env.DEALDESK_API_KEY, 'DEALDESK_API_KEY');
  if (options.requireKey && !apiKey)
    throw new SfError(
      'No middleware API key: pass --api-key-file <file> or set DEALDESK_API_KEY (the middleware prints its key on first start in local mode).',
      'NoApiKey',
    );
  return { url, apiKey, urlSource };
}

export type { ClosureSummary as ClosureView, SuggestionDecision } from '@dealdesk/contracts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class MiddlewareClient {
  private readonly target: MiddlewareTarget;
  private readonly fetchImpl: FetchLike;
  constructor(target: MiddlewareTarget, fetchImpl: FetchLike = fetch) {
    this.target = target;
    this.fetchImpl = fetchImpl;
  }

  get url(): string {
    return this.target.url;
  }

  async startClosure(
    body: StartClosureBody & { trigger: 'Rep'; dealClosureId: string },
    idempotencyKey: string,
  ): Promise<ClosureStarted> {
    return this.call('POST', '/v1/closures', ClosureStartedSchema, body, {
      'Idempotency-Key': idempotencyKey,
    });
  }

  async getClosure(runId: string): Promise<ClosureSummary> {
    return this.call('GET', `/v1/closures/${encodeURIComponent(runId)}`, ClosureSummarySchema);
  }

  async act(runId: string, action: 'retry' | 'cancel', comment?: string): Promise<ActionAccepted> {
    return this.call(
      'POST',
      `/v1/closures/${encodeURIComponent(runId)}/${action}`,
      ActionAcceptedSchema,
      comment ? { comment } : {},
    );
  }

  /** POST /v1/playbook/suggestions/:id/decision: a manager accepts or dismisses a playbook suggestion. */
  async decideSuggestion(suggestionId: string, body: PlaybookDecisionBody): Promise<SuggestionDecision> {
    return this.call(
      'POST',
      `/v1/playbook/suggestions/${encodeURIComponent(suggestionId)}/decision`,
      SuggestionDecisionSchema,
      body,
    );
  }

  /** GET /readyz: 200 when the middleware's org and run store are reachable, 503 with the failing check. */
  async readiness(): Promise<{ ready: boolean; status: number; body: unknown }> {
    const res = await this.send('GET', '/readyz', undefined, {}, false);
    return { ready: res.status === 200, status: res.status, body: await readJson(res) };
  }

  private async call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await this.send(method, path, body, headers, true);
    const json = await readJson(res);
    if (!res.ok) {
      const parsed = ApiErrorBodySchema.safeParse(json);
      if (res.status === 401)
        throw new MiddlewareError(
          "The middleware refused the API key (401). Check --api-key-file / DEALDESK_API_KEY against the middleware's DEALDESK_API_KEY.",
          'UNAUTHORIZED',
          401,
        );
      throw new MiddlewareError(
        parsed.success
          ? `${parsed.data.error.message} (${parsed.data.error.code}, HTTP ${res.status})`
          : `The middleware answered HTTP ${res.status} to ${method} ${path}`,
        parsed.success ? parsed.data.error.code : `HTTP_${res.status}`,
        res.status,
        parsed.success ? parsed.data.error.details : undefined,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new MiddlewareError(
        `The middleware's answer to ${method} ${path} is not what docs/api.md describes: ${parsed.error.message}`,
        'UNEXPECTED_RESPONSE',
        res.status,
      );
    return parsed.data;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    auth: boolean,
  ): Promise<Response> {
    try {
      return await this.fetchImpl(`${this.target.url}${path}`, {
        method,
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(auth && this.target.apiKey ? { Authorization: `Bearer ${this.target.apiKey}` } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new MiddlewareError(
        `Cannot reach the middleware at ${this.target.url} (${(err as Error).message}).`,
        'UNREACHABLE',
        undefined,
        undefined,
        ['Check the URL and that the middleware is running: curl <url>/healthz'],
      );
    }
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

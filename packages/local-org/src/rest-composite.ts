/**
 * `composite/…`: the Composite resource (up to 25 subrequests routed through the same
 * dispatcher, later ones referring to earlier results by `@{referenceId…}`, optionally in one
 * all-or-none transaction), and the hand-off to sObject Collections and sObject Tree. Separate
 * from the dispatcher because its subrequests re-enter it through `RestContext.route`.
 */
import { z } from 'zod';
import { substituteReferences } from './composite-references.ts';
import type { Dml } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { collections } from './rest-collections.ts';
import {
  errorResponse,
  Rollback,
  zodMessage,
  type ApiRequest,
  type ApiResponse,
  type RestContext,
} from './rest-common.ts';
import { createSObjectTree } from './sobject-tree.ts';
import { unsupportedRestResource } from './unsupported.ts';

const MAX_COMPOSITE = 25;
/** "Up to 5 of these subrequests can be sObject Collections or query operations." */
const MAX_COMPOSITE_QUERIES = 5;

const CompositeBodySchema = z.object({
  allOrNone: z.boolean().optional().default(false),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z
    .array(
      z.object({
        method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
        url: z.string().min(1),
        referenceId: z.string().regex(/^[A-Za-z0-9_]+$/),
        body: z.unknown().optional(),
        httpHeaders: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1),
});

type Subrequest = z.infer<typeof CompositeBodySchema>['compositeRequest'][number];

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

export function composite(
  ctx: RestContext,
  req: ApiRequest,
  rest: string[],
  dml: Dml | undefined,
): ApiResponse {
  if (rest.length === 0) {
    if (req.method !== 'POST') throw sfError.methodNotAllowed(req.method);
    ctx.count(req, 'composite', 'POST composite');
    return { status: 200, body: compositeRequest(ctx, req) };
  }
  if (rest[0] === 'sobjects') {
    ctx.count(
      req,
      'composite',
      `${req.method} composite/sobjects${rest.length > 1 ? '/{type}' : ''}${rest.length > 2 ? '/{externalIdField}' : ''}`,
    );
    return collections(ctx, req, rest.slice(1));
  }
  // A tree is a transaction of its own, so not a composite subrequest (Salesforce lists none).
  if (rest[0] === 'tree' && rest.length === 2 && req.method === 'POST' && !dml) {
    ctx.count(req, 'composite', 'POST composite/tree/{type}');
    return createSObjectTree(ctx.org, req.userId, rest[1]!, req.body);
  }
  throw unsupportedRestResource(req.segments, req.version);
}

function compositeRequest(ctx: RestContext, req: ApiRequest): { compositeResponse: unknown[] } {
  const { allOrNone, compositeRequest } = parseCompositeBody(req.body);
  const results = new Map<string, unknown>();
  const responses: SubResponse[] = [];
  /** Runs one subrequest; its failure is its response, and its success is a result to refer to. */
  const answer = (sub: Subrequest, dml: Dml | undefined): ApiResponse => {
    let res: ApiResponse;
    try {
      res = runSubrequest(ctx, req, sub, results, dml);
    } catch (err) {
      res = errorResponse(err);
    }
    if (res.status < 300) results.set(sub.referenceId, res.body ?? null);
    responses.push({
      body: res.body ?? null,
      httpHeaders: res.headers ?? {},
      httpStatusCode: res.status,
      referenceId: sub.referenceId,
    });
    return res;
  };
  if (allOrNone) {
    try {
      ctx.org.transact(req.userId, (dml) => {
        for (const sub of compositeRequest) {
          const res = answer(sub, dml);
          if (res.status >= 400) throw new Rollback(responses.length - 1);
        }
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      return { compositeResponse: haltedAfter(compositeRequest, responses, err.results as number) };
    }
    return { compositeResponse: responses };
  }
  for (const sub of compositeRequest) answer(sub, undefined);
  return { compositeResponse: responses };
}

function parseCompositeBody(body: unknown): z.infer<typeof CompositeBodySchema> {
  const parsed = CompositeBodySchema.safeParse(body);
  if (!parsed.success) throw sfError.jsonParser(`Invalid composite request: ${zodMessage(parsed.error)}`);
  const { compositeRequest } = parsed.data;
  if (compositeRequest.length > MAX_COMPOSITE) {
    throw new SalesforceApiError(
      'LIMIT_EXCEEDED',
      `Composite requests may contain at most ${MAX_COMPOSITE} subrequests`,
    );
  }
  const heavy = compositeRequest.filter((r) =>
    /\/(query|queryAll)(\/|\?|$)|\/composite\/sobjects/.test(r.url),
  ).length;
  if (heavy > MAX_COMPOSITE_QUERIES) {
    throw new SalesforceApiError(
      'LIMIT_EXCEEDED',
      `Composite requests may contain at most ${MAX_COMPOSITE_QUERIES} query or sObject Collections subrequests`,
    );
  }
  return parsed.data;
}

/** A subrequest routed as if it came over HTTP, after `@{ref}` substitution in its URL and body. */
function runSubrequest(
  ctx: RestContext,
  req: ApiRequest,
  sub: Subrequest,
  results: Map<string, unknown>,
  dml: Dml | undefined,
): ApiResponse {
  const url = substituteReferences(sub.url, results, true) as string;
  const body = sub.body === undefined ? undefined : substituteReferences(sub.body, results, false);
  const target = new URL(url, 'http://local');
  const match = /^\/services\/data\/v(\d+\.\d)\/(.*)$/.exec(target.pathname);
  if (!match)
    throw sfError.notFound(`composite subrequest URL must start with /services/data/vNN.N/: ${sub.url}`);
  const res = ctx.route(
    {
      method: sub.method,
      segments: match[2]!
        .split('/')
        .filter((s) => s.length > 0)
        .map(decodeURIComponent),
      query: target.searchParams,
      body,
      headers: { ...lowerKeys(sub.httpHeaders ?? {}), 'x-local-subrequest': 'true' },
      userId: req.userId,
      version: match[1]!,
    },
    dml,
  );
  return res;
}

/** All-or-none: the failed subrequest keeps its error, every other one reports PROCESSING_HALTED. */
function haltedAfter(
  compositeRequest: Subrequest[],
  responses: SubResponse[],
  failedAt: number,
): SubResponse[] {
  const halted = {
    body: [
      {
        errorCode: 'PROCESSING_HALTED',
        message: 'The transaction was rolled back since another operation in the same transaction failed.',
      },
    ],
    httpHeaders: {},
    httpStatusCode: 400,
  };
  return compositeRequest.map((sub, i) =>
    i === failedAt ? responses[i]! : { ...halted, referenceId: sub.referenceId },
  );
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

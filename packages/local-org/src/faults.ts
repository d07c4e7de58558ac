/**
 * Fault injection for the local org: a configurable share of REST API requests fails the way a
 * real org fails, with Salesforce's own statuses and bodies (errorcodes.htm; the shapes in
 * shared/vendor-samples/salesforce/SALESFORCE-shapes.md):
 *   503                  503 [{"message":…,"errorCode":"SERVER_UNAVAILABLE"}], nothing applied
 *   REQUEST_LIMIT_EXCEEDED 403 [{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]
 *   UNABLE_TO_LOCK_ROW   writes only: 400 on a single-record call; inside an all-or-none
 *                        composite the first write fails and the rest are PROCESSING_HALTED
 *   INVALID_SESSION_ID   401 "Session expired or invalid"; the caller's session really ends
 *   timeout              the request is applied but the answer comes `hangMs` later, after the
 *                        client gave up: the case that proves replays do not duplicate writes
 * A seeded PRNG (pure-rand) picks the faults, so a failing run can be replayed.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { LocalOrg } from './local-org.ts';

export const ORG_FAULT_KINDS = [
  '503',
  'REQUEST_LIMIT_EXCEEDED',
  'UNABLE_TO_LOCK_ROW',
  'INVALID_SESSION_ID',
  'timeout',
] as const;
export type OrgFaultKind = (typeof ORG_FAULT_KINDS)[number];

export interface OrgFaultOptions {
  /** Share of requests that fail, 0–1; read on every request, so a test may change it. */
  rate: number;
  kinds: readonly OrgFaultKind[];
  seed: number;
  /** How long a `timeout` fault holds the response. */
  hangMs: number;
  onFault?: (kind: OrgFaultKind, method: string, path: string) => void;
}

const RESOLUTION = 1_000_000;

/** A seeded source of fault decisions; exported for the e-signature faults and tests. */
export function createFaultDice(seed: number): {
  chance(rate: number): boolean;
  pick<T>(items: readonly T[]): T;
} {
  const rng = xoroshiro128plus(seed);
  return {
    chance: (rate) => rate > 0 && uniformInt(rng, 0, RESOLUTION - 1) < Math.round(rate * RESOLUTION),
    pick: (items) => items[uniformInt(rng, 0, items.length - 1)]!,
  };
}

interface CompositeSub {
  method?: unknown;
  referenceId?: unknown;
}

function isWrite(req: Request): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  const path = req.path;
  if (/\/process\/approvals/.test(path)) return false;
  if (/\/composite$/.test(path)) {
    const body = req.body as { allOrNone?: unknown; compositeRequest?: CompositeSub[] } | undefined;
    return (
      body?.allOrNone === true &&
      Array.isArray(body.compositeRequest) &&
      body.compositeRequest.some((s) => s.method !== 'GET')
    );
  }
  return /\/sobjects\//.test(path);
}

function lockedComposite(res: Response, body: { compositeRequest: CompositeSub[] }): void {
  const failedAt = body.compositeRequest.findIndex((s) => s.method !== 'GET');
  res.status(200).json({
    compositeResponse: body.compositeRequest.map((s, i) => ({
      body: [
        i === failedAt
          ? {
              errorCode: 'UNABLE_TO_LOCK_ROW',
              message: 'unable to obtain exclusive access to this record or 1 records',
              fields: [],
            }
          : {
              errorCode: 'PROCESSING_HALTED',
              message:
                'The transaction was rolled back since another operation in the same transaction failed.',
            },
      ],
      httpHeaders: {},
      httpStatusCode: 400,
      referenceId: String(s.referenceId),
    })),
  });
}

/** Express middleware for `/services/data/...`, placed after the body parser and before the API. */
export function createOrgFaultInjector(org: LocalOrg, options: OrgFaultOptions): RequestHandler {
  const dice = createFaultDice(options.seed);
  const exempt = `Bearer ${org.token}`;
  // Faults hit the middleware: the integration user's own sessions. The org's static token
  // (local tooling: the demo, tests, the plugin) and people's sessions (approvers) are spared,
  // so a test can watch a faulty org and act in it without suffering the faults itself.
  const targeted = (req: Request): boolean => {
    if (req.headers.authorization === exempt) return false;
    try {
      return org.authenticate(req.headers.authorization) === org.integrationUserId;
    } catch {
      return true;
    }
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (!targeted(req) || !dice.chance(options.rate)) {
      next();
      return;
    }
    const write = isWrite(req);
    const eligible = options.kinds.filter((k) => k !== 'UNABLE_TO_LOCK_ROW' || write);
    if (eligible.length === 0) {
      next();
      return;
    }
    const kind = dice.pick(eligible);
    options.onFault?.(kind, req.method, req.path);
    switch (kind) {
      case '503':
        res.status(503).json([
          {
            message: 'Server is temporarily unavailable. Please try again later.',
            errorCode: 'SERVER_UNAVAILABLE',
          },
        ]);
        return;
      case 'REQUEST_LIMIT_EXCEEDED':
        res
          .status(403)
          .json([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
        return;
      case 'UNABLE_TO_LOCK_ROW':
        if (/\/composite$/.test(req.path)) {
          lockedComposite(res, req.body as { compositeRequest: CompositeSub[] });
        } else {
          res.status(400).json([
            {
              message: 'unable to obtain exclusive access to this record or 1 records',
              errorCode: 'UNABLE_TO_LOCK_ROW',
              fields: [],
            },
          ]);
        }
        return;
      case 'INVALID_SESSION_ID': {
        try {
          org.expireSessions(org.authenticate(req.headers.authorization));
        } catch {
          // Not a valid session anyway: the 401 below is what it would get.
        }
        res.status(401).json([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
        return;
      }
      case 'timeout': {
        const end = res.end.bind(res) as (...args: unknown[]) => Response;
        res.end = ((...args: unknown[]) => {
          setTimeout(() => {
            if (!res.destroyed) end(...args);
          }, options.hangMs);
          return res;
        }) as Response['end'];
        next();
        return;
      }
    }
  };
}

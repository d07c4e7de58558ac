/**
 * The middleware API v1 (DESIGN.md): start and read closures, receive approval decisions, and
 * the rep's actions on a waiting closure. Bodies are validated with zod; caller mistakes get a
 * 4xx with the offending fields, never a 5xx.
 */
import express, { type Request, type Router } from 'express';
import type { Orchestrator } from '../orchestrator/orchestrator.ts';
import type { RunStore } from '../ports/store.ts';
import { registerApprovalDecision } from './approval-decision-route.ts';
import { requireApiKey } from './auth.ts';
import { registerClosureRoutes } from './closure-routes.ts';
import { createRateLimit } from './rate-limit.ts';
import { registerRepActions } from './rep-actions.ts';
import { insightsHandler } from './insights-route.ts';
import { registerSignatureActions } from './signature-actions.ts';
import { registerPlaybookRoutes } from './playbook-route.ts';
import type { PlaybookPort } from '../ports/playbook.ts';

export interface ApiDeps {
  orchestrator: Orchestrator;
  store: RunStore;
  apiKeys: readonly string[];
  clock?: () => Date;
  /** Requests per minute per caller (API key, or IP without a valid one); unlimited when unset. */
  rateLimitPerMinute?: number;
  onRateLimited?: (req: Request) => void;
  /** Playbook suggestions a manager accepts or dismisses; the route is absent without it. */
  playbook?: PlaybookPort;
}

export function createApiRouter(deps: ApiDeps): Router {
  const router = express.Router();
  const clock = deps.clock ?? (() => new Date());
  router.use(
    '/v1',
    ...(deps.rateLimitPerMinute
      ? [
          createRateLimit({
            perMinute: deps.rateLimitPerMinute,
            apiKeys: deps.apiKeys,
            ...(deps.onRateLimited ? { onLimited: deps.onRateLimited } : {}),
          }),
        ]
      : []),
    express.json({ limit: '256kb' }),
    requireApiKey(deps.apiKeys),
  );

  registerClosureRoutes(router, deps);
  router.get('/v1/insights', insightsHandler(deps.store, deps.clock));

  registerRepActions(router, { orchestrator: deps.orchestrator, store: deps.store, clock });
  registerSignatureActions(router, { orchestrator: deps.orchestrator, store: deps.store, clock });
  if (deps.playbook) registerPlaybookRoutes(router, { playbook: deps.playbook, clock });

  registerApprovalDecision(router, { orchestrator: deps.orchestrator, store: deps.store, clock });

  return router;
}

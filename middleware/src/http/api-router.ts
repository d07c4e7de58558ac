/**
 * The middleware API v1 (DESIGN.md): start and read closures, receive approval decisions, and
 * the rep's actions on a waiting closure. Bodies are validated with zod; caller mistakes get a
 * 4xx with the offending fields, never a 5xx.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Orchestrator } from '../orchestrator/orchestrator.ts';
import { closureStatusOf } from '../orchestrator/orchestrator.ts';
import { STAGES } from '../orchestrator/stage.ts';
import type { RunRecord, RunStore } from '../ports/store.ts';
import { requireApiKey } from './auth.ts';
import { createRateLimit } from './rate-limit.ts';
import {
  DecisionBodySchema,
  IdempotencyKeySchema as IdempotencyKey,
  RepActionBodySchema,
  SalesforceIdSchema as SalesforceId,
  type ActionAccepted,
  type ClosureStarted,
  type ClosureSummary,
  StartClosureBodySchema,
  to18,
} from '@dealdesk/contracts';
import { sendError, validationDetails } from './errors.ts';
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

export async function closureView(store: RunStore, run: RunRecord) {
  const steps = await store.steps(run.id);
  const output = (stage: string) =>
    steps.find((s) => s.stage === stage)?.output as Record<string, unknown> | null | undefined;
  const contract = output('contract_generation');
  return {
    closureId: run.id,
    status: closureStatusOf(run),
    waitingFor: run.waitingFor,
    opportunityId: run.opportunityId,
    dealClosureId: run.dealClosureId,
    trigger: run.trigger,
    currentStage: STAGES[run.stageIndex] ?? null,
    error: run.error,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    completedAt: run.completedAt,
    steps: steps.map((s) => ({
      stage: s.stage,
      agent: s.agent,
      status: s.status,
      confidence: s.confidence,
      reasoning: s.reasoning,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      durationMs: s.durationMs,
      activeMs: s.activeMs,
      attempts: s.attempts,
      error: s.error,
    })),
    contractVersions: contract
      ? (
          (contract.variants as { variant: string; contentHash: string }[] | undefined) ?? [
            { variant: 'Full', contentHash: contract.contentHash as string },
          ]
        ).map((v) => ({
          version: contract.version,
          variant: v.variant,
          template: contract.template,
          riskLevel: contract.riskLevel,
          legalReviewRequired: contract.legalReviewRequired,
          contentHash: v.contentHash,
          clauses: contract.clauses,
          changes: contract.changes ?? [],
        }))
      : [],
    approvals: ((output('approval_orchestration')?.approvals as unknown[] | undefined) ?? []).map((a) => {
      const x = a as Record<string, unknown>;
      return {
        approvalId: x.approvalId,
        role: x.role,
        approver: x.approverName,
        status: x.status,
        dueAt: x.dueAt,
        reason: x.reason,
        comment: x.comment,
        decidedAt: x.decidedAt,
        escalationLevel: x.escalationLevel ?? 0,
        predictedHours: x.prediction ?? null,
      };
    }),
    approvalPrediction: output('approval_orchestration')?.prediction ?? null,
    envelope: output('signature_management') ?? null,
  };
}

/** The approval stage's current and superseded (recalled or replaced) approvals, as last saved. */
async function approvalsOf(store: RunStore, runId: string) {
  type Row = { approvalId: string | null; status: string };
  const output = (await store.steps(runId)).find((s) => s.stage === 'approval_orchestration')?.output as {
    approvals?: Row[];
    superseded?: Row[];
  } | null;
  return { approvals: output?.approvals ?? [], superseded: output?.superseded ?? [] };
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

  router.post('/v1/closures', async (req: Request, res: Response) => {
    const key = req.get('idempotency-key');
    const parsedKey = key === undefined ? undefined : IdempotencyKey.safeParse(key);
    if (parsedKey && !parsedKey.success) {
      sendError(
        res,
        400,
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 1–255 printable characters',
        validationDetails(parsedKey.error),
      );
      return;
    }
    const body = StartClosureBodySchema.safeParse(req.body);
    if (!body.success) {
      sendError(res, 400, 'INVALID_REQUEST', 'The closure request is invalid', validationDetails(body.error));
      return;
    }
    const result = await deps.orchestrator.startClosure({
      opportunityId: body.data.opportunityId,
      dealClosureId: body.data.dealClosureId ?? null,
      trigger: body.data.trigger,
      note: body.data.note ?? null,
      transcript: body.data.transcript ?? null,
      idempotencyKey: key ?? null,
    });
    if (result.outcome === 'conflict') {
      sendError(
        res,
        409,
        'CLOSURE_RUNNING',
        `Opportunity ${body.data.opportunityId} already has a closure running`,
        { closureId: result.running.id, status: closureStatusOf(result.running) },
      );
      return;
    }
    if (result.outcome === 'existing' && result.run.opportunityId !== body.data.opportunityId) {
      sendError(
        res,
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different opportunity',
        { closureId: result.run.id },
      );
      return;
    }
    res
      .status(202)
      .json({ closureId: result.run.id, status: closureStatusOf(result.run) } satisfies ClosureStarted);
  });

  router.get('/v1/insights', insightsHandler(deps.store, deps.clock));

  router.get('/v1/closures/:id', async (req: Request, res: Response) => {
    const run = await deps.store.getRun(String(req.params.id));
    if (!run) {
      sendError(res, 404, 'NOT_FOUND', `No closure ${String(req.params.id)}`);
      return;
    }
    res.json((await closureView(deps.store, run)) satisfies ClosureSummary);
  });

  const repAction =
    (
      kind: 'rep:confirm' | 'control:retry' | 'control:cancel' | 'control:revise',
      allowed: (run: RunRecord) => string | null | Promise<string | null>,
    ) =>
    async (req: Request, res: Response) => {
      const body = RepActionBodySchema.safeParse(req.body ?? {});
      if (!body.success) {
        sendError(res, 400, 'INVALID_REQUEST', 'The request body is invalid', validationDetails(body.error));
        return;
      }
      const run = await deps.store.getRun(String(req.params.id));
      if (!run) {
        sendError(res, 404, 'NOT_FOUND', `No closure ${String(req.params.id)}`);
        return;
      }
      const problem = await allowed(run);
      if (problem) {
        sendError(res, 409, 'INVALID_STATE', problem, { status: closureStatusOf(run) });
        return;
      }
      const at = clock().toISOString();
      await deps.orchestrator.deliver(run.id, kind, `${kind}:${run.id}:${at}`, {
        comment: body.data.comment ?? null,
        at,
      });
      res.status(202).json({ closureId: run.id, accepted: kind.split(':')[1]! } satisfies ActionAccepted);
    };
  const finished = (run: RunRecord) =>
    ['completed', 'failed', 'cancelled'].includes(run.status)
      ? `The closure is ${closureStatusOf(run)}`
      : null;
  router.post(
    '/v1/closures/:id/confirm',
    repAction(
      'rep:confirm',
      (run) => finished(run) ?? (run.waitingFor === 'rep' ? null : 'The closure is not waiting for the rep'),
    ),
  );
  router.post(
    '/v1/closures/:id/retry',
    repAction('control:retry', async (run) => {
      const problem =
        finished(run) ??
        (run.waitingFor === 'rep' || run.waitingFor === 'retry'
          ? null
          : 'Only a closure waiting for the rep can be retried');
      if (problem || STAGES[run.stageIndex] !== 'approval_orchestration') return problem;
      // Retrying would resubmit a rejected deal unchanged; revising is the way forward.
      const rejected = (await approvalsOf(deps.store, run.id)).approvals.some((a) => a.status === 'Rejected');
      return rejected
        ? 'An approver rejected this deal: revise it (POST /v1/closures/:id/revise) instead of retrying'
        : null;
    }),
  );
  router.post(
    '/v1/closures/:id/revise',
    repAction('control:revise', async (run) => {
      const done = finished(run);
      if (done) return done;
      const rejected = (await approvalsOf(deps.store, run.id)).approvals.find((a) => a.status === 'Rejected');
      return run.waitingFor === 'rep' && STAGES[run.stageIndex] === 'approval_orchestration' && rejected
        ? null
        : 'Only a closure whose approval was rejected can be revised';
    }),
  );
  router.post(
    '/v1/closures/:id/cancel',
    repAction('control:cancel', (run) => finished(run)),
  );

  registerSignatureActions(router, { orchestrator: deps.orchestrator, store: deps.store, clock });
  if (deps.playbook) registerPlaybookRoutes(router, { playbook: deps.playbook, clock });

  router.post('/v1/approvals/:id/decision', async (req: Request, res: Response) => {
    const approvalId = SalesforceId.safeParse(req.params.id);
    const body = DecisionBodySchema.safeParse(req.body);
    if (!approvalId.success || !body.success) {
      sendError(
        res,
        400,
        'INVALID_REQUEST',
        'The decision is invalid',
        validationDetails((approvalId.success ? body.error : approvalId.error)!),
      );
      return;
    }
    // Salesforce may send the 15-character form; the index holds 18-character ids.
    const indexed = await deps.store.runForRecord(to18(approvalId.data) ?? approvalId.data);
    const run = indexed?.kind === 'approval' ? await deps.store.getRun(indexed.runId) : undefined;
    if (!run) {
      // 409, not 404: the Apex trigger must not retry a decision no closure is waiting for.
      sendError(
        res,
        409,
        'UNKNOWN_APPROVAL',
        `No closure is waiting for approval ${approvalId.data}; it was not submitted by dealdesk, or its closure was removed`,
      );
      return;
    }
    if (['completed', 'failed', 'cancelled'].includes(run.status)) {
      sendError(
        res,
        409,
        'CLOSURE_FINISHED',
        `The closure is ${closureStatusOf(run)}; the decision changes nothing`,
        { closureId: run.id },
      );
      return;
    }
    const id18 = to18(approvalId.data) ?? approvalId.data;
    const { approvals, superseded } = await approvalsOf(deps.store, run.id);
    const current = approvals.find((a) => a.approvalId === id18);
    const replaced = superseded.find((a) => a.approvalId === id18);
    if (!current && replaced) {
      sendError(
        res,
        409,
        'APPROVAL_SUPERSEDED',
        `Approval ${approvalId.data} was ${replaced.status === 'Recalled' ? 'recalled' : `${replaced.status.toLowerCase()} and replaced`} when the rep revised the deal; the decision changes nothing`,
        { closureId: run.id, status: replaced.status },
      );
      return;
    }
    if (current && (current.status === 'Approved' || current.status === 'Rejected')) {
      sendError(res, 409, 'ALREADY_DECIDED', `Approval ${approvalId.data} is already ${current.status}`, {
        closureId: run.id,
        status: current.status,
      });
      return;
    }
    const decidedAt = clock().toISOString();
    // A callout only tells the closure to look: the Approval agent counts the decision Salesforce
    // recorded, once. So every callout is delivered; one that came too early (or was not
    // Salesforce's) must not keep the real one out, and a repeat changes nothing.
    const stored = await deps.orchestrator.deliver(
      run.id,
      'approval:decision',
      `approval:${id18}:${randomUUID()}`,
      {
        ...body.data,
        approvalId: id18,
        decidedAt,
      },
    );
    res.status(202).json({ closureId: run.id, approvalId: approvalId.data, accepted: stored });
  });

  return router;
}

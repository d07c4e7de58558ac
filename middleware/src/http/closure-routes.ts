/**
 * Starting and reading closures: `POST /v1/closures` (idempotent with an Idempotency-Key) and
 * `GET /v1/closures/:id`, the run with its steps, contract versions, approvals and envelope.
 */
import type { Request, Response, Router } from 'express';
import {
  IdempotencyKeySchema,
  StartClosureBodySchema,
  type ClosureStarted,
  type ClosureSummary,
} from '@dealdesk/contracts';
import type { Orchestrator } from '../orchestrator/orchestrator.ts';
import { closureStatusOf } from '../orchestrator/orchestrator.ts';
import { STAGES } from '../orchestrator/stage.ts';
import type { RunRecord, RunStore } from '../ports/store.ts';
import { sendError, validationDetails } from './errors.ts';

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

export function registerClosureRoutes(
  router: Router,
  deps: { orchestrator: Orchestrator; store: RunStore },
): void {
  router.post('/v1/closures', async (req: Request, res: Response) => {
    const key = req.get('idempotency-key');
    const parsedKey = key === undefined ? undefined : IdempotencyKeySchema.safeParse(key);
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

  router.get('/v1/closures/:id', async (req: Request, res: Response) => {
    const run = await deps.store.getRun(String(req.params.id));
    if (!run) {
      sendError(res, 404, 'NOT_FOUND', `No closure ${String(req.params.id)}`);
      return;
    }
    res.json((await closureView(deps.store, run)) satisfies ClosureSummary);
  });
}

/**
 * The rep's actions on a waiting closure: confirm, retry, revise (after a rejection) and cancel.
 * Each is checked against the run's state and delivered to the orchestrator as a control event.
 */
import type { Request, Response, Router } from 'express';
import { RepActionBodySchema, type ActionAccepted } from '@dealdesk/contracts';
import type { Orchestrator } from '../orchestrator/orchestrator.ts';
import { closureStatusOf } from '../orchestrator/orchestrator.ts';
import { STAGES } from '../orchestrator/stage.ts';
import type { RunRecord, RunStore } from '../ports/store.ts';
import { approvalsOf } from './approval-decision-route.ts';
import { sendError, validationDetails } from './errors.ts';

export function registerRepActions(
  router: Router,
  deps: { orchestrator: Orchestrator; store: RunStore; clock: () => Date },
): void {
  const clock = deps.clock;
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
}

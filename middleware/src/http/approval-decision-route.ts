/**
 * `POST /v1/approvals/:id/decision`: the Apex trigger's callout when an approver decides in
 * Salesforce. It tells the waiting closure to look; the Approval agent counts the decision
 * Salesforce recorded, once.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { DecisionBodySchema, SalesforceIdSchema as SalesforceId, to18 } from '@dealdesk/contracts';
import type { Orchestrator } from '../orchestrator/orchestrator.ts';
import { closureStatusOf } from '../orchestrator/orchestrator.ts';
import type { RunRecord, RunStore } from '../ports/store.ts';
import { sendError, validationDetails } from './errors.ts';

/** The approval stage's current and superseded (recalled or replaced) approvals, as last saved. */
export async function approvalsOf(store: RunStore, runId: string) {
  type Row = { approvalId: string | null; status: string };
  const output = (await store.steps(runId)).find((s) => s.stage === 'approval_orchestration')?.output as {
    approvals?: Row[];
    superseded?: Row[];
  } | null;
  return { approvals: output?.approvals ?? [], superseded: output?.superseded ?? [] };
}

/** Why a decision for `approvalId` changes nothing on this run, or null when the closure waits for it. */
async function decisionConflict(
  store: RunStore,
  run: RunRecord,
  approvalId: string,
  id18: string,
): Promise<{ code: string; message: string; details: Record<string, unknown> } | null> {
  if (['completed', 'failed', 'cancelled'].includes(run.status))
    return {
      code: 'CLOSURE_FINISHED',
      message: `The closure is ${closureStatusOf(run)}; the decision changes nothing`,
      details: { closureId: run.id },
    };
  const { approvals, superseded } = await approvalsOf(store, run.id);
  const current = approvals.find((a) => a.approvalId === id18);
  const replaced = superseded.find((a) => a.approvalId === id18);
  if (!current && replaced)
    return {
      code: 'APPROVAL_SUPERSEDED',
      message: `Approval ${approvalId} was ${replaced.status === 'Recalled' ? 'recalled' : `${replaced.status.toLowerCase()} and replaced`} when the rep revised the deal; the decision changes nothing`,
      details: { closureId: run.id, status: replaced.status },
    };
  if (current && (current.status === 'Approved' || current.status === 'Rejected'))
    return {
      code: 'ALREADY_DECIDED',
      message: `Approval ${approvalId} is already ${current.status}`,
      details: { closureId: run.id, status: current.status },
    };
  return null;
}

export function registerApprovalDecision(
  router: Router,
  deps: { orchestrator: Orchestrator; store: RunStore; clock: () => Date },
): void {
  const clock = deps.clock;
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
    const id18 = to18(approvalId.data) ?? approvalId.data;
    const indexed = await deps.store.runForRecord(id18);
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
    const conflict = await decisionConflict(deps.store, run, approvalId.data, id18);
    if (conflict) {
      sendError(res, 409, conflict.code, conflict.message, conflict.details);
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
}

/**
 * Approval Orchestration Agent (first version): the required approvers from the matrix, one
 * Deal_Approval__c each, submitted into the Salesforce approval process (parallel where
 * independent, in order where a rule depends on another), then the run waits for decisions.
 */
import type { CommitResult, CrmPort, CrmUser, CrmWrite, DealContext } from '../../ports/crm.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import { ApprovalMatrixError, requiredApprovals, type RequiredApproval } from './approval-matrix.ts';

export interface ApprovalAgentDeps {
  crm: CrmPort;
}

interface ApprovalState {
  role: RequiredApproval['role'];
  key: string;
  approvalId: string | null;
  approverId: string;
  approverName: string;
  backupId: string | null;
  status: 'Planned' | 'Pending' | 'Approved' | 'Rejected';
  dueAt: string;
  reason: string;
  rule: string;
  dependsOn: RequiredApproval['role'][];
  comment: string | null;
  decidedAt: string | null;
  routedToBackup: string | null;
}

export const DecisionPayloadKinds = { decision: 'approval:decision' } as const;

export function createApprovalAgent(deps: ApprovalAgentDeps): Stage {
  return {
    key: 'approval_orchestration',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      const approvals = ctx.load<ApprovalState[]>('approvals');
      if (!approvals) {
        const plan = await ctx.memo('plan', async () => {
          const rules = deal.approvalRules;
          const signals = closure?.assessment.signals ?? [];
          const facts = {
            amountMinor: contract.totalMinor,
            currency: contract.currency,
            corporateCurrency: deal.corporateCurrency,
            rates: deal.currencyRates,
            maxDiscountPercent: Math.max(0, ...deal.lineItems.map((l) => l.discountPercent)),
            customTerms: contract.specialTerms.length > 0,
            securityReview:
              contract.clauses.some((c) => c.id === 'security-annex') ||
              signals.some((s) => s.type === 'security_concern'),
            legalReview: contract.legalReviewRequired,
          };
          try {
            return {
              required: requiredApprovals(rules, facts),
              facts,
              ruleCount: rules.length,
              error: null as string | null,
            };
          } catch (err) {
            if (err instanceof ApprovalMatrixError)
              return {
                required: [] as RequiredApproval[],
                facts,
                ruleCount: rules.length,
                error: err.message,
              };
            throw err;
          }
        });
        if (plan.error) return failedOutcome(plan.error, plan);
        if (plan.required.length === 0) {
          return {
            status: 'succeeded',
            reasoning: `No approval rule applies (${plan.ruleCount} rules checked against ${formatMoney(contract.totalMinor, contract.currency)}, ${plan.facts.maxDiscountPercent}% discount, ${plan.facts.customTerms ? '' : 'no '}custom terms).`,
            confidence: null,
            facts: plan.facts,
            message: 'No approvals required',
            output: { approvals: [] },
          };
        }
        const usernames = [
          ...new Set(
            plan.required
              .flatMap((r) => [r.approverUsername, r.backupUsername])
              .filter((u): u is string => Boolean(u)),
          ),
        ];
        const users = await ctx.memo('users', () => deps.crm.findUsers(usernames));
        const byUsername = new Map(users.map((u) => [u.username.toLowerCase(), u]));
        const byId = new Map(users.map((u) => [u.id, u]));
        const now = ctx.now();
        const states: ApprovalState[] = [];
        for (const r of plan.required) {
          const approver = r.approverUsername ? byUsername.get(r.approverUsername.toLowerCase()) : undefined;
          const backup = r.backupUsername ? byUsername.get(r.backupUsername.toLowerCase()) : undefined;
          if (!approver)
            return failedOutcome(
              `Approval rule ${r.rule} names approver ${r.approverUsername ?? '(none)'}, who is not a user in this org; fix Approver_Username__c.`,
              plan,
            );
          // Out of office or gone: an inactive approver, or one who delegated, goes straight to the backup.
          let chosen: CrmUser = approver;
          let routed: string | null = null;
          if (!approver.isActive) {
            if (!backup?.isActive)
              return failedOutcome(
                `Approver ${approver.username} for ${r.role} is inactive and rule ${r.rule} has no active backup.`,
                plan,
              );
            chosen = backup;
            routed = `${approver.name} is inactive`;
          } else if (
            approver.delegatedApproverId &&
            byId.get(approver.delegatedApproverId)?.isActive !== false
          ) {
            const delegate = byId.get(approver.delegatedApproverId);
            if (backup && approver.delegatedApproverId === backup.id) {
              chosen = backup;
              routed = `${approver.name} delegated approvals to ${backup.name}`;
            } else if (delegate) {
              chosen = delegate;
              routed = `${approver.name} delegated approvals to ${delegate.name}`;
            }
          }
          states.push({
            role: r.role,
            key: `${ctx.run.id}:approval:${r.role}`,
            approvalId: null,
            approverId: chosen.id,
            approverName: chosen.name,
            backupId: backup && backup.id !== chosen.id ? backup.id : null,
            status: 'Planned',
            dueAt: new Date(now.getTime() + r.slaHours * 3_600_000).toISOString(),
            reason: routed ? `${r.reason} (${routed})` : r.reason,
            rule: r.rule,
            dependsOn: r.dependsOn,
            comment: null,
            decidedAt: null,
            routedToBackup: routed,
          });
        }
        // The records go out with the step's Waiting state in one write; submission follows it.
        await ctx.save('approvals', states);
        const submit = async (result: CommitResult): Promise<StageOutcome | undefined> => {
          for (const st of states) st.approvalId = result.ids[st.key] ?? st.approvalId;
          await ctx.save('approvals', states);
          return submitReady(ctx, deps, states, deal, contract);
        };
        return {
          ...waitingOutcome(states, 'Submitting'),
          writes: states.map((x) => approvalWrite(x)),
          afterCommit: submit,
        };
      }
      // A crash between planning and the write leaves records without ids: write (idempotently) again.
      if (approvals.some((a) => !a.approvalId)) {
        const planned = approvals;
        const submit = async (result: CommitResult): Promise<StageOutcome | undefined> => {
          for (const st of planned) st.approvalId = result.ids[st.key] ?? st.approvalId;
          await ctx.save('approvals', planned);
          return submitReady(ctx, deps, planned, deal, contract);
        };
        return {
          ...waitingOutcome(planned, 'Submitting'),
          writes: planned.map((x) => approvalWrite(x)),
          afterCommit: submit,
        };
      }
      // Decisions that arrived since the last look.
      for (const e of ctx.events) {
        if (e.kind !== 'approval:decision') continue;
        const p = e.payload as {
          approvalId: string;
          decision: 'approve' | 'reject';
          comment?: string | null;
          decidedAt: string;
        };
        const a = approvals.find((x) => x.approvalId === p.approvalId);
        if (!a || a.status === 'Approved' || a.status === 'Rejected') continue;
        a.status = p.decision === 'approve' ? 'Approved' : 'Rejected';
        a.comment = p.comment ?? null;
        a.decidedAt = p.decidedAt;
      }
      await ctx.save('approvals', approvals);
      const failed = await submitReady(ctx, deps, approvals, deal, contract);
      if (failed) return failed;
      // After submission the approval process owns Deal_Approval__c (and locks it): no rewrites here.
      const writes: CrmWrite[] = [];
      const rejected = approvals.find((a) => a.status === 'Rejected');
      const summary = approvals
        .map(
          (a) =>
            `${a.role.replace('_', ' ')}: ${a.approverName} ${a.status.toLowerCase()}${a.comment ? ` ("${a.comment}")` : ''}`,
        )
        .join('; ');
      if (rejected) {
        return {
          status: 'waiting',
          waitingFor: 'rep',
          reasoning: `${rejected.approverName} (${rejected.role}) rejected: "${rejected.comment ?? 'no comment'}". Signature is on hold until the rep revises the deal. ${summary}.`,
          confidence: null,
          facts: { approvals },
          message: `Rejected by ${rejected.approverName}: ${rejected.comment ?? 'no comment'}`.slice(0, 255),
          writes,
          output: { approvals },
        };
      }
      if (approvals.every((a) => a.status === 'Approved')) {
        return {
          status: 'succeeded',
          reasoning: `All ${approvals.length} approvals granted. ${summary}.`,
          confidence: null,
          facts: { approvals },
          message: `All ${approvals.length} approvals granted`,
          writes,
          output: { approvals },
        };
      }
      return { ...waitingOutcome(approvals, 'Waiting for'), writes };
    },
  };
}

/** Submits planned approvals whose dependencies are approved; a failure outcome if any submission fails. */
async function submitReady(
  ctx: StageContext,
  deps: ApprovalAgentDeps,
  approvals: ApprovalState[],
  deal: DealContext,
  contract: ContractOutput,
): Promise<StageOutcome | undefined> {
  if (approvals.some((a) => a.status === 'Rejected')) return undefined;
  const ready = approvals.filter(
    (a) =>
      a.status === 'Planned' &&
      a.approvalId &&
      a.dependsOn.every((d) => approvals.find((x) => x.role === d)?.status === 'Approved'),
  );
  if (ready.length === 0) return undefined;
  const results = await deps.crm.submitApprovals(
    ready.map((a) => ({
      approvalId: a.approvalId!,
      approverId: a.approverId,
      comments: brief(a, deal, contract),
    })),
  );
  for (const r of results.filter((x) => x.ok)) {
    const a = approvals.find((x) => x.approvalId === r.approvalId);
    if (a) a.status = 'Pending';
  }
  await ctx.save('approvals', approvals);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0)
    return failedOutcome(
      `Submitting to the approval process failed: ${failed.map((f) => f.error).join('; ')}`,
      {
        approvals,
      },
    );
  return undefined;
}

function waitingOutcome(approvals: ApprovalState[], verb: string): StageOutcome {
  const pending = approvals.filter((a) => a.status !== 'Approved');
  return {
    status: 'waiting',
    waitingFor: 'approval',
    reasoning: `${verb} ${pending.map((a) => `${a.approverName} (${a.role}, due ${a.dueAt.slice(0, 16).replace('T', ' ')} UTC${a.dependsOn.length > 0 ? `, after ${a.dependsOn.join(' and ')}` : ''})`).join(', ')}. ${approvals.map((a) => `${a.role}: ${a.reason}`).join('. ')}.`,
    confidence: null,
    facts: { approvals },
    message: `Waiting for ${pending.length} of ${approvals.length} approval(s)`,
    output: { approvals },
  };
}

function approvalWrite(a: ApprovalState): CrmWrite {
  return {
    kind: 'approval',
    key: a.key,
    role: a.role,
    approverId: a.approverId,
    backupApproverId: a.backupId,
    reason: a.reason,
    rule: a.rule,
    status: a.status === 'Planned' ? 'Pending' : a.status,
    dueAt: a.dueAt,
    escalationLevel: 0,
  };
}

/** The decision brief in the approval request's comments: what the approver needs to decide. */
function brief(a: ApprovalState, deal: DealContext, contract: ContractOutput): string {
  const o = deal.opportunity;
  return [
    `${o.name} — ${deal.account?.name ?? ''}: ${formatMoney(contract.totalMinor, contract.currency)} over ${contract.termMonths} months.`,
    `Why you: ${a.reason}.`,
    `Risk: ${contract.riskLevel}${contract.riskFactors.length > 0 ? ` (${contract.riskFactors.join('; ')})` : ''}.`,
    `Please decide by ${a.dueAt.slice(0, 16).replace('T', ' ')} UTC.`,
  ].join(' ');
}

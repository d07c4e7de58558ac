/**
 * What the Approval Orchestration stage says: the step's outcome, the predicted completion (with
 * each approver's queue) and the records it writes. Pure functions over the state. The approvers'
 * decision briefs are approval-brief.ts's.
 */
import type { CrmWrite, DealContext } from '../../ports/crm.ts';
import { formatMoney } from '../../domain/money.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import {
  decisionDurations,
  decisionTimeStats,
  predictCompletion,
  seedOf,
  type DecisionTimeStats,
} from './approval-history.ts';
import {
  describeFactor,
  openItemsOf,
  queueFactor,
  queueMultiplier,
  workloadOf,
  type QueueFactor,
} from './approval-workload.ts';
import type { MessageApproval, MessageDeal } from './approval-messages.ts';
import type { ApprovalFacts, ApprovalState, PendingPost, Prediction, Report } from './approval-state.ts';

export const HOUR = 3_600_000;
export const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
export const roleLabel = (r: string) => r.replace('_', ' ');
const round1 = (n: number) => Math.round(n * 10) / 10;
export const fmtHours = (h: number) => (h >= 48 ? `${round1(h / 24)} d` : `${round1(h)} h`);

/** The predicted completion; also records each approval's expected decision time on it. */
export function predict(
  approvals: ApprovalState[],
  facts: Pick<ApprovalFacts, 'history' | 'now' | 'runId' | 'deal' | 'workload'>,
): Prediction {
  const durations = decisionDurations(facts.history);
  const workload = workloadOf(facts.workload);
  // The fit reads the whole history: only worth it when someone has a queue.
  let factor: QueueFactor | undefined;
  const now = facts.now;
  const planned = approvals.map((a) => {
    const usual = decisionTimeStats(durations, a.ruleApproverId, a.role, a.slaHours);
    const open = a.status === 'Approved' ? 0 : openItemsOf(workload, a.approverId);
    factor ??= open > 0 ? queueFactor(facts.history) : undefined;
    const stats = open > 0 && factor ? queued(usual, queueMultiplier(factor, open)) : usual;
    a.prediction = {
      basis: stats.basis,
      samples: stats.samples,
      medianHours: round1(stats.medianHours),
      p90Hours: round1(stats.p90Hours),
      ...(open > 0 ? { openItems: open, usualMedianHours: round1(usual.medianHours) } : {}),
    };
    return {
      role: a.role,
      dependsOn: a.dependsOn,
      stats,
      decided: a.status === 'Approved',
      elapsedHours:
        a.status === 'Pending' && a.submittedAt ? (now.getTime() - Date.parse(a.submittedAt)) / HOUR : 0,
    };
  });
  const p = predictCompletion(planned, seedOf(facts.runId));
  const completionAt = new Date(now.getTime() + p.medianHours * HOUR).toISOString();
  const p90At = new Date(now.getTime() + p.p90Hours * HOUR).toISOString();
  const target = facts.deal.opportunity.closeDate;
  // The target is the close date; approvals must be done by the end of that day (UTC).
  const meets = target ? Date.parse(completionAt) <= Date.parse(`${target}T23:59:59Z`) : null;
  const open = approvals.filter((a) => a.status !== 'Approved');
  const perApprover = open
    .map(
      (a) =>
        `${a.approverName} ~${fmtHours(a.prediction.medianHours)} (p90 ${fmtHours(a.prediction.p90Hours)}, ${a.prediction.basis === 'prior' ? 'no history: SLA prior' : `${a.prediction.samples} past decisions`})`,
    )
    .join(', ');
  const queues = open
    .filter((a) => a.prediction.openItems)
    .map(
      (a) =>
        `${a.approverName} has ${a.prediction.openItems} open item${a.prediction.openItems === 1 ? '' : 's'}; predicted ${fmtHours(a.prediction.medianHours)} instead of ${fmtHours(a.prediction.usualMedianHours ?? 0)}`,
    );
  return {
    completionAt,
    p90At,
    targetDate: target,
    meetsTarget: meets,
    summary: `Predicted approval by ${when(completionAt)} (p90 ${when(p90At)})${target ? `, ${meets ? 'meets' : 'misses'} the close date ${target}` : ''}${perApprover ? `; ${perApprover}` : ''}.${queues.length > 0 && factor ? ` Workload: ${queues.join('; ')} (${describeFactor(factor)}).` : ''}`,
  };
}

/** Decision-time statistics stretched by a queue: every duration takes `m` times as long. */
function queued(stats: DecisionTimeStats, m: number): DecisionTimeStats {
  return {
    ...stats,
    medianHours: stats.medianHours * m,
    p90Hours: stats.p90Hours * m,
    durations: stats.durations.map((d) => d * m),
  };
}

export const predictionNote = (p: Prediction) =>
  p.meetsTarget === false
    ? `predicted ${when(p.completionAt)}, after the close date ${p.targetDate}`
    : `predicted done ${when(p.completionAt)}${p.meetsTarget ? ', before the close date' : ''}`;

/** The step's outcome from the approvals: waiting for the rep after a rejection, done when all approved. */
export function outcomeOf(
  approvals: ApprovalState[],
  superseded: ApprovalState[],
  prediction: Prediction,
  log: string[],
  headline?: string,
): Report {
  const summary = approvals
    .map(
      (a) =>
        `${roleLabel(a.role)}: ${a.approverName} ${a.status.toLowerCase()}${a.comment ? ` ("${a.comment}")` : ''}`,
    )
    .join('; ');
  const actions = log.length > 0 ? ` ${log.join('. ')}.` : '';
  const output = { approvals, superseded, prediction };
  const rejected = approvals.find((a) => a.status === 'Rejected');
  if (rejected) {
    return {
      status: 'waiting',
      waitingFor: 'rep',
      reasoning: `${rejected.approverName} (${roleLabel(rejected.role)}) rejected: "${rejected.comment ?? 'no comment'}". Signature is on hold until the rep revises the deal.${actions} ${summary}.`,
      confidence: null,
      facts: output,
      message: `Rejected by ${rejected.approverName}: ${rejected.comment ?? 'no comment'}`.slice(0, 255),
      output,
    };
  }
  if (approvals.every((a) => a.status === 'Approved')) {
    return {
      status: 'succeeded',
      reasoning: `All ${approvals.length} approvals granted.${actions} ${summary}.`,
      confidence: null,
      facts: output,
      message: `All ${approvals.length} approvals granted`,
      output,
    };
  }
  const pending = approvals.filter((a) => a.status !== 'Approved');
  const latest = log.at(-1);
  return {
    status: 'waiting',
    waitingFor: 'approval',
    reasoning: `Waiting for ${pending.map((a) => `${a.approverName} (${roleLabel(a.role)}, ${waitsFor(a)})`).join(', ')}. ${approvals.map((a) => `${roleLabel(a.role)} [${a.rule}]: ${a.reason}${a.routedToBackup ? ` (routed to ${a.approverName}: ${a.routedToBackup})` : ''}${a.queueNote ? ` (${a.queueNote})` : ''}`).join('. ')}.${actions} ${prediction.summary}`,
    confidence: null,
    facts: output,
    message: ((headline ?? latest)
      ? (headline ?? latest)!
      : `Waiting for ${pending.length} of ${approvals.length} approval(s); ${prediction.meetsTarget === false ? 'predicted to miss' : 'predicted by'} ${prediction.meetsTarget === false ? `the close date ${prediction.targetDate}` : when(prediction.completionAt)}`
    ).slice(0, 255),
    output,
  };
}

function waitsFor(a: ApprovalState): string {
  if (a.status === 'Pending') return `due ${when(a.dueAt)}`;
  return a.dependsOn.length > 0 ? `after ${a.dependsOn.map(roleLabel).join(' and ')}` : 'being submitted';
}

/** The Deal_Approval__c record; `brief` is the approver's brief as planned, with its sources. */
export function approvalWrite(a: ApprovalState, brief?: string): CrmWrite {
  return {
    ...(brief ? { brief } : {}),
    kind: 'approval',
    key: a.key,
    role: a.role,
    approverId: a.approverId,
    backupApproverId: a.backupId,
    reason: a.reason,
    rule: a.rule,
    status: 'Pending',
    dueAt: a.dueAt,
    escalationLevel: a.escalationLevel,
  };
}

export function postWrites(posts: PendingPost[]): CrmWrite[] {
  return posts.map((p) => ({ kind: 'feedPost', parentId: p.parentId, body: p.body, guardKey: p.guardKey }));
}

export function messageOf(a: ApprovalState): MessageApproval {
  return {
    role: a.role,
    approvalId: a.approvalId ?? '',
    approverId: a.approverId,
    approverName: a.approverName,
    reason: a.reason,
    dueAt: a.dueAt,
    slaHours: a.slaHours,
    round: a.round,
  };
}

export function toMessageDeal(deal: DealContext, contract: ContractOutput): MessageDeal {
  return {
    opportunityId: deal.opportunity.id,
    opportunityName: deal.opportunity.name,
    accountName: deal.account?.name ?? '',
    amount: formatMoney(contract.totalMinor, contract.currency),
    termMonths: contract.termMonths,
    riskLevel: contract.riskLevel,
    ownerId: deal.opportunity.ownerId,
  };
}

/**
 * Who must approve this contract, routed to someone who can act on it now, and how a revision
 * changes what was already asked. Pure: the rules and users come read.
 */
import type { ApprovalRule, CrmUser, DealContext } from '../../ports/crm.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import {
  ApprovalMatrixError,
  requiredApprovals,
  uncoveredRequirements,
  type DealFacts,
  type RequiredApproval,
} from './approval-matrix.ts';
import type { ApprovalFacts, ApprovalState, PendingPost } from './approval-state.ts';
import { HOUR, roleLabel } from './approval-report.ts';
import { routeByQueue, workloadOf, type Workload } from './approval-workload.ts';

export function dealFacts(
  deal: DealContext,
  contract: ContractOutput,
  signals: { type: string }[],
): DealFacts {
  return {
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
}

type MatrixFacts = Pick<
  ApprovalFacts,
  'deal' | 'contract' | 'signals' | 'rules' | 'repDiscountAuthorityPercent'
>;

type Matrix =
  | { required: RequiredApproval[]; execRule: ApprovalRule | undefined; usernames: string[] }
  | { error: string };

/** The approvals the rules require, or why the rules cannot say. */
function matrix(f: MatrixFacts, facts: DealFacts): Matrix {
  let required: RequiredApproval[];
  try {
    required = requiredApprovals(f.rules, facts);
  } catch (err) {
    if (err instanceof ApprovalMatrixError) return { error: `Approval matrix: ${err.message}.` };
    throw err;
  }
  const gaps = uncoveredRequirements(f.rules, facts, {
    repDiscountAuthorityPercent: f.repDiscountAuthorityPercent,
  });
  if (gaps.length > 0)
    return {
      error: `No approval rule covers this deal although policy requires one: ${gaps.join('; ')}. Add or activate an Approval_Rule__mdt record, then retry.`,
    };
  const execRule = f.rules.find((r) => r.active && r.role === 'Executive');
  const usernames = [
    ...new Set(
      [
        ...required.flatMap((r) => [r.approverUsername, r.backupUsername]),
        execRule?.approverUsername,
        execRule?.backupUsername,
      ].filter((u): u is string => Boolean(u)),
    ),
  ];
  return { required, execRule, usernames };
}

/** The users planning must read (approvers, backups, the executive), or null when it needs none. */
export function usersToRead(f: MatrixFacts): string[] | null {
  const m = matrix(f, dealFacts(f.deal, f.contract, f.signals));
  return 'error' in m || m.required.length === 0 ? null : m.usernames;
}

export type Plan = { approvals: ApprovalState[]; ruleCount: number } | { error: string; facts: DealFacts };

/** The matrix for this contract, with each approver resolved to an active user. */
export function plan(
  f: MatrixFacts & Pick<ApprovalFacts, 'users' | 'runId' | 'now' | 'workload' | 'queueThreshold'>,
): Plan {
  const facts = dealFacts(f.deal, f.contract, f.signals);
  const m = matrix(f, facts);
  if ('error' in m) return { error: m.error, facts };
  const byUsername = new Map(f.users.map((u) => [u.username.toLowerCase(), u]));
  const queues = {
    workload: workloadOf(f.workload),
    threshold: f.queueThreshold ?? Number.POSITIVE_INFINITY,
  };
  const find = (u: string | null | undefined) => (u ? byUsername.get(u.toLowerCase()) : undefined);
  const approvals: ApprovalState[] = [];
  for (const r of m.required) {
    const approver = find(r.approverUsername);
    const backup = find(r.backupUsername);
    if (!approver)
      return {
        error: `Approval rule ${r.rule} (${roleLabel(r.role)}) names approver ${r.approverUsername ?? '(none)'}, who is not a user in this org; fix Approver_Username__c, then retry.`,
        facts,
      };
    if (r.backupUsername && !backup)
      return {
        error: `Approval rule ${r.rule} (${roleLabel(r.role)}) names backup ${r.backupUsername}, who is not a user in this org; fix Backup_Username__c, then retry.`,
        facts,
      };
    const routed = route(approver, backup, f.users, queues);
    if ('error' in routed)
      return {
        error: `Approver ${approver.username} of rule ${r.rule} (${roleLabel(r.role)}) is inactive and the rule has no active backup; set Backup_Username__c or reactivate the user, then retry.`,
        facts,
      };
    const { chosen, why, queueNote } = routed;
    const exec = find(m.execRule?.approverUsername);
    const execBackup = find(m.execRule?.backupUsername);
    const escalateTo =
      exec && exec.id !== chosen.id && exec.isActive ? exec : execBackup?.isActive ? execBackup : null;
    const backupStays = backup && backup.id !== chosen.id && backup.isActive;
    const execStays = escalateTo && escalateTo.id !== chosen.id;
    approvals.push({
      role: r.role,
      key: `${f.runId}:approval:${r.role}`,
      round: 1,
      approvalId: null,
      approverId: chosen.id,
      approverName: chosen.name,
      ruleApproverId: approver.id,
      backupId: backupStays ? backup.id : null,
      backupName: backupStays ? backup.name : null,
      executiveId: execStays ? escalateTo.id : null,
      executiveName: execStays ? escalateTo.name : null,
      status: 'Planned',
      slaHours: r.slaHours,
      submittedAt: null,
      dueAt: new Date(f.now.getTime() + r.slaHours * HOUR).toISOString(),
      reason: r.reason,
      rule: r.rule,
      dependsOn: r.dependsOn,
      comment: null,
      decidedAt: null,
      routedToBackup: why,
      ...(queueNote ? { queueNote } : {}),
      escalationLevel: 0,
      log: why ? [`Routed to ${chosen.name} at once: ${why}`] : queueNote ? [queueNote] : [],
      prediction: { basis: 'prior', samples: 0, medianHours: 0, p90Hours: 0 },
    });
  }
  return { approvals, ruleCount: f.rules.length };
}

/**
 * Whom the request goes to. Out of office or gone: an inactive approver, or one who delegated,
 * goes to the backup at once (a delegate when the rule has no active backup). Swamped: an approver
 * whose queue is over the threshold goes to the backup when the backup has fewer open items.
 */
function route(
  approver: CrmUser,
  backup: CrmUser | undefined,
  users: CrmUser[],
  queues: { workload: Workload; threshold: number },
): { chosen: CrmUser; why: string | null; queueNote?: string } | { error: 'inactive' } {
  if (!approver.isActive)
    return backup?.isActive ? { chosen: backup, why: `${approver.name} is inactive` } : { error: 'inactive' };
  if (!approver.delegatedApproverId) {
    const q = routeByQueue(approver, backup, queues.workload, queues.threshold);
    if (q.toBackup && backup) return { chosen: backup, why: q.note };
    return q.note ? { chosen: approver, why: null, queueNote: q.note } : { chosen: approver, why: null };
  }
  const delegate = users.find((u) => u.id === approver.delegatedApproverId);
  if (backup?.isActive)
    return {
      chosen: backup,
      why: `${approver.name} delegated approvals${delegate ? ` to ${delegate.name}` : ''}; routed to the backup`,
    };
  if (delegate?.isActive)
    return { chosen: delegate, why: `${approver.name} delegated approvals to ${delegate.name}` };
  return { chosen: approver, why: null };
}

/**
 * The approvals after a revision: an approval whose reason is unchanged and that was approved
 * or is still pending stays as it is; a rejected one, or one whose reason changed, goes out again
 * as a new Deal_Approval__c (the next round); roles no longer required are recalled.
 */
export function revise(
  previous: ApprovalState[],
  next: ApprovalState[],
  posts: PendingPost[],
  log: string[],
): ApprovalState[] {
  const out: ApprovalState[] = [];
  for (const n of next) {
    const old = previous.find((p) => p.role === n.role);
    if (old && old.reason === n.reason && old.status !== 'Rejected' && old.status !== 'Recalled') {
      // A kept request waits for what the new plan requires: a role the revision no longer needs
      // (Legal, once the custom terms are gone) must not hold it back for ever. (`previous` is
      // decide's own copy of the state, so the request is updated in place, as its log is.)
      old.dependsOn = n.dependsOn;
      out.push(old);
      log.push(
        `${roleLabel(n.role)}: reason unchanged, ${old.status === 'Approved' ? 'approval kept' : 'request kept'}`,
      );
      continue;
    }
    const round = (old?.round ?? 0) + 1;
    out.push({ ...n, round, key: round === 1 ? n.key : `${n.key}:r${round}` });
    log.push(
      `${roleLabel(n.role)}: ${old ? (old.status === 'Rejected' ? 'resubmitted after the rejection' : 'reason changed, resubmitted') : 'newly required'} (${n.reason})`,
    );
  }
  for (const old of previous) {
    if (out.includes(old)) continue;
    if (old.status === 'Pending' && old.approvalId) {
      old.log.push('Recalled: the contract changed');
      posts.push({
        parentId: old.approvalId,
        body: `DealDesk recalled this request: the rep revised the deal and a new contract version replaced the one it was about.`,
        guardKey: `recall:${old.approvalId}`,
      });
      log.push(`${roleLabel(old.role)}: pending request recalled`);
    }
  }
  return out;
}

/**
 * Cycle times and the organisation's history, computed from the run store: per deal, how long
 * each phase took (verbal yes → contract → approvals, per approver → signature, per recipient →
 * synced to Salesforce), and across deals, the medians the Learning agent compares with, that
 * GET /v1/insights reports and that the Approval agent can use to predict approvers' response.
 */
import type { DealContext } from '../../ports/crm.ts';
import type { RunRecord, RunStore, StepRow } from '../../ports/store.ts';
import { stageValue } from '../../orchestrator/run-memo.ts';
import type { StageKey } from '../../orchestrator/stage.ts';
import { median } from '../../domain/statistics.ts';

export type Phase = 'verbal_to_contract' | 'approvals' | 'signature' | 'sync';
export const PHASES: readonly Phase[] = ['verbal_to_contract', 'approvals', 'signature', 'sync'];
export const PHASE_LABEL: Record<Phase, string> = {
  verbal_to_contract: 'verbal yes to contract',
  approvals: 'approvals',
  signature: 'signature',
  sync: 'sync to Salesforce',
};

export interface ApproverTime {
  role: string;
  approverId: string;
  approverName: string;
  /** From submission (or the approval its turn waited for) to the decision. */
  responseMs: number;
  decision: 'Approved' | 'Rejected';
}

export interface RecipientTime {
  name: string;
  role: string;
  routingOrder: number;
  /** From the envelope being sent (or the previous routing order signing) to this signature. */
  ms: number;
}

export interface DealCycle {
  runId: string;
  opportunityId: string;
  account: string | null;
  industry: string | null;
  sizeBand: SizeBand;
  amountMinor: number;
  currency: string;
  /** Weighted discount off list price across the line items, 0–100. */
  discountPercent: number;
  completedAt: string | null;
  phases: Partial<Record<Phase, number>>;
  totalMs: number | null;
  approvers: ApproverTime[];
  recipients: RecipientTime[];
  legalReview: boolean;
  /** Clauses selected by a condition (not standard) in a contract that went to legal review. */
  reviewClauses: string[];
  /*
   * What later closures learn from (issue 20): the competitors the Deal Closure assessment named,
   * every clause selected by a condition (reviewed or not), and the contact roles involved.
   * Optional: figures recorded before these existed lack them, and count as naming none.
   */
  competitors?: string[];
  clauses?: string[];
  stakeholders?: string[];
}

/** What the Learning agent measured for one closure, and the earlier closures it compared with. */
export interface LearningFigures {
  cycle: DealCycle;
  history: DealCycle[];
}

export type SizeBand = 'under 50k' | '50k–250k' | '250k–1M' | '1M and over';

/** Deal size in the org's corporate currency, in bands wide enough to have peers. */
export function sizeBand(
  deal: Pick<DealContext, 'currencyRates'>,
  amountMinor: number,
  currency: string,
): SizeBand {
  const rate = deal.currencyRates[currency] ?? 1;
  const corporate = amountMinor / 100 / rate;
  return corporate < 50_000
    ? 'under 50k'
    : corporate < 250_000
      ? '50k–250k'
      : corporate < 1_000_000
        ? '250k–1M'
        : '1M and over';
}

export { median };

/** A stage's memoised value in its latest generation (a retry after a data fix bumps the generation). */
function memoOf<T>(run: RunRecord, stage: StageKey, key: string): T | undefined {
  return stageValue<T>(run.memo, stage, key);
}

const ms = (from: string | null | undefined, to: string | null | undefined): number | null =>
  from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : null;

interface ApprovalOutput {
  role: string;
  approverId: string;
  approverName: string;
  status: string;
  dependsOn?: string[];
  decidedAt: string | null;
}
interface ContractMemo {
  totalMinor: number;
  currency: string;
  legalReviewRequired: boolean;
  clauses: { id: string; rule: string; because?: string[]; nonStandard?: boolean }[];
}
interface AssessmentMemo {
  assessment?: { competitors?: string[] };
}
interface EnvelopeMemo {
  sentAt?: string;
  recipients?: { name: string; role: string; routingOrder: number }[];
}

/**
 * The cycle of one run from what its stages stored. `null` for a run that never reached System
 * Integration (stopped before signature, cancelled).
 */
export function dealCycle(run: RunRecord, steps: StepRow[]): DealCycle | null {
  const step = (stage: StageKey) => steps.find((s) => s.stage === stage);
  const synced = step('system_integration');
  if (synced?.status !== 'Succeeded' || !synced.finishedAt) return null;
  const deal = memoOf<DealContext>(run, 'deal_closure', 'deal');
  const contract = memoOf<ContractMemo>(run, 'contract_generation', 'contract');
  if (!deal || !contract) return null;
  const contractStep = step('contract_generation');
  const approvalStep = step('approval_orchestration');
  const signatureStep = step('signature_management');
  const phases = phaseTimes(
    run.createdAt,
    { contract: contractStep, approval: approvalStep, signature: signatureStep },
    synced.finishedAt,
  );

  const approvals =
    (approvalStep?.output as { approvals?: ApprovalOutput[] } | null)?.approvals ??
    memoOf<ApprovalOutput[]>(run, 'approval_orchestration', 'state.approvals') ??
    [];
  const approvers = approverTimes(approvals, approvalStep?.startedAt ?? contractStep?.finishedAt);
  const recipients = recipientTimes(run, signatureStep);

  const listMinor = deal.lineItems.reduce((s, li) => s + Math.round(li.quantity * li.unitPriceMinor), 0);
  const netMinor = deal.lineItems.reduce((s, li) => s + li.totalPriceMinor, 0);
  const legalReview = contract.legalReviewRequired || approvals.some((a) => a.role === 'Legal');
  // A clause every contract carries tells deals apart by nothing: only those a fact selected count.
  const conditional = contract.clauses
    .filter((c) => (c.because?.length ?? 0) > 0 || c.nonStandard === true)
    .map((c) => c.id);
  const competitors = memoOf<AssessmentMemo>(run, 'deal_closure', 'assessment')?.assessment?.competitors;
  return {
    runId: run.id,
    opportunityId: run.opportunityId,
    account: deal.account?.name ?? null,
    industry: deal.account?.industry ?? null,
    sizeBand: sizeBand(deal, contract.totalMinor, contract.currency),
    amountMinor: contract.totalMinor,
    currency: contract.currency,
    discountPercent: listMinor > 0 ? Math.round((1 - netMinor / listMinor) * 10_000) / 100 : 0,
    completedAt: synced.finishedAt,
    phases,
    totalMs: ms(run.createdAt, synced.finishedAt),
    approvers,
    recipients,
    legalReview,
    reviewClauses: legalReview
      ? contract.clauses.filter((c) => c.rule !== 'standard clause').map((c) => c.id)
      : [],
    competitors: [...new Set((competitors ?? []).map((c) => c.trim()).filter(Boolean))],
    clauses: conditional,
    stakeholders: [
      ...new Set(deal.contactRoles.flatMap((r) => (r.role?.trim() ? [r.role.trim()] : []))),
    ].sort(),
  };
}

/** Each phase runs from the previous step's finish (the run's creation first) to its own. */
function phaseTimes(
  createdAt: string,
  steps: Record<'contract' | 'approval' | 'signature', StepRow | undefined>,
  syncedAt: string,
): Partial<Record<Phase, number>> {
  const { contract: contractStep, approval: approvalStep, signature: signatureStep } = steps;
  const phases: Partial<Record<Phase, number>> = {};
  const set = (phase: Phase, value: number | null) => {
    if (value !== null) phases[phase] = value;
  };
  set('verbal_to_contract', ms(createdAt, contractStep?.finishedAt));
  set('approvals', ms(contractStep?.finishedAt, approvalStep?.finishedAt));
  set('signature', ms(approvalStep?.finishedAt, signatureStep?.finishedAt));
  set('sync', ms(signatureStep?.finishedAt, syncedAt));
  return phases;
}

/** Each decided approval's response time; `submittedAt` is when approvals without a wait were submitted. */
function approverTimes(approvals: ApprovalOutput[], submittedAt: string | null | undefined): ApproverTime[] {
  const approvers: ApproverTime[] = [];
  for (const a of approvals) {
    if (!a.decidedAt || (a.status !== 'Approved' && a.status !== 'Rejected')) continue;
    // A sequential approval is submitted when the approvals it depends on are decided.
    const waitedFor = approvals
      .filter((d) => (a.dependsOn ?? []).includes(d.role) && d.decidedAt)
      .map((d) => d.decidedAt!)
      .sort()
      .at(-1);
    const submitted = waitedFor ?? submittedAt;
    const response = ms(submitted, a.decidedAt);
    if (response !== null)
      approvers.push({
        role: a.role,
        approverId: a.approverId,
        approverName: a.approverName,
        responseMs: response,
        decision: a.status,
      });
  }
  return approvers;
}

/** Each signature's time, from the envelope being sent or the previous routing order signing. */
function recipientTimes(run: RunRecord, signatureStep: StepRow | undefined): RecipientTime[] {
  const envelope = memoOf<EnvelopeMemo>(run, 'signature_management', 'envelope');
  const signedAt = (signatureStep?.output as { signedAt?: (string | null)[] } | null)?.signedAt ?? [];
  const recipients: RecipientTime[] = [];
  (envelope?.recipients ?? []).forEach((r, i) => {
    const signed = signedAt[i];
    if (!signed) return;
    const previous = (envelope?.recipients ?? [])
      .map((x, j) => ({ order: x.routingOrder, at: signedAt[j] }))
      .filter((x) => x.order < r.routingOrder && x.at)
      .map((x) => x.at!)
      .sort()
      .at(-1);
    const time = ms(previous ?? envelope?.sentAt, signed);
    if (time !== null)
      recipients.push({ name: r.name, role: r.role, routingOrder: r.routingOrder, ms: time });
  });
  return recipients;
}

/** The cycles of the most recent completed runs (newest first), skipping runs that never synced. */
export async function orgHistory(store: RunStore, limit = 500): Promise<DealCycle[]> {
  const cycles: DealCycle[] = [];
  // Only the cycle the Learning agent recorded (`figures` before 2026-12-07), not the history it
  // read: the rest of a past deal's memo is read only when it recorded none (or recorded it in a
  // later generation, after a retry).
  const keys = ['cycle', 'figures', 'generation'].map((k) => `learning_optimization.${k}`);
  for (const run of await store.completedRuns(limit, keys)) {
    // The figures the Learning agent recorded win: a replayed completion re-times the steps, not the deal.
    const recorded =
      memoOf<DealCycle>(run, 'learning_optimization', 'cycle') ??
      memoOf<{ cycle?: DealCycle }>(run, 'learning_optimization', 'figures')?.cycle;
    const full = recorded ? undefined : await store.getRun(run.id);
    const cycle = recorded ?? (full ? dealCycle(full, await store.steps(run.id)) : null);
    if (cycle) cycles.push(cycle);
  }
  return cycles;
}

export interface ApproverMedian {
  approverId: string;
  approverName: string;
  role: string;
  medianMs: number;
  decisions: number;
}

/**
 * Each approver's median response time over past closures, for predicting due times: the
 * Approval agent can prefer these to the SLA alone once an approver has a history.
 */
export async function approverResponseMedians(store: RunStore, limit = 500): Promise<ApproverMedian[]> {
  return approverMedians(await orgHistory(store, limit));
}

export function approverMedians(history: readonly DealCycle[]): ApproverMedian[] {
  const by = new Map<string, ApproverTime[]>();
  for (const a of history.flatMap((c) => c.approvers))
    by.set(a.approverId, [...(by.get(a.approverId) ?? []), a]);
  return [...by.values()]
    .map((times) => ({
      approverId: times[0]!.approverId,
      approverName: times[0]!.approverName,
      role: times[0]!.role,
      medianMs: median(times.map((t) => t.responseMs))!,
      decisions: times.length,
    }))
    .sort((a, b) => a.role.localeCompare(b.role) || a.approverName.localeCompare(b.approverName));
}

export interface GroupMedian {
  deals: number;
  medianTotalMs: number | null;
  medianPhaseMs: Partial<Record<Phase, number>>;
}

function groupMedian(cycles: readonly DealCycle[]): GroupMedian {
  const phaseMedians: Partial<Record<Phase, number>> = {};
  for (const p of PHASES) {
    const m = median(cycles.flatMap((c) => (c.phases[p] === undefined ? [] : [c.phases[p]!])));
    if (m !== null) phaseMedians[p] = m;
  }
  return {
    deals: cycles.length,
    medianTotalMs: median(cycles.flatMap((c) => (c.totalMs === null ? [] : [c.totalMs]))),
    medianPhaseMs: phaseMedians,
  };
}

export interface Insights {
  deals: number;
  since: string | null;
  overall: GroupMedian;
  byIndustry: Record<string, GroupMedian>;
  bySize: Record<string, GroupMedian>;
  approvers: ApproverMedian[];
  legalReview: { deals: number; clauses: { clause: string; deals: number; share: number }[] };
}

/** What GET /v1/insights reports: medians by industry and size, approvers, legal-review triggers. */
export function aggregate(history: readonly DealCycle[]): Insights {
  const groupBy = (key: (c: DealCycle) => string) => {
    const groups = new Map<string, DealCycle[]>();
    for (const c of history) groups.set(key(c), [...(groups.get(key(c)) ?? []), c]);
    return Object.fromEntries(
      [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, groupMedian(v)]),
    );
  };
  const reviewed = history.filter((c) => c.legalReview);
  const clauseCounts = new Map<string, number>();
  for (const c of reviewed)
    for (const id of new Set(c.reviewClauses)) clauseCounts.set(id, (clauseCounts.get(id) ?? 0) + 1);
  return {
    deals: history.length,
    since:
      history
        .map((c) => c.completedAt ?? '')
        .filter(Boolean)
        .sort()[0] ?? null,
    overall: groupMedian(history),
    byIndustry: groupBy((c) => c.industry ?? 'Unknown'),
    bySize: groupBy((c) => c.sizeBand),
    approvers: approverMedians(history),
    legalReview: {
      deals: reviewed.length,
      clauses: [...clauseCounts]
        .map(([clause, deals]) => ({
          clause,
          deals,
          share: Math.round((deals / reviewed.length) * 100) / 100,
        }))
        .sort((a, b) => b.deals - a.deals || a.clause.localeCompare(b.clause)),
    },
  };
}

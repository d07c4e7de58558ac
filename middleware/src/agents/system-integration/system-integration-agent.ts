/**
 * System Integration Agent: in one all-or-none write, the opportunity becomes Closed Won, the
 * contract is created and activated, the revenue schedule, the renewal opportunity and its
 * renewal-plan Tasks are written, and the records are read back in the same call and compared
 * with the contract, to the cent. A mismatch fails the step.
 */
import type { ClosedWonReadBack, CrmPort, CrmWrite, DealContext, TaskWrite } from '../../ports/crm.ts';
import { renewalPlanTasks } from './renewal-plan.ts';
import { earlierResults, type EarlierResults } from '../shared/earlier-results.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import { describeRisk, renewalRisk, type RenewalRisk } from './renewal-risk.ts';
import { citeSignal } from '../shared/citations.ts';
import type { RunStore } from '../../ports/store.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney, fromMinor, toMinor } from '../../domain/money.ts';
import { monthlySchedule, serviceEnd } from '../../domain/revenue-schedule.ts';

export interface SystemIntegrationDeps {
  crm: CrmPort;
  renewalLeadDays: number;
  /** Earlier closures, for the signature cycle of peers in the renewal risk. */
  store?: RunStore;
}

/** Median signature time of the last completed closures. */
async function peerSignatureMedian(store: RunStore | undefined, exceptRunId: string): Promise<number | null> {
  if (!store) return null;
  const durations = (await store.completedStepDurations('signature_management', 50))
    .filter((d) => d.runId !== exceptRunId && d.durationMs > 0)
    .map((d) => d.durationMs);
  if (durations.length === 0) return null;
  durations.sort((a, b) => a - b);
  const mid = Math.floor(durations.length / 2);
  return durations.length % 2 ? durations[mid]! : (durations[mid - 1]! + durations[mid]!) / 2;
}

/**
 * The renewal risk, from the deal, the contract and the conversation as Deal Closure read it, and
 * the renewal plan's Tasks that act on it.
 */
async function renewalRiskAndPlan(
  ctx: StageContext,
  deps: SystemIntegrationDeps,
  x: EarlierResults & { renewalClose: string; contractKey: string },
): Promise<{ risk: RenewalRisk; tasks: TaskWrite[] }> {
  const { deal, contract } = x;
  const assessment = x.closure?.assessment;
  const envelope = ctx.recall<{ sentAt?: string; envelopeId?: string }>('signature_management', 'envelope');
  const signed = ctx.recall<{ completedAt?: string | null }>('signature_management', 'output');
  const risk = renewalRisk({
    deal,
    signals: assessment?.signals ?? [],
    customTerms: contract.specialTerms.length > 0,
    // The envelope's send to its last signature.
    signatureMs:
      envelope?.sentAt && signed?.completedAt
        ? new Date(signed.completedAt).getTime() - new Date(envelope.sentAt).getTime()
        : null,
    peerSignatureMedianMs: await ctx.memo('peerSignatureMedianMs', () =>
      peerSignatureMedian(deps.store, ctx.run.id),
    ),
    ...(assessment?.terms ? { terms: assessment.terms } : {}),
    competitors: assessment?.competitors ?? [],
    contract: {
      // The Contract record is created by this step's write: its key stands in until then.
      source: `Contract ${x.contractKey}`,
      specialTerms: contract.specialTerms,
      nonStandardClauses: contract.clauses.filter((c) => c.nonStandard).map((c) => c.id),
    },
    ...(envelope?.envelopeId ? { signatureSource: `envelope ${envelope.envelopeId}` } : {}),
    closureRecordId: ctx.run.dealClosureId,
  });
  const sponsor =
    deal.contactRoles.find((r) => /economic|executive sponsor|decision maker/i.test(r.role ?? '')) ??
    deal.contactRoles.find((r) => r.isPrimary);
  const tasks = renewalPlanTasks({
    runId: ctx.run.id,
    opportunityId: deal.opportunity.id,
    ownerId: deal.opportunity.ownerId,
    accountName: deal.account?.name ?? deal.opportunity.name,
    startDate: contract.startDate,
    renewalCloseDate: x.renewalClose,
    risk,
    primaryContactId: deal.contactRoles.find((r) => r.isPrimary)?.contactId ?? null,
    successCriteria: (assessment?.handoffFacts?.['success_criteria'] ?? []).map((s) =>
      citeSignal(s, ctx.run.dealClosureId),
    ),
    contactName: sponsor ? `${sponsor.name}${sponsor.title ? ` (${sponsor.title})` : ''}` : null,
    renewalAmount: formatMoney(contract.totalMinor, contract.currency),
    products: [...new Set(deal.lineItems.map((li) => li.productName))],
  });
  return { risk, tasks };
}

/** The risk with the Contract record's id in place of its key, once the write created it. */
function citingContract(risk: RenewalRisk, key: string, contractId: string | undefined): RenewalRisk {
  if (!contractId) return risk;
  return {
    ...risk,
    factors: risk.factors.map((f) => ({
      ...f,
      evidence: f.evidence.map((e) =>
        e.source === `Contract ${key}` ? { ...e, source: `Contract ${contractId}` } : e,
      ),
    })),
  };
}

interface ScheduleRow {
  key: string;
  periodStart: string;
  amount: number;
}

/** The monthly revenue schedule as rows keyed by run and period. */
function scheduleRowsOf(runId: string, contract: ContractOutput): ScheduleRow[] {
  return monthlySchedule(contract.totalMinor, contract.startDate, contract.termMonths).map((p, i) => ({
    key: `${runId}:schedule:${String(i + 1).padStart(3, '0')}`,
    periodStart: p.periodStart,
    amount: fromMinor(p.amountMinor, contract.currency),
  }));
}

/** The contract's last day and the renewal opportunity's close date, `leadDays` before the end. */
function termDates(contract: ContractOutput, leadDays: number): { lastDay: string; renewalClose: string } {
  const end = serviceEnd(contract.startDate, contract.termMonths);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    lastDay: day(end.getTime() - 86_400_000),
    renewalClose: day(end.getTime() - leadDays * 86_400_000),
  };
}

/** The dates, keys and rows the write is made of, worked out before it. */
interface ClosurePlan {
  closeDate: string;
  contractKey: string;
  scheduleRows: ScheduleRow[];
  lastDay: string;
  renewalClose: string;
}

async function planClosure(
  ctx: StageContext,
  contract: ContractOutput,
  renewalLeadDays: number,
): Promise<ClosurePlan> {
  const { lastDay, renewalClose } = termDates(contract, renewalLeadDays);
  const signed = ctx.recall<{ completedAt?: string | null }>('signature_management', 'output');
  // The day the contract was signed, not the day this step ran: a replay must write the same date.
  const closeDate =
    signed?.completedAt?.slice(0, 10) ??
    (await ctx.memo('closeDate', async () => ctx.now().toISOString().slice(0, 10)));
  const contractKey = `${ctx.run.id}:contract`;
  const scheduleRows = scheduleRowsOf(ctx.run.id, contract);
  return { closeDate, contractKey, scheduleRows, lastDay, renewalClose };
}

/** Closed Won, the activated contract, the revenue schedule and the renewal opportunity, as one write. */
function closedWonWrite(
  runId: string,
  deal: DealContext,
  contract: ContractOutput,
  x: ClosurePlan,
): CrmWrite {
  const amount = fromMinor(contract.totalMinor, contract.currency);
  const accountName = deal.account?.name ?? deal.opportunity.name;
  return {
    kind: 'closedWon',
    opportunityId: deal.opportunity.id,
    accountId: deal.account!.id,
    amount,
    currency: contract.currency,
    closeDate: x.closeDate,
    contract: {
      key: x.contractKey,
      startDate: contract.startDate,
      termMonths: contract.termMonths,
      ownerExpirationNotice: '90',
      specialTerms: contract.specialTerms || 'None',
      description: contractDescription(contract, x.lastDay),
    },
    schedule: x.scheduleRows,
    renewal: {
      key: `${runId}:renewal`,
      // The year the term ends: the day after its last day.
      name: `${accountName} — Renewal ${serviceEnd(contract.startDate, contract.termMonths).toISOString().slice(0, 4)}`,
      closeDate: x.renewalClose,
      amount,
      stageName: 'Prospecting',
    },
  };
}

/** Where the records Salesforce holds differ from the signed contract, to the cent. */
function crossCheck(
  back: ClosedWonReadBack,
  contract: ContractOutput,
  lastDay: string,
  rows: number,
): string[] {
  const currency = contract.currency;
  const mismatches: string[] = [];
  if (!back.opportunity.isWon)
    mismatches.push(`opportunity stage is ${back.opportunity.stageName}, expected Closed Won`);
  if (
    back.opportunity.amount === null ||
    toMinor(back.opportunity.amount, currency) !== contract.totalMinor
  ) {
    mismatches.push(
      `opportunity amount ${back.opportunity.amount} differs from the contract value ${fromMinor(contract.totalMinor, currency)}`,
    );
  }
  if (!back.contract) mismatches.push('the contract record is missing');
  else {
    if (back.contract.status !== 'Activated') mismatches.push(`contract status is ${back.contract.status}`);
    if (back.contract.startDate !== contract.startDate)
      mismatches.push(`contract start ${back.contract.startDate} differs from ${contract.startDate}`);
    if (back.contract.endDate !== lastDay)
      mismatches.push(`contract end ${back.contract.endDate} differs from ${lastDay}`);
    if (back.opportunity.contractId !== back.contract.id)
      mismatches.push('the opportunity does not point at the contract');
  }
  const sumBack = back.schedule.reduce((s, r) => s + toMinor(r.amount, currency), 0);
  if (back.schedule.length !== rows)
    mismatches.push(`${back.schedule.length} schedule rows read back, ${rows} written`);
  if (sumBack !== contract.totalMinor)
    mismatches.push(
      `schedule sums to ${fromMinor(sumBack, currency)}, contract value is ${fromMinor(contract.totalMinor, currency)}`,
    );
  return mismatches;
}

export function createSystemIntegrationAgent(deps: SystemIntegrationDeps): Stage {
  return {
    key: 'system_integration',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      if (!deal.account) throw new Error("system integration needs the deal's account");
      const plan = await planClosure(ctx, contract, deps.renewalLeadDays);
      const { contractKey, scheduleRows, lastDay, renewalClose, closeDate } = plan;
      const planned = await renewalRiskAndPlan(ctx, deps, {
        deal,
        contract,
        closure,
        renewalClose,
        contractKey,
      });
      const back = await writeAndReadBack(ctx, deps, { deal, contract, plan, tasks: planned.tasks });
      const mismatches = crossCheck(back, contract, lastDay, scheduleRows.length);
      const risk = citingContract(planned.risk, contractKey, back.contract?.id);
      const facts = {
        renewalRisk: risk,
        contractKey,
        periods: scheduleRows.length,
        firstPeriod: scheduleRows[0],
        lastPeriod: scheduleRows.at(-1),
        renewalCloseDate: renewalClose,
        endDate: lastDay,
        closeDate,
        renewalPlan: planned.tasks.map((t) => ({ subject: t.subject, due: t.activityDate })),
        mismatches,
      };
      if (mismatches.length > 0) {
        const message = `Salesforce does not match the signed contract: ${mismatches.join('; ')}`;
        return failedOutcome(message, facts);
      }
      return {
        status: 'succeeded',
        reasoning: successReasoning(
          { contract, plan, tasks: planned.tasks, back, risk },
          deps.renewalLeadDays,
        ),
        confidence: 1,
        facts,
        message: `Closed Won; contract, schedule and renewal verified; renewal risk ${risk.score}`,
        closurePatch: {
          renewalRiskScore: risk.score,
          renewalRiskFactors: describeRisk(risk, deal.opportunity.name),
        },
        output: {
          contractId: back.contract?.id ?? null,
          endDate: lastDay,
          renewalCloseDate: renewalClose,
          periods: scheduleRows.length,
          // Handoff Coordination passes the factors on to Customer Success.
          renewalRisk: risk,
        },
      };
    },
  };
}

/** Closed Won and the renewal plan's Tasks written, and what Salesforce holds afterwards. */
async function writeAndReadBack(
  ctx: StageContext,
  deps: SystemIntegrationDeps,
  x: { deal: DealContext; contract: ContractOutput; plan: ClosurePlan; tasks: TaskWrite[] },
): Promise<ClosedWonReadBack> {
  const { deal, plan } = x;
  const writes: CrmWrite[] = [
    closedWonWrite(ctx.run.id, deal, x.contract, plan),
    { kind: 'tasks', tasks: x.tasks },
  ];
  // The write and its read-back are one unit: a retry rewrites (idempotently) and checks again.
  const written = await ctx.commit({
    writes,
    message: 'Writing Closed Won, contract and revenue schedule',
    status: 'Running',
  });
  // The adapter reads the records back within the write; a CRM that cannot costs one more call.
  return (
    written.closedWon ??
    (await deps.crm.readClosedWon(
      deal.opportunity.id,
      plan.contractKey,
      plan.scheduleRows.map((r) => r.key),
    ))
  );
}

/** The succeeded step's reasoning: what was written, what the read-back confirmed, and the risk. */
function successReasoning(
  x: {
    contract: ContractOutput;
    plan: ClosurePlan;
    tasks: TaskWrite[];
    back: ClosedWonReadBack;
    risk: RenewalRisk;
  },
  renewalLeadDays: number,
): string {
  const { contract, plan, tasks, back, risk } = x;
  const { contractKey, scheduleRows, lastDay, renewalClose } = plan;
  return `Closed Won at ${formatMoney(contract.totalMinor, contract.currency)}; contract activated ${contract.startDate} to ${lastDay}; ${scheduleRows.length} monthly revenue entries summing exactly to the contract value; renewal opportunity due ${renewalClose} (${renewalLeadDays} days before the end); renewal plan: ${tasks.map((t) => `${t.subject.split(':')[0]} ${t.activityDate}`).join(', ')}. Read back: Closed Won, contract ${back.contract?.id ?? contractKey} and ${back.schedule.length} schedule rows match to the cent. Renewal risk ${risk.score}/100 (${risk.level})${risk.factors.length > 0 ? `: ${risk.factors.map((f) => `${f.factor.replace(/_/g, ' ')} +${f.points}`).join(', ')}` : ''}.`;
}

/**
 * The Contract record's description: the agreement actually generated (its template and version)
 * and its renewal as its own renewal clause says it, not a sentence that fits every contract.
 */
export function contractDescription(contract: ContractOutput, lastDay: string): string {
  const renewal = contract.snapshot?.clauses.find((c) => c.id === 'auto-renewal');
  return [
    `${contract.templateTitle ?? contract.template} v${contract.version} (${contract.template}), SHA-256 ${contract.contentHash}.`,
    `Term ends ${lastDay}.`,
    renewal
      ? `Renewal (clause ${renewal.id} v${renewal.version}): ${renewal.text}`
      : 'No automatic renewal clause.',
  ].join(' ');
}

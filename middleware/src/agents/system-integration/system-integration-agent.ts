/**
 * System Integration Agent: in one all-or-none write, the opportunity becomes Closed Won, the
 * contract is created and activated, the revenue schedule, the renewal opportunity and its
 * renewal-plan Tasks are written, and the records are read back in the same call and compared
 * with the contract, to the cent. A mismatch fails the step.
 */
import type { CrmPort, CrmWrite } from '../../ports/crm.ts';
import { renewalPlanTasks } from './renewal-plan.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import { renewalRisk } from './renewal-risk.ts';
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

export function createSystemIntegrationAgent(deps: SystemIntegrationDeps): Stage {
  return {
    key: 'system_integration',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      if (!deal.account) throw new Error("system integration needs the deal's account");
      const currency = contract.currency;
      const schedule = monthlySchedule(contract.totalMinor, contract.startDate, contract.termMonths);
      const end = serviceEnd(contract.startDate, contract.termMonths);
      const lastDay = new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10);
      const renewalClose = new Date(end.getTime() - deps.renewalLeadDays * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const envelope = ctx.recall<{ sentAt?: string }>('signature_management', 'envelope');
      const signed = ctx.recall<{ completedAt?: string | null }>('signature_management', 'output');
      // The day the contract was signed, not the day this step ran: a replay must write the same date.
      const closeDate =
        signed?.completedAt?.slice(0, 10) ??
        (await ctx.memo('closeDate', async () => ctx.now().toISOString().slice(0, 10)));
      const contractKey = `${ctx.run.id}:contract`;
      const scheduleRows = schedule.map((p, i) => ({
        key: `${ctx.run.id}:schedule:${String(i + 1).padStart(3, '0')}`,
        periodStart: p.periodStart,
        amount: fromMinor(p.amountMinor, currency),
      }));
      const signatureMs =
        envelope?.sentAt && signed?.completedAt
          ? new Date(signed.completedAt).getTime() - new Date(envelope.sentAt).getTime()
          : null;
      const risk = renewalRisk({
        deal,
        signals: closure?.assessment.signals ?? [],
        customTerms: contract.specialTerms.length > 0,
        signatureMs,
        peerSignatureMedianMs: await ctx.memo('peerSignatureMedianMs', () =>
          peerSignatureMedian(deps.store, ctx.run.id),
        ),
      });
      const tasks = renewalPlanTasks({
        runId: ctx.run.id,
        opportunityId: deal.opportunity.id,
        ownerId: deal.opportunity.ownerId,
        accountName: deal.account.name,
        startDate: contract.startDate,
        renewalCloseDate: renewalClose,
        risk,
        primaryContactId: deal.contactRoles.find((r) => r.isPrimary)?.contactId ?? null,
      });
      const writes: CrmWrite[] = [
        {
          kind: 'closedWon' as const,
          opportunityId: deal.opportunity.id,
          accountId: deal.account.id,
          amount: fromMinor(contract.totalMinor, currency),
          currency,
          closeDate,
          contract: {
            key: contractKey,
            startDate: contract.startDate,
            termMonths: contract.termMonths,
            ownerExpirationNotice: '90',
            specialTerms: contract.specialTerms || 'None',
            description: contractDescription(contract, lastDay),
          },
          schedule: scheduleRows,
          renewal: {
            key: `${ctx.run.id}:renewal`,
            name: `${deal.account.name} — Renewal ${end.toISOString().slice(0, 4)}`,
            closeDate: renewalClose,
            amount: fromMinor(contract.totalMinor, currency),
            stageName: 'Prospecting',
          },
        },
        { kind: 'tasks', tasks },
      ];
      // The write and its read-back are one unit: a retry rewrites (idempotently) and checks again.
      const written = await ctx.commit({
        writes,
        message: 'Writing Closed Won, contract and revenue schedule',
        status: 'Running',
      });
      // The adapter reads the records back within the write; a CRM that cannot costs one more call.
      const back =
        written.closedWon ??
        (await deps.crm.readClosedWon(
          deal.opportunity.id,
          contractKey,
          scheduleRows.map((r) => r.key),
        ));
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
        if (back.contract.status !== 'Activated')
          mismatches.push(`contract status is ${back.contract.status}`);
        if (back.contract.startDate !== contract.startDate)
          mismatches.push(`contract start ${back.contract.startDate} differs from ${contract.startDate}`);
        if (back.contract.endDate !== lastDay)
          mismatches.push(`contract end ${back.contract.endDate} differs from ${lastDay}`);
        if (back.opportunity.contractId !== back.contract.id)
          mismatches.push('the opportunity does not point at the contract');
      }
      const sumBack = back.schedule.reduce((s, r) => s + toMinor(r.amount, currency), 0);
      if (back.schedule.length !== scheduleRows.length)
        mismatches.push(`${back.schedule.length} schedule rows read back, ${scheduleRows.length} written`);
      if (sumBack !== contract.totalMinor)
        mismatches.push(
          `schedule sums to ${fromMinor(sumBack, currency)}, contract value is ${fromMinor(contract.totalMinor, currency)}`,
        );
      const facts = {
        renewalRisk: risk,
        contractKey,
        periods: scheduleRows.length,
        firstPeriod: scheduleRows[0],
        lastPeriod: scheduleRows.at(-1),
        renewalCloseDate: renewalClose,
        endDate: lastDay,
        closeDate,
        renewalPlan: tasks.map((t) => ({ subject: t.subject, due: t.activityDate })),
        mismatches,
      };
      if (mismatches.length > 0) {
        const message = `Salesforce does not match the signed contract: ${mismatches.join('; ')}`;
        return failedOutcome(message, facts);
      }
      return {
        status: 'succeeded',
        reasoning: `Closed Won at ${formatMoney(contract.totalMinor, currency)}; contract activated ${contract.startDate} to ${lastDay}; ${scheduleRows.length} monthly revenue entries summing exactly to the contract value; renewal opportunity due ${renewalClose} (${deps.renewalLeadDays} days before the end); renewal plan: ${tasks.map((t) => `${t.subject.split(':')[0]} ${t.activityDate}`).join(', ')}. Read back and verified: 100% match. Renewal risk ${risk.score}/100 (${risk.level})${risk.factors.length > 0 ? `: ${risk.factors.map((f) => `${f.factor.replace(/_/g, ' ')} +${f.points}`).join(', ')}` : ''}.`,
        confidence: 1,
        facts,
        message: `Closed Won; contract, schedule and renewal verified; renewal risk ${risk.score}`,
        closurePatch: {
          renewalRiskScore: risk.score,
          renewalRiskFactors:
            risk.factors.map((f) => `+${f.points} ${f.factor.replace(/_/g, ' ')}: ${f.reason}`).join('\n') ||
            'No risk factor found.',
        },
        output: {
          contractId: back.contract?.id ?? null,
          endDate: lastDay,
          renewalCloseDate: renewalClose,
          periods: scheduleRows.length,
        },
      };
    },
  };
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

/**
 * Learning & Optimization Agent (first version): the deal's cycle time per phase, compared with
 * the runs completed before it, one win insight, and a celebration post worded from the facts.
 */
import type { CrmPort } from '../../ports/crm.ts';
import type { RunStore } from '../../ports/store.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';

export interface LearningDeps {
  store: RunStore;
  crm: CrmPort;
}

function hours(ms: number): number {
  return Math.round((ms / 3_600_000) * 100) / 100;
}

/** A duration as a person reads it: 840 ms, 12.5 s, 7.2 min, 5.1 h, 3.4 days. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6000) / 10} min`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 360_000) / 10} h`;
  return `${Math.round(ms / 8_640_000) / 10} days`;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function createLearningAgent(deps: LearningDeps): Stage {
  return {
    key: 'learning_optimization',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract } = earlierResults(ctx);
      // Measured once: a replayed completion must write the same figures, not re-time the replay.
      const { phases, totalMs, history } = await ctx.memo('figures', async () => {
        const steps = await deps.store.steps(ctx.run.id);
        const previous = (await deps.store.completedRuns(200)).filter(
          (r) => r.id !== ctx.run.id && r.completedAt,
        );
        return {
          phases: steps
            .filter((s) => s.finishedAt)
            .map((s) => ({
              stage: s.stage,
              ms: new Date(s.finishedAt!).getTime() - new Date(s.startedAt).getTime(),
            })),
          totalMs: ctx.now().getTime() - new Date(ctx.run.createdAt).getTime(),
          history: previous.map((r) => new Date(r.completedAt!).getTime() - new Date(r.createdAt).getTime()),
        };
      });
      const med = median(history);
      const slowest = [...phases].sort((a, b) => b.ms - a.ms)[0];
      const comparison =
        med === null
          ? 'the first closure on record, so it sets the baseline'
          : `${totalMs <= med ? 'faster' : 'slower'} than the median of ${history.length} earlier closure(s) (${humanDuration(med)})`;
      const insight = `Verbal yes to signed and synced in ${humanDuration(totalMs)}, ${comparison}. Longest phase: ${slowest ? `${slowest.stage.replace(/_/g, ' ')} (${humanDuration(slowest.ms)})` : 'n/a'}.`;
      const amount = formatMoney(contract.totalMinor, contract.currency);
      const post = `Closed Won: ${deal.account?.name ?? deal.opportunity.name} signed ${deal.opportunity.name} for ${amount} over ${contract.termMonths} months. ${humanDuration(totalMs)} from verbal yes to a signed, synced contract. Congratulations ${deal.opportunity.ownerName ?? 'team'}!`;
      const insightKey = `${ctx.run.id}:insight:velocity`;
      // The post and the insight commit together; after a crash, an existing insight means the post exists too.
      const alreadyPosted =
        ctx.attempt > 1 && (await deps.crm.existingKeys('insight', [insightKey])).has(insightKey);
      return {
        status: 'succeeded',
        reasoning: `${insight} Phases: ${phases.map((p) => `${p.stage.replace(/_/g, ' ')} ${humanDuration(p.ms)}`).join(', ')}.`,
        confidence: null,
        facts: { totalMs, phases, historyCount: history.length, historyMedianMs: med },
        message: `Insight recorded; celebration posted`,
        writes: [
          {
            kind: 'insight',
            key: insightKey,
            category: 'Velocity',
            insight,
            metric: 'cycle_time_hours',
            value: hours(totalMs),
          },
          ...(alreadyPosted
            ? []
            : [
                {
                  kind: 'feedPost' as const,
                  parentId: deal.opportunity.id,
                  body: post,
                  guardKey: insightKey,
                },
              ]),
        ],
        output: { totalMs, phases },
      };
    },
  };
}

/**
 * Learning & Optimization Agent: the deal's cycle time per phase (verbal yes → contract →
 * approvals, per approver → signature, per recipient → synced), compared with the organisation's
 * history; a Win_Insight__c for each thing that stood out (the total against peers, the fastest
 * and slowest phase, the discount against peers, the clauses that sent it to legal review); and
 * a celebration post on the opportunity worded from the deal's facts, also sent to the team
 * channel through the notifier.
 */
import type { CrmPort, CrmWrite } from '../../ports/crm.ts';
import type { Notifier } from '../../ports/notify.ts';
import type { RunStore } from '../../ports/store.ts';
import { earlierResults, type EarlierResults } from '../shared/earlier-results.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import {
  dealCycle,
  median,
  orgHistory,
  PHASE_LABEL,
  PHASES,
  type DealCycle,
  type LearningFigures,
  type Phase,
} from './cycle-times.ts';
import { humanDuration } from './learning-wording.ts';
import { competitiveInsights } from './competitive.ts';
import { playbookSuggestions, type SuggestionWrite } from './playbook-rules.ts';
import { applyLearningDraft, draftLearning, learningDigest, type LearningDraft } from './learning-draft.ts';
import type { LlmPort } from '../../ports/llm.ts';

export interface LearningDeps {
  store: RunStore;
  crm: CrmPort;
  /** The team channel (Slack when configured); delivery is best-effort. */
  notifier?: Notifier;
  /** The language model that words the insights and suggestions; the agent's own words without one. */
  llm?: LlmPort;
}

function hours(ms: number): number {
  return Math.round((ms / 3_600_000) * 10_000) / 10_000;
}

export { humanDuration };

/** Peers: deals of the same industry when there are at least three, otherwise every earlier deal. */
function peersOf(cycle: DealCycle, history: DealCycle[]): { peers: DealCycle[]; label: string } {
  const sameIndustry = history.filter((c) => c.industry && c.industry === cycle.industry);
  return sameIndustry.length >= 3
    ? { peers: sameIndustry, label: `${sameIndustry.length} earlier ${cycle.industry} deals` }
    : { peers: history, label: `${history.length} earlier deal${history.length === 1 ? '' : 's'}` };
}

export type { LearningFigures };

type InsightWrite = Extract<CrmWrite, { kind: 'insight' }>;

/** The figures every insight is worded from, and how this closure's keys are made. */
interface InsightContext {
  cycle: DealCycle;
  history: DealCycle[];
  /** The deals this one is compared with, and how to name them. */
  peers: DealCycle[];
  label: string;
  key: (name: string) => string;
}

/** The insights worth recording for this deal, each from its own figures. */
export function insightsFor(runId: string, { cycle, history }: LearningFigures): InsightWrite[] {
  const key = (name: string) => `${runId}:insight:${name}`;
  const ctx: InsightContext = { cycle, history, ...peersOf(cycle, history), key };
  return [
    velocityInsight(ctx),
    ...phaseInsights(ctx),
    pricingInsight(ctx),
    ...(cycle.legalReview ? [legalReviewInsight(ctx)] : []),
    ...competitiveInsights(runId, { cycle, history }),
  ];
}

function velocityInsight({ cycle, peers, label, key }: InsightContext): InsightWrite {
  const total = cycle.totalMs ?? 0;
  const peerTotal = median(peers.flatMap((c) => (c.totalMs === null ? [] : [c.totalMs])));
  return {
    kind: 'insight',
    key: key('velocity'),
    category: 'Velocity',
    insight: `Verbal yes to signed and synced in ${humanDuration(total)}, ${
      peerTotal === null
        ? 'the first closure on record, so it sets the baseline'
        : `${total <= peerTotal ? 'faster' : 'slower'} than the median of ${label} (${humanDuration(peerTotal)})`
    }.`,
    metric: 'cycle_time_hours',
    value: hours(total),
  };
}

interface PhaseTime {
  phase: Phase;
  ms: number;
  median: number | null;
  ratio: number | null;
}

/** Fastest and slowest phase, against the same phase's median in history when there is one. */
function phaseInsights({ cycle, peers, label, key }: InsightContext): InsightWrite[] {
  const phases: PhaseTime[] = PHASES.filter((p) => cycle.phases[p] !== undefined).map((p) => {
    const own = cycle.phases[p]!;
    const med = median(peers.flatMap((c) => (c.phases[p] === undefined ? [] : [c.phases[p]!])));
    return { phase: p, ms: own, median: med, ratio: med && med > 0 ? own / med : null };
  });
  if (phases.length === 0) return [];
  const out: InsightWrite[] = [];
  const compared = phases.every((p) => p.ratio !== null);
  const sorted = [...phases].sort((a, b) => (compared ? a.ratio! - b.ratio! : a.ms - b.ms));
  const slowest = sorted.at(-1)!;
  const fastest = sorted[0]!;
  out.push({
    kind: 'insight',
    key: key('phase-slowest'),
    category: 'Process',
    insight: `Slowest phase${compared ? ' relative to history' : ''}: ${describePhase(cycle, slowest, label)}.`,
    metric: `${slowest.phase}_hours`,
    value: hours(slowest.ms),
  });
  if (fastest.phase !== slowest.phase)
    out.push({
      kind: 'insight',
      key: key('phase-fastest'),
      category: 'Velocity',
      insight: `Fastest phase${compared ? ' relative to history' : ''}: ${describePhase(cycle, fastest, label)}.`,
      metric: `${fastest.phase}_hours`,
      value: hours(fastest.ms),
    });
  return out;
}

function describePhase(cycle: DealCycle, p: PhaseTime, label: string): string {
  return `${PHASE_LABEL[p.phase]} took ${humanDuration(p.ms)}${
    p.median === null ? '' : ` against a median of ${humanDuration(p.median)} (${label})`
  }${p.phase === 'approvals' && cycle.approvers.length > 0 ? `: ${cycle.approvers.map((a) => `${a.role.replace('_', ' ')} ${a.approverName} ${humanDuration(a.responseMs)}`).join(', ')}` : ''}${p.phase === 'signature' && cycle.recipients.length > 0 ? `: ${cycle.recipients.map((r) => `${r.name} ${humanDuration(r.ms)}`).join(', ')}` : ''}`;
}

function pricingInsight({ cycle, peers, label, key }: InsightContext): InsightWrite {
  const peerDiscount = median(peers.map((c) => c.discountPercent));
  return {
    kind: 'insight',
    key: key('pricing'),
    category: 'Pricing',
    insight:
      peerDiscount === null
        ? `Closed at a ${cycle.discountPercent}% discount off list; the first deal on record to compare with.`
        : `Closed at a ${cycle.discountPercent}% discount off list, ${
            cycle.discountPercent === peerDiscount
              ? 'the same as'
              : `${Math.abs(Math.round((cycle.discountPercent - peerDiscount) * 100) / 100)} points ${cycle.discountPercent > peerDiscount ? 'deeper than' : 'shallower than'}`
          } the median of ${label} (${peerDiscount}%).`,
    metric: 'discount_percent',
    value: cycle.discountPercent,
  };
}

function legalReviewInsight({ cycle, history, key }: InsightContext): InsightWrite {
  const reviewed = history.filter((c) => c.legalReview);
  const seen = (clause: string) => reviewed.filter((c) => c.reviewClauses.includes(clause)).length;
  return {
    kind: 'insight',
    key: key('legal-review'),
    category: 'Process',
    insight:
      cycle.reviewClauses.length > 0
        ? `Legal review was triggered with the conditional clauses ${cycle.reviewClauses.join(', ')}${
            reviewed.length > 0
              ? `; in ${reviewed.length} earlier reviewed deal(s) they appeared ${cycle.reviewClauses.map((c) => `${c} ${seen(c)}×`).join(', ')}`
              : ''
          }.`
        : 'Legal review was required although every clause was standard: the deal terms, not the clauses, triggered it.',
    metric: 'review_clauses',
    value: cycle.reviewClauses.length,
  };
}

interface HandoffOutput {
  packages?: { team: string; owner?: { name: string } }[];
}

/** The celebration, worded from the deal's facts only. */
export function celebration(
  cycle: DealCycle,
  facts: { accountName: string; opportunityName: string; termMonths: number; owner: string | null },
  handoff: HandoffOutput | undefined,
): string {
  const signers = cycle.recipients.map((r) => r.name);
  const approvers = cycle.approvers.filter((a) => a.decision === 'Approved');
  const owners = (handoff?.packages ?? [])
    .filter((p) => p.owner)
    .map((p) => `${p.owner!.name} (${p.team.replace('_', ' ')})`);
  return [
    `Closed Won: ${facts.accountName} signed ${facts.opportunityName} — ${formatMoney(cycle.amountMinor, cycle.currency)} over ${facts.termMonths} months.`,
    signers.length > 0 ? `Signed by ${signers.join(' and ')}.` : '',
    approvers.length > 0
      ? `Approved by ${approvers.map((a) => `${a.approverName} (${a.role.replace('_', ' ')})`).join(', ')}.`
      : '',
    cycle.totalMs !== null
      ? `${humanDuration(cycle.totalMs)} from verbal yes to a signed contract in Salesforce.`
      : '',
    owners.length > 0 ? `Handed off to ${owners.join(', ')}.` : '',
    `Congratulations ${facts.owner ?? 'team'}!`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The celebration to the team channel, best-effort: the post on the opportunity is the record. */
async function announce(
  deps: LearningDeps,
  ctx: StageContext,
  deal: EarlierResults['deal'],
  post: string,
): Promise<undefined> {
  try {
    await deps.notifier?.notify({
      audience: 'channel',
      recordId: deal.opportunity.id,
      subject: `Closed Won: ${deal.account?.name ?? deal.opportunity.name}`,
      body: post,
      key: `${ctx.run.id}:celebration`,
      kind: 'celebration',
    });
  } catch (err) {
    ctx.logger.warn({ err }, 'the celebration could not be sent to the channel');
  }
  return undefined;
}

/** The step's reasoning: every insight, the phases, and each playbook suggestion proposed. */
function reasoningOf(cycle: DealCycle, insights: InsightWrite[], suggestions: SuggestionWrite[]): string {
  const phases = PHASES.filter((p: Phase) => cycle.phases[p] !== undefined)
    .map((p) => `${PHASE_LABEL[p]} ${humanDuration(cycle.phases[p]!)}`)
    .join(', ');
  return `${insights.map((i) => i.insight).join(' ')} Phases: ${phases}.${suggestions
    .map((s) => ` Playbook suggestion: ${s.suggestion}`)
    .join('')}`;
}

interface Worded {
  /** What the records get. */
  writes: { insights: InsightWrite[]; suggestions: SuggestionWrite[] };
  /** The words alone, for the step's reasoning. */
  said: { insights: InsightWrite[]; suggestions: SuggestionWrite[] };
  /** Who wrote what, for the step's facts; nothing without a model. */
  facts: { writtenBy?: Omit<LearningDraft, 'texts'> & { texts: { key: string; writtenBy: string }[] } };
}

/**
 * The insights and suggestions as the records get them: the agent's own words without a model
 * (returned as they are, at no cost); with one, the model's verified draft, memoised by the texts
 * it drafts from, so a replayed completion keeps its words and asks the model nothing.
 */
async function worded(
  llm: LlmPort | undefined,
  ctx: StageContext,
  deal: EarlierResults['deal'],
  insights: InsightWrite[],
  suggestions: SuggestionWrite[],
): Promise<Worded> {
  if (!llm?.model) return { writes: { insights, suggestions }, said: { insights, suggestions }, facts: {} };
  const names = { account: deal.account?.name ?? deal.opportunity.name, opportunity: deal.opportunity.name };
  const d = await ctx.memo(`drafts:${learningDigest([...insights, ...suggestions])}`, () =>
    draftLearning(llm, insights, suggestions, names, ctx.logger),
  );
  const text = (key: string) => d.texts.find((t) => t.key === key)!.text;
  return {
    writes: applyLearningDraft(d, insights, suggestions),
    said: {
      insights: insights.map((w) => ({ ...w, insight: text(w.key) })),
      suggestions: suggestions.map((w) => ({ ...w, suggestion: text(w.key) })),
    },
    facts: { writtenBy: { ...d, texts: d.texts.map(({ key, writtenBy }) => ({ key, writtenBy })) } },
  };
}

export function createLearningAgent(deps: LearningDeps): Stage {
  return {
    key: 'learning_optimization',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract } = earlierResults(ctx);
      // Measured once: a replayed completion must write the same figures, not re-time the replay.
      // The cycle and the history are memoised apart: later runs read every past run's cycle, and
      // a cycle stored beside its own history made that read grow with the square of the runs.
      const cycle = await ctx.memo('cycle', async (): Promise<DealCycle> => {
        const measured = dealCycle(ctx.run, await deps.store.steps(ctx.run.id));
        if (!measured)
          throw new Error('learning needs the synced deal: System Integration has not succeeded');
        return measured;
      });
      const history = await ctx.memo('history', async () =>
        (await orgHistory(deps.store)).filter((c) => c.runId !== ctx.run.id),
      );
      const figures: LearningFigures = { cycle, history };
      const written = await worded(
        deps.llm,
        ctx,
        deal,
        insightsFor(ctx.run.id, figures),
        // Pure over the figures already read: no extra query per closure.
        playbookSuggestions(ctx.run.id, figures),
      );
      const { insights, suggestions } = written.writes;
      const velocityKey = `${ctx.run.id}:insight:velocity`;
      // The post and the insights commit together; after a crash, an existing insight means the post exists too.
      const alreadyPosted =
        ctx.attempt > 1 && (await deps.crm.existingKeys('insight', [velocityKey])).has(velocityKey);
      const post = celebration(
        figures.cycle,
        {
          accountName: deal.account?.name ?? deal.opportunity.name,
          opportunityName: deal.opportunity.name,
          termMonths: contract.termMonths,
          owner: deal.opportunity.ownerName,
        },
        ctx.recall<HandoffOutput>('handoff_coordination', 'output'),
      );
      return {
        status: 'succeeded',
        reasoning: reasoningOf(cycle, written.said.insights, written.said.suggestions),
        confidence: null,
        facts: { cycle, historyDeals: figures.history.length, ...written.facts },
        message: [
          `${insights.length} insights recorded`,
          ...(suggestions.length > 0 ? [`${suggestions.length} playbook suggestion(s) proposed`] : []),
          ...(alreadyPosted ? [] : ['celebration posted']),
        ].join('; '),
        writes: [
          ...insights,
          ...suggestions,
          ...(alreadyPosted
            ? []
            : [
                {
                  kind: 'feedPost' as const,
                  parentId: deal.opportunity.id,
                  body: post,
                  guardKey: velocityKey,
                },
              ]),
        ],
        output: {
          totalMs: cycle.totalMs,
          phases: cycle.phases,
          insights: insights.length,
          suggestions: suggestions.map((s) => s.key),
        },
        // Announce only once the post is in Salesforce, and never again on a replay.
        afterCommit: alreadyPosted ? undefined : () => announce(deps, ctx, deal, post),
      };
    },
  };
}

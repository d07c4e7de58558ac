/**
 * Handoff Coordination Agent: a package for each receiving team (Customer Success, Finance,
 * Support, Implementation), synthesised from the deal's records and the language module's reading
 * of its words (handoff-facts.ts); every fact carries the record it came from, and every quote its
 * span. Each package counts the required facts of its team's checklist
 * (config/handoff-checklists.json) found, and names each missing one and who can supply it; its
 * text is written from its facts: by the configured model, each sentence verified against the facts
 * it cites, or by templates (handoff-draft.ts), the package recording which.
 */
import { z } from 'zod';
import { SECTIONS, TEAMS, type Section, type Team } from './teams.ts';
import type { CrmPort, CrmWrite, DealContext, TaskWrite } from '../../ports/crm.ts';
import type { RunStore } from '../../ports/store.ts';
import type { LlmPort } from '../../ports/llm.ts';
import { chooseOwners, unknownOwners, type HandoffOwners } from './handoff-owners.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import type { RenewalRisk } from '../system-integration/renewal-risk.ts';
import { collectFacts } from './handoff-facts.ts';
import { missingList, teamLabel, type NarrativeInput } from './handoff-narrative.ts';
import { draftNarrative, type HandoffNarrative } from './handoff-draft.ts';

export { SECTIONS, TEAMS, type Section, type Team } from './teams.ts';
export type { Fact } from './handoff-facts.ts';

export const HandoffChecklistsSchema = z.object({
  teams: z.record(
    z.enum(TEAMS),
    z
      .object({ sections: z.array(z.enum(SECTIONS)).min(1), required: z.array(z.enum(SECTIONS)) })
      .refine(
        (t) => t.required.every((r) => t.sections.includes(r)),
        "every required item must be one of the team's sections",
      ),
  ),
  suppliers: z.record(z.enum(SECTIONS), z.string()),
});
export type HandoffChecklists = z.infer<typeof HandoffChecklistsSchema>;

export interface HandoffAgentDeps {
  checklists: HandoffChecklists;
  owners: HandoffOwners;
  crm: Pick<CrmPort, 'findUsers'>;
  /** Earlier closures, for the round-robin turn. */
  store?: Pick<RunStore, 'countCompletedThrough'>;
  /** The language model that drafts each package's text; templates write it without one. */
  llm?: LlmPort;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Who should supply a missing item: the checklist's hint, with the rep's name when the rep is meant. */
function supplierOf(checklists: HandoffChecklists, section: Section, deal: DealContext): string {
  const hint = checklists.suppliers[section] ?? 'the rep';
  const rep = deal.opportunity.ownerName;
  return rep ? hint.replace(/^the rep\b/, `${rep} (the rep)`) : hint;
}

interface PackageSummary {
  team: Team;
  completeness: number;
  missing: Section[];
  owner: { name: string; username: string; rule: string; reason: string };
}

interface PackageInput {
  team: Team;
  checklists: HandoffChecklists;
  deal: DealContext;
  facts: ReturnType<typeof collectFacts>;
  owner: { id: string; name: string; username: string; rule: string; reason: string };
  runId: string;
  startDate: string;
  kickoffDue: string;
}

/** What a package's text is written from: its team's sections, facts, owner and what is missing. */
function narrativeInput(x: PackageInput): NarrativeInput {
  const checklist = x.checklists.teams[x.team]!;
  const { deal, facts, team } = x;
  const missing = checklist.required.filter((s) => facts[s].length === 0);
  const { id: _id, ...owner } = x.owner;
  return {
    team,
    account: deal.account?.name ?? deal.opportunity.name,
    owner,
    sections: checklist.sections,
    facts,
    required: checklist.required,
    missing: missing.map((m) => ({ item: m, supplier: supplierOf(x.checklists, m, deal) })),
  };
}

/** One team's package: its facts by section, what is missing and from whom, its text and kickoff Task. */
function buildPackage(
  x: PackageInput,
  narrative: HandoffNarrative,
): { summary: PackageSummary; write: CrmWrite; task: TaskWrite } {
  const checklist = x.checklists.teams[x.team]!;
  const { deal, facts, team } = x;
  const { account, missing: missingItems } = narrativeInput(x);
  const missing = missingItems.map((m) => m.item);
  const completeness =
    checklist.required.length === 0
      ? 1
      : (checklist.required.length - missing.length) / checklist.required.length;
  const { id: ownerId, ...ownerFact } = x.owner;
  const { summary, ...writer } = narrative;
  const write: CrmWrite = {
    kind: 'handoff',
    key: `${x.runId}:handoff:${team}`,
    team,
    summary,
    context: JSON.stringify({
      team,
      account: deal.account?.name ?? null,
      opportunityId: deal.opportunity.id,
      owner: { ...ownerFact, userId: ownerId },
      sections: Object.fromEntries(checklist.sections.map((s) => [s, facts[s]])),
      // The checklist's count: each required item found (with how many facts back it) or missing.
      found: checklist.required
        .filter((s) => facts[s].length > 0)
        .map((s) => ({ item: s, facts: facts[s].length })),
      missing: missingItems,
      // Who wrote the summary (a model's name or the offline templates), and what it dropped.
      narrative: writer,
    }),
    completeness,
    status: missing.length === 0 ? 'Ready' : 'Incomplete',
    ownerId,
  };
  const task: TaskWrite = {
    key: `${x.runId}:task:kickoff:${team}`,
    subject: `${teamLabel(team)} kickoff: ${account}`,
    description: `${summary}\nService starts ${x.startDate}; kick off by ${x.kickoffDue}.`,
    activityDate: x.kickoffDue,
    ownerId,
    whatId: deal.opportunity.id,
    whoId: null,
    priority: missing.length > 0 ? 'High' : 'Normal',
  };
  return { summary: { team, completeness, missing, owner: ownerFact }, write, task };
}

/**
 * Each package's text. A model's drafts are memoised together (one memo write, so concurrent
 * writes cannot race), so a replayed stage keeps the text it stored; the templates are
 * deterministic and cost no memo.
 */
async function writeNarratives(
  llm: LlmPort | undefined,
  inputs: PackageInput[],
  ctx: StageContext,
): Promise<HandoffNarrative[]> {
  const write = () =>
    Promise.all(inputs.map((x) => draftNarrative(llm, narrativeInput(x), x.owner.id, ctx.logger)));
  return llm?.model ? ctx.memo('narratives', write) : write();
}

/** Who wrote each package's text and what the check dropped, for the step's facts. */
const writers = (inputs: PackageInput[], narratives: HandoffNarrative[]) =>
  narratives.map(({ summary: _s, sentences: _t, ...n }, i) => ({ team: inputs[i]!.team, ...n }));

/** The model's part in the texts, for the step's reasoning; nothing when the templates wrote them all. */
function draftedBy(narratives: HandoffNarrative[]): string {
  const drafted = narratives.filter((n) => n.sentences);
  const fellBack = narratives.filter((n) => n.fallbackReason);
  const parts = [
    ...(drafted.length > 0
      ? [
          `${drafted.length} package text(s) drafted by ${drafted[0]!.writtenBy}, ${drafted.reduce((s, n) => s + n.sentences!.length, 0)} sentence(s) verified against their facts, ${drafted.reduce((s, n) => s + n.dropped, 0)} dropped as unverifiable`,
        ]
      : []),
    ...(fellBack.length > 0
      ? [`${fellBack.length} written by the offline templates (${fellBack[0]!.fallbackReason})`]
      : []),
  ];
  return parts.length > 0 ? ` ${parts.join('; ')}.` : '';
}

export function createHandoffAgent(deps: HandoffAgentDeps): Stage {
  return {
    key: 'handoff_coordination',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      const synced = ctx.recall<{ contractId?: string | null; renewalRisk?: RenewalRisk }>(
        'system_integration',
        'output',
      );
      const facts = collectFacts({
        deal,
        contract,
        closure,
        contractSource: synced?.contractId
          ? `Contract ${synced.contractId}`
          : `Opportunity ${deal.opportunity.id}`,
        closureRecordId: ctx.run.dealClosureId,
        ...(synced?.renewalRisk ? { renewalRisk: synced.renewalRisk } : {}),
      });
      // The round-robin turn is the number of earlier deals handed off; fixed once, so a replay keeps the owners.
      const turn = await ctx.memo(
        'turn',
        async () =>
          (await deps.store?.countCompletedThrough('handoff_coordination', ctx.run.createdAt, ctx.run.id)) ??
          0,
      );
      const choices = chooseOwners(deps.owners, deal, turn);
      const users = await ctx.memo('owners', () =>
        deps.crm.findUsers([...new Set(choices.map((c) => c.username))]),
      );
      const unknown = unknownOwners(choices, users);
      if (unknown.length > 0)
        return failedOutcome(
          `Handoff owner rules (config/handoff-owners.json) name users Salesforce cannot assign: ${unknown.join('; ')}. Fix the rules or the users, then retry.`,
          { choices },
        );
      const from = await ctx.memo('kickoffFrom', async () => ctx.now().getTime());
      // Kickoff within two weeks, and before service starts when there is time for it.
      const start = Date.parse(`${contract.startDate}T00:00:00Z`);
      const kickoffDue = isoDay(Math.max(from + 3 * DAY, Math.min(start - DAY, from + 14 * DAY)));
      const inputs = TEAMS.filter((team) => deps.checklists.teams[team]).map((team): PackageInput => {
        const choice = choices.find((c) => c.team === team)!;
        const user = users.find((u) => u.username.toLowerCase() === choice.username.toLowerCase())!;
        const { rule, reason } = choice;
        return {
          team,
          checklists: deps.checklists,
          deal,
          facts,
          owner: { id: user.id, name: user.name, username: user.username, rule, reason },
          runId: ctx.run.id,
          startDate: contract.startDate,
          kickoffDue,
        };
      });
      const narratives = await writeNarratives(deps.llm, inputs, ctx);
      const built = inputs.map((x, i) => buildPackage(x, narratives[i]!));
      const summaries = built.map((b) => b.summary);
      const overall = summaries.reduce((s, x) => s + x.completeness, 0) / Math.max(1, summaries.length);
      const gaps = summaries.filter((s) => s.missing.length > 0);
      const account = deal.account?.name ?? deal.opportunity.name;
      return {
        status: 'succeeded',
        reasoning: `${summaries.length} handoff packages for ${account}: ${summaries.map((s) => `${teamLabel(s.team)} ${Math.round(s.completeness * 100)}% to ${s.owner.name} (${s.owner.reason})`).join(', ')}; kickoff Tasks due ${kickoffDue}.${
          gaps.length > 0
            ? ` Missing: ${gaps.map((g) => `${teamLabel(g.team)} — ${missingList(g.missing.map((m) => ({ item: m, supplier: supplierOf(deps.checklists, m, deal) })))}`).join('; ')}.`
            : ` ${account}: every required fact found for all ${summaries.length} teams.`
        }${draftedBy(narratives)}`,
        confidence: overall,
        facts: { packages: summaries, turn, kickoffDue, narratives: writers(inputs, narratives) },
        message: `${summaries.length} handoff packages, ${Math.round(overall * 100)}% complete`,
        writes: [...built.map((b) => b.write), { kind: 'tasks', tasks: built.map((b) => b.task) }],
        output: { packages: summaries, kickoffDue },
      };
    },
  };
}

/**
 * Handoff Coordination Agent: a package for each receiving team (Customer Success, Finance,
 * Support, Implementation). Every fact carries the record it came from; each package is scored
 * against its team's required-context checklist (config/handoff-checklists.json), and below 100%
 * it names what is missing and who should supply it.
 */
import { z } from 'zod';
import { SECTIONS, TEAMS, type Section, type Team } from './teams.ts';
import type { CrmPort, CrmWrite, DealContext, TaskWrite } from '../../ports/crm.ts';
import type { RunStore } from '../../ports/store.ts';
import { chooseOwners, unknownOwners, type HandoffOwners } from './handoff-owners.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';

export { SECTIONS, TEAMS, type Section, type Team } from './teams.ts';

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

export interface Fact {
  text: string;
  source: string;
}

/** The record a closing signal was found in, named by its object as every other fact's source. */
function signalSource(
  source: { kind: string; recordId: string },
  closureRecordId: string | null,
  span?: { field: string },
): string {
  if (span?.field === 'description' || span?.field === 'next_step') return `Opportunity ${source.recordId}`;
  if (source.kind === 'email') return `EmailMessage ${source.recordId}`;
  if (source.kind === 'task') return `Task ${source.recordId}`;
  // The note and the transcript are stored on the Deal_Closure__c (Note__c, Transcript__c).
  return closureRecordId ? `Deal_Closure__c ${closureRecordId}` : `${source.kind} ${source.recordId}`;
}

/** Every fact the deal offers, by section, each with its source record. */
export function collectFacts(
  deal: DealContext,
  contract: ContractOutput,
  closure: DealClosureOutput | undefined,
  /** The activated Contract record System Integration wrote (the signed terms). */
  contractSource: string,
  /** The Deal_Closure__c holding the rep's note and the transcript, when signals came from them. */
  closureRecordId: string | null = null,
): Record<Section, Fact[]> {
  const roles = deal.contactRoles;
  const roleFact = (r: (typeof roles)[number]): Fact => ({
    text: `${r.name}${r.title ? `, ${r.title}` : ''} — ${r.role ?? 'no role'}${r.isPrimary ? ' (primary)' : ''}${r.email ? ` <${r.email}>` : ''}`,
    source: `OpportunityContactRole ${r.id}`,
  });
  const byRole = (re: RegExp) =>
    roles.filter((r) => re.test(`${r.role ?? ''} ${r.title ?? ''} ${r.department ?? ''}`));
  const signals = closure?.assessment.signals ?? [];
  // What the language module read in the deal's words: success criteria, commitments, requirements.
  const read = (fact: string, most: number) =>
    (closure?.assessment.handoffFacts?.[fact] ?? [])
      .slice(0, most)
      .map((s) => ({ text: s.quote, source: signalSource(s.source, closureRecordId, s.span) }));
  const money = (m: number) => formatMoney(m, contract.currency);
  const account = deal.account;
  return {
    stakeholders: roles.map(roleFact),
    executiveSponsor: byRole(/executive sponsor|economic buyer|economic decision maker|decision maker/i)
      .slice(0, 1)
      .map(roleFact),
    priorities: roles
      .filter((r) => r.description)
      .map((r) => ({ text: `${r.name}: ${r.description}`, source: `Contact ${r.contactId}` })),
    successCriteria: read('success_criteria', 12),
    commitments: read('seller_commitment', 12),
    risks: signals
      .filter((s) => ['security_concern', 'legal_concern', 'objection', 'hesitation'].includes(s.type))
      .slice(0, 12)
      .map((s) => ({
        text: `${s.type.replace('_', ' ')}: ${s.quote}`,
        source: signalSource(s.source, closureRecordId),
      })),
    competitorContext: signals
      .filter((s) => s.type === 'competitor_mention')
      .slice(0, 8)
      .map((s) => ({ text: s.quote, source: signalSource(s.source, closureRecordId) })),
    commercialTerms: [
      {
        text: `${money(contract.totalMinor)} over ${contract.termMonths} months from ${contract.startDate}`,
        source: contractSource,
      },
      ...(contract.specialTerms
        ? [{ text: `Special terms: ${contract.specialTerms}`, source: contractSource }]
        : []),
    ],
    billing: account
      ? [
          // The terms the contract actually carries (net 30/45/60, annual or quarterly), not a default.
          ...(contract.snapshot?.payment
            ? [{ text: `Payment terms: ${contract.snapshot.payment}`, source: contractSource }]
            : []),
          ...(account.billingCountry
            ? [
                {
                  text: `Bill to ${[account.name, account.billingStreet, account.billingCity, account.billingPostalCode, account.billingCountry].filter(Boolean).join(', ')}`,
                  source: `Account ${account.id}`,
                },
              ]
            : []),
        ]
      : [],
    billingContact: byRole(/finance|procurement|purchasing|accounts payable|\bap\b|controller|cfo/i).map(
      roleFact,
    ),
    supportContacts: byRole(/technical|it\b|information technology|administrator|engineer|cio|cto/i).map(
      roleFact,
    ),
    products: deal.lineItems.map((li) => ({
      text: `${li.quantity} × ${li.productName}${li.productCode ? ` (${li.productCode})` : ''} at ${li.discountPercent}% discount, ${money(li.totalPriceMinor)}`,
      source: `OpportunityLineItem ${li.id}`,
    })),
    // The service level the contract states: its SLA clause as generated, or (a run stored
    // before contracts kept their clause texts) the clause library's rule for it.
    serviceLevels: contract.clauses
      .filter((c) => c.id === 'sla')
      .map((c) => {
        const text = contract.snapshot?.clauses.find((t) => t.id === c.id);
        return {
          text: text
            ? `${text.title} (clause ${c.id} v${c.version}): ${text.text}`
            : `${c.rule} (clause ${c.id} v${c.version})`,
          source: contractSource,
        };
      }),
    technicalRequirements: [
      ...signals
        .filter((s) => s.type === 'security_concern')
        .slice(0, 6)
        .map((s) => ({ text: s.quote, source: signalSource(s.source, closureRecordId) })),
      ...read('technical_requirement', 10),
    ],
    technicalContact: byRole(/technical buyer|technical|it director|cio|cto|architect/i)
      .slice(0, 2)
      .map(roleFact),
    timeline: [
      { text: `Service starts ${contract.startDate}`, source: contractSource },
      // The buyer's dates and deadlines, as the language module read them (timeline urgency).
      ...signals
        .filter((s) => s.type === 'timeline_urgency')
        .slice(0, 6)
        .map((s) => ({ text: s.quote, source: signalSource(s.source, closureRecordId) })),
    ],
  };
}

export interface HandoffAgentDeps {
  checklists: HandoffChecklists;
  owners: HandoffOwners;
  crm: Pick<CrmPort, 'findUsers'>;
  /** Earlier closures, for the round-robin turn. */
  store?: Pick<RunStore, 'countCompletedThrough'>;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Who should supply a missing item: the checklist's hint, with the rep's name when the rep is meant. */
function supplierOf(checklists: HandoffChecklists, section: Section, deal: DealContext): string {
  const hint = checklists.suppliers[section] ?? 'the rep';
  const rep = deal.opportunity.ownerName;
  return rep ? hint.replace(/^the rep\b/, `${rep} (the rep)`) : hint;
}

export function createHandoffAgent(deps: HandoffAgentDeps): Stage {
  return {
    key: 'handoff_coordination',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      const synced = ctx.recall<{ contractId?: string | null }>('system_integration', 'output');
      const contractSource = synced?.contractId
        ? `Contract ${synced.contractId}`
        : `Opportunity ${deal.opportunity.id}`;
      const facts = collectFacts(deal, contract, closure, contractSource, ctx.run.dealClosureId);
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
      const userOf = (username: string) =>
        users.find((u) => u.username.toLowerCase() === username.toLowerCase())!;
      const from = await ctx.memo('kickoffFrom', async () => ctx.now().getTime());
      // Kickoff within two weeks, and before service starts when there is time for it.
      const start = Date.parse(`${contract.startDate}T00:00:00Z`);
      const kickoffDue = isoDay(Math.max(from + 3 * DAY, Math.min(start - DAY, from + 14 * DAY)));
      const writes: CrmWrite[] = [];
      const tasks: TaskWrite[] = [];
      const summaries: {
        team: Team;
        completeness: number;
        missing: Section[];
        owner: { name: string; username: string; rule: string; reason: string };
      }[] = [];
      for (const team of TEAMS) {
        const checklist = deps.checklists.teams[team];
        if (!checklist) continue;
        const choice = choices.find((c) => c.team === team)!;
        const owner = userOf(choice.username);
        const sections = Object.fromEntries(checklist.sections.map((s) => [s, facts[s]]));
        const missing = checklist.required.filter((s) => facts[s].length === 0);
        const completeness =
          checklist.required.length === 0
            ? 1
            : (checklist.required.length - missing.length) / checklist.required.length;
        const ownerFact = {
          name: owner.name,
          username: owner.username,
          rule: choice.rule,
          reason: choice.reason,
        };
        summaries.push({ team, completeness, missing, owner: ownerFact });
        const label = team.replace('_', ' ');
        const summary = `${deal.account?.name ?? deal.opportunity.name} for ${label}, owned by ${owner.name} (${choice.reason}): ${checklist.sections.map((s) => `${facts[s].length} ${s}`).join(', ')}.`;
        const missingItems = missing.map((m) => ({
          item: m,
          supplier: supplierOf(deps.checklists, m, deal),
        }));
        const key = `${ctx.run.id}:handoff:${team}`;
        writes.push({
          kind: 'handoff',
          key,
          team,
          summary,
          context: JSON.stringify({
            team,
            account: deal.account?.name ?? null,
            opportunityId: deal.opportunity.id,
            owner: { ...ownerFact, userId: owner.id },
            sections,
            missing: missingItems,
          }),
          completeness,
          status: missing.length === 0 ? 'Ready' : 'Incomplete',
          ownerId: owner.id,
        });
        tasks.push({
          key: `${ctx.run.id}:task:kickoff:${team}`,
          subject: `${label} kickoff: ${deal.account?.name ?? deal.opportunity.name}`,
          description: `${summary}${missingItems.length > 0 ? ` Still missing: ${missingItems.map((m) => `${m.item} (from ${m.supplier})`).join('; ')}.` : ' The package is complete.'} Service starts ${contract.startDate}.`,
          activityDate: kickoffDue,
          ownerId: owner.id,
          whatId: deal.opportunity.id,
          whoId: null,
          priority: missing.length > 0 ? 'High' : 'Normal',
        });
      }
      writes.push({ kind: 'tasks', tasks });
      const overall = summaries.reduce((s, x) => s + x.completeness, 0) / Math.max(1, summaries.length);
      const gaps = summaries.filter((s) => s.missing.length > 0);
      return {
        status: 'succeeded',
        reasoning: `${summaries.length} handoff packages: ${summaries.map((s) => `${s.team.replace('_', ' ')} ${Math.round(s.completeness * 100)}% to ${s.owner.name} (${s.owner.reason})`).join(', ')}; kickoff Tasks due ${kickoffDue}.${gaps.length > 0 ? ` Missing: ${gaps.map((g) => `${g.team.replace('_', ' ')} — ${g.missing.map((m) => `${m} (from ${supplierOf(deps.checklists, m, deal)})`).join(', ')}`).join('; ')}.` : ' Every package is complete.'}`,
        confidence: overall,
        facts: { packages: summaries, turn, kickoffDue },
        message: `${summaries.length} handoff packages, ${Math.round(overall * 100)}% complete`,
        writes,
        output: { packages: summaries, kickoffDue },
      };
    },
  };
}

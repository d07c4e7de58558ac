/**
 * Handoff Coordination Agent: a package for each receiving team (Customer Success, Finance,
 * Support, Implementation). Every fact carries the record it came from; each package is scored
 * against its team's required-context checklist (config/handoff-checklists.json), and below 100%
 * it names what is missing and who should supply it.
 */
import { z } from 'zod';
import type { CrmWrite, DealContext } from '../../ports/crm.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';

export const SECTIONS = [
  'stakeholders',
  'executiveSponsor',
  'priorities',
  'successCriteria',
  'commitments',
  'risks',
  'competitorContext',
  'commercialTerms',
  'billing',
  'billingContact',
  'supportContacts',
  'products',
  'serviceLevels',
  'technicalRequirements',
  'technicalContact',
  'timeline',
] as const;
export type Section = (typeof SECTIONS)[number];
export const TEAMS = ['Customer_Success', 'Finance', 'Support', 'Implementation'] as const;
export type Team = (typeof TEAMS)[number];

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

const COMMITMENT =
  /\b(we('ll| will)|promised|committed to|agreed to|will (provide|deliver|include|set up|run|schedule))\b/i;
const SUCCESS = /\b(kpi|success criteria|measure|target|reduce|increase|improve|goal|outcome|uptime|roi)\b/i;
const TECHNICAL =
  /\b(integrat\w*|api|sso|saml|erp|sap|crm|data migration|requirement|must (support|integrate|run)|on-?prem\w*|cloud|network|firewall|interface|mes|scada|hl7|fhir)\b/i;
const GO_LIVE =
  /\b(go[- ]live|launch|roll ?out|cut-?over|by (january|february|march|april|may|june|july|august|september|october|november|december|q[1-4])|shutdown|deadline)\b/i;

function sourceOf(kind: 'task' | 'email', id: string): string {
  return `${kind === 'email' ? 'EmailMessage' : 'Task'} ${id}`;
}

/** Every fact the deal offers, by section, each with its source record. */
export function collectFacts(
  deal: DealContext,
  contract: ContractOutput,
  closure: DealClosureOutput | undefined,
  contractKey: string,
): Record<Section, Fact[]> {
  const roles = deal.contactRoles;
  const roleFact = (r: (typeof roles)[number]): Fact => ({
    text: `${r.name}${r.title ? `, ${r.title}` : ''} — ${r.role ?? 'no role'}${r.isPrimary ? ' (primary)' : ''}${r.email ? ` <${r.email}>` : ''}`,
    source: `OpportunityContactRole ${r.id}`,
  });
  const byRole = (re: RegExp) =>
    roles.filter((r) => re.test(`${r.role ?? ''} ${r.title ?? ''} ${r.department ?? ''}`));
  const sentences = deal.activities
    .flatMap((a) =>
      `${a.body ?? ''}`
        .split(/(?<=[.!?])\s+/)
        .map((text) => ({ text: text.trim(), source: sourceOf(a.kind, a.id) })),
    )
    .filter((s) => s.text.length > 0);
  const signals = closure?.assessment.signals ?? [];
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
    successCriteria: sentences.filter((s) => SUCCESS.test(s.text)).slice(0, 12),
    commitments: sentences.filter((s) => COMMITMENT.test(s.text)).slice(0, 12),
    risks: signals
      .filter((s) => ['security_concern', 'legal_concern', 'objection', 'hesitation'].includes(s.type))
      .slice(0, 12)
      .map((s) => ({
        text: `${s.type.replace('_', ' ')}: ${s.quote}`,
        source: `${s.source.kind} ${s.source.recordId}`,
      })),
    competitorContext: signals
      .filter((s) => s.type === 'competitor_mention')
      .slice(0, 8)
      .map((s) => ({ text: s.quote, source: `${s.source.kind} ${s.source.recordId}` })),
    commercialTerms: [
      {
        text: `${money(contract.totalMinor)} over ${contract.termMonths} months from ${contract.startDate}`,
        source: `Contract_Version__c ${contractKey}`,
      },
      ...(contract.specialTerms
        ? [{ text: `Special terms: ${contract.specialTerms}`, source: `Contract_Version__c ${contractKey}` }]
        : []),
    ],
    billing: account
      ? [
          {
            text: 'Invoiced annually in advance, payment net 30 days',
            source: `Contract_Version__c ${contractKey}`,
          },
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
    serviceLevels: contract.clauses.some((c) => c.id === 'sla')
      ? [
          {
            text: '99.9% monthly availability with service credits (contract SLA clause)',
            source: `Contract_Version__c ${contractKey}`,
          },
        ]
      : [],
    technicalRequirements: [
      ...signals
        .filter((s) => s.type === 'security_concern')
        .slice(0, 6)
        .map((s) => ({ text: s.quote, source: `${s.source.kind} ${s.source.recordId}` })),
      ...sentences.filter((s) => TECHNICAL.test(s.text)).slice(0, 10),
    ],
    technicalContact: byRole(/technical buyer|technical|it director|cio|cto|architect/i)
      .slice(0, 2)
      .map(roleFact),
    timeline: [
      { text: `Service starts ${contract.startDate}`, source: `Contract_Version__c ${contractKey}` },
      ...sentences.filter((s) => GO_LIVE.test(s.text)).slice(0, 6),
    ],
  };
}

export interface HandoffAgentDeps {
  checklists: HandoffChecklists;
}

export function createHandoffAgent(deps: HandoffAgentDeps): Stage {
  return {
    key: 'handoff_coordination',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      const contractKey = `${ctx.run.id}:contract:v${contract.version}:Full`;
      const facts = collectFacts(deal, contract, closure, contractKey);
      const writes: CrmWrite[] = [];
      const summaries: { team: Team; completeness: number; missing: Section[] }[] = [];
      for (const team of TEAMS) {
        const checklist = deps.checklists.teams[team];
        if (!checklist) continue;
        const sections = Object.fromEntries(checklist.sections.map((s) => [s, facts[s]]));
        const missing = checklist.required.filter((s) => facts[s].length === 0);
        const completeness =
          checklist.required.length === 0
            ? 1
            : (checklist.required.length - missing.length) / checklist.required.length;
        summaries.push({ team, completeness, missing });
        const summary = `${deal.account?.name ?? deal.opportunity.name} for ${team.replace('_', ' ')}: ${checklist.sections.map((s) => `${facts[s].length} ${s}`).join(', ')}.`;
        writes.push({
          kind: 'handoff',
          key: `${ctx.run.id}:handoff:${team}`,
          team,
          summary,
          context: JSON.stringify({
            team,
            account: deal.account?.name ?? null,
            opportunityId: deal.opportunity.id,
            sections,
            missing: missing.map((m) => ({ item: m, supplier: deps.checklists.suppliers[m] ?? 'the rep' })),
          }),
          completeness,
          status: missing.length === 0 ? 'Ready' : 'Incomplete',
        });
      }
      const overall = summaries.reduce((s, x) => s + x.completeness, 0) / Math.max(1, summaries.length);
      const gaps = summaries.filter((s) => s.missing.length > 0);
      return {
        status: 'succeeded',
        reasoning: `${summaries.length} handoff packages: ${summaries.map((s) => `${s.team.replace('_', ' ')} ${Math.round(s.completeness * 100)}%`).join(', ')}.${gaps.length > 0 ? ` Missing: ${gaps.map((g) => `${g.team.replace('_', ' ')} — ${g.missing.map((m) => `${m} (from ${deps.checklists.suppliers[m] ?? 'the rep'})`).join(', ')}`).join('; ')}.` : ' Every package is complete.'}`,
        confidence: overall,
        facts: { packages: summaries },
        message: `${summaries.length} handoff packages, ${Math.round(overall * 100)}% complete`,
        writes,
        output: { packages: summaries },
      };
    },
  };
}

/**
 * Handoff Coordination Agent (first version): the Customer Success package — stakeholders and
 * their stated priorities, commercial terms, risks, competitor context and commitments made
 * during the sale — every fact with the record it came from, and a completeness score against
 * the team's checklist that names what is missing.
 */
import { earlierResults } from '../shared/earlier-results.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';

interface Fact {
  text: string;
  source: string;
}

export const CUSTOMER_SUCCESS_CHECKLIST = [
  'stakeholders',
  'executiveSponsor',
  'priorities',
  'commercialTerms',
  'successCriteria',
  'risks',
] as const;

const COMMITMENT =
  /\b(we('ll| will)|promised|committed to|agreed to|will (provide|deliver|include|set up|run|schedule))\b/i;
const SUCCESS = /\b(kpi|success criteria|measure|target|reduce|increase|improve|goal|outcome|uptime|roi)\b/i;

export function createHandoffAgent(): Stage {
  return {
    key: 'handoff_coordination',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      const stakeholders: Fact[] = deal.contactRoles.map((r) => ({
        text: `${r.name}${r.title ? `, ${r.title}` : ''} — ${r.role ?? 'no role'}${r.isPrimary ? ' (primary)' : ''}${r.email ? ` <${r.email}>` : ''}`,
        source: `OpportunityContactRole ${r.id}`,
      }));
      const sponsor = deal.contactRoles.find((r) =>
        /executive sponsor|economic buyer|economic decision maker|decision maker/i.test(r.role ?? ''),
      );
      const priorities: Fact[] = deal.contactRoles
        .filter((r) => r.description)
        .map((r) => ({ text: `${r.name}: ${r.description}`, source: `Contact ${r.contactId}` }));
      const commitments: Fact[] = [];
      const successCriteria: Fact[] = [];
      for (const a of deal.activities) {
        for (const sentence of `${a.body ?? ''}`.split(/(?<=[.!?])\s+/)) {
          if (COMMITMENT.test(sentence) && commitments.length < 12)
            commitments.push({
              text: sentence.trim(),
              source: `${a.kind === 'email' ? 'EmailMessage' : 'Task'} ${a.id}`,
            });
          if (SUCCESS.test(sentence) && successCriteria.length < 12)
            successCriteria.push({
              text: sentence.trim(),
              source: `${a.kind === 'email' ? 'EmailMessage' : 'Task'} ${a.id}`,
            });
        }
      }
      const signals = closure?.assessment.signals ?? [];
      const risks: Fact[] = signals
        .filter((s) =>
          ['security_concern', 'legal_concern', 'objection', 'hesitation', 'competitor_mention'].includes(
            s.type,
          ),
        )
        .slice(0, 12)
        .map((s) => ({
          text: `${s.type.replace('_', ' ')}: ${s.quote}`,
          source: `${s.source.kind} ${s.source.recordId}`,
        }));
      const commercial: Fact[] = [
        {
          text: `${formatMoney(contract.totalMinor, contract.currency)} over ${contract.termMonths} months from ${contract.startDate}, invoiced annually, net 30`,
          source: `Contract_Version__c ${ctx.run.id}:contract:v${contract.version}:Full`,
        },
        ...deal.lineItems.map((li) => ({
          text: `${li.quantity} × ${li.productName} at ${li.discountPercent}% discount (${formatMoney(li.totalPriceMinor, contract.currency)})`,
          source: `OpportunityLineItem ${li.id}`,
        })),
        ...(contract.specialTerms
          ? [{ text: `Special terms: ${contract.specialTerms}`, source: 'contract special terms' }]
          : []),
      ];
      const sections = {
        stakeholders,
        executiveSponsor: sponsor
          ? [
              {
                text: `${sponsor.name}${sponsor.title ? `, ${sponsor.title}` : ''}`,
                source: `OpportunityContactRole ${sponsor.id}`,
              },
            ]
          : [],
        priorities,
        commercialTerms: commercial,
        successCriteria,
        risks,
        commitments,
      };
      const present = CUSTOMER_SUCCESS_CHECKLIST.filter((k) => sections[k].length > 0);
      const missing = CUSTOMER_SUCCESS_CHECKLIST.filter((k) => sections[k].length === 0);
      const completeness = present.length / CUSTOMER_SUCCESS_CHECKLIST.length;
      const whoSupplies: Record<string, string> = {
        stakeholders: 'the rep (contact roles)',
        executiveSponsor: 'the rep (mark the economic buyer or executive sponsor)',
        priorities: 'the rep (contact descriptions)',
        commercialTerms: 'deal desk',
        successCriteria: 'the rep with the customer champion',
        risks: 'the rep',
      };
      const context = {
        team: 'Customer_Success',
        account: deal.account?.name ?? null,
        opportunityId: deal.opportunity.id,
        sections,
        missing: missing.map((m) => ({ item: m, supplier: whoSupplies[m] })),
      };
      const summary = `${deal.account?.name ?? deal.opportunity.name}: ${stakeholders.length} stakeholders${sponsor ? `, sponsor ${sponsor.name}` : ''}; ${formatMoney(contract.totalMinor, contract.currency)} over ${contract.termMonths} months from ${contract.startDate}; ${risks.length} risk(s); ${commitments.length} commitment(s) made during the sale.`;
      return {
        status: 'succeeded',
        reasoning: `Customer Success package ${Math.round(completeness * 100)}% complete against the ${CUSTOMER_SUCCESS_CHECKLIST.length}-item checklist${missing.length > 0 ? `; missing ${missing.map((m) => `${m} (from ${whoSupplies[m]})`).join(', ')}` : ''}. ${summary}`,
        confidence: completeness,
        facts: {
          completeness,
          missing,
          counts: Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, v.length])),
        },
        message: `Customer Success handoff ${Math.round(completeness * 100)}% complete`,
        writes: [
          {
            kind: 'handoff',
            key: `${ctx.run.id}:handoff:Customer_Success`,
            team: 'Customer_Success',
            summary,
            context: JSON.stringify(context),
            completeness,
            status: missing.length === 0 ? 'Ready' : 'Incomplete',
          },
        ],
        output: { completeness, missing },
      };
    },
  };
}

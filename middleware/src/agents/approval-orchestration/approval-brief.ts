/**
 * The decision brief for one approver, written from the deal: for their role, what differs from
 * standard, the risk, precedent from past decisions, and (Finance) the effect on margin and cash.
 * Every statement carries the facts it rests on (the record, field and value), so a reader or a
 * check can trace it; where nothing is non-standard for the role, the brief says so from the same
 * facts. Pure: everything comes read (the deal, the contract Contract Generation wrote, the
 * closure's signals and requested terms, the rules that fired, past Deal_Approval__c decisions).
 *
 * The role statements are in brief-commercial.ts (Finance, Sales VP, Executive) and
 * brief-legal.ts (Legal, InfoSec).
 */
import { precedents, quantile, type Precedent } from './approval-history.ts';
import { fmtHours, roleLabel, when } from './approval-report.ts';
import type { ApprovalState, Role } from './approval-state.ts';
import {
  corporate,
  historyIndex,
  money,
  plural,
  someOf,
  type BriefFacts,
  type Statement,
  type Trace,
} from './brief-facts.ts';
import { executiveStatements, financeStatements, salesVpStatements } from './brief-commercial.ts';
import { infoSecStatements, legalStatements } from './brief-legal.ts';

export type { BriefFacts, Statement, Trace } from './brief-facts.ts';

export interface ApproverBrief {
  role: Role;
  /** The whole brief, in reading order. */
  statements: Statement[];
  /** The statements particular to the role (what differs from standard for it), also in `statements`. */
  specific: Statement[];
}

export interface BriefInput {
  approval: Pick<ApprovalState, 'role' | 'rule' | 'reason' | 'dueAt' | 'slaHours' | 'dependsOn'>;
  /** Every approval of the closure: the Executive reads how the others decided. */
  approvals: readonly ApprovalState[];
  facts: BriefFacts;
}

/** What each role should look at first: the brief's heading, followed by the deal's facts on it. */
export const FOCUS: Record<Role, string> = {
  Finance: 'the total contract value, payment terms and the discount against list price',
  Legal: 'the non-standard clauses and the legal risk in the contract',
  Sales_VP: 'the discount depth and whether the deal justifies it',
  InfoSec: 'the security asks, data residency and the security clauses',
  Executive: 'the overall deal shape (size, discount and risk) and how the other approvers decided',
};

export function approverBrief(input: BriefInput): ApproverBrief {
  const { approval: a, facts } = input;
  const role: Statement[] =
    a.role === 'Finance'
      ? financeStatements(facts)
      : a.role === 'Legal'
        ? legalStatements(facts)
        : a.role === 'InfoSec'
          ? infoSecStatements(facts)
          : a.role === 'Sales_VP'
            ? salesVpStatements(facts)
            : executiveStatements(facts, input.approvals, a.dependsOn);
  return {
    role: a.role,
    specific: role,
    statements: [
      header(facts),
      {
        text: `Why you (${a.rule}): ${a.reason}.`,
        traces: a.rule.split(', ').map((rule) => ({
          source: 'Approval_Rule__mdt',
          id: rule,
          field: 'fired',
          value: a.reason,
        })),
      },
      focus(a.role, facts),
      ...role,
      risk(facts),
      ...precedent(a.role, facts),
      deadline(a, facts),
    ],
  };
}

function header({ deal, contract }: BriefFacts): Statement {
  const o = deal.opportunity;
  const discount = Math.max(0, ...deal.lineItems.map((l) => l.discountPercent));
  return {
    text: `${o.name} — ${deal.account?.name ?? ''}: ${money(contract.totalMinor, contract.currency)} over ${contract.termMonths} months, ${discount}% max discount, close date ${o.closeDate ?? 'not set'}.`,
    traces: [
      { source: 'Contract', id: `v${contract.version}`, field: 'total', value: contract.totalMinor },
      { source: 'Contract', id: `v${contract.version}`, field: 'termMonths', value: contract.termMonths },
      { source: 'Opportunity', id: o.id, field: 'CloseDate', value: o.closeDate ?? 'not set' },
      ...deal.lineItems
        .filter((l) => l.discountPercent === discount && discount > 0)
        .map((l) => ({
          source: 'OpportunityLineItem',
          id: l.id,
          field: 'Discount',
          value: l.discountPercent,
        })),
    ],
  };
}

function focus(role: Role, { deal }: BriefFacts): Statement {
  return {
    text: `What matters for ${roleLabel(role)} on ${deal.opportunity.name}: ${FOCUS[role]}.`,
    traces: [{ source: 'Opportunity', id: deal.opportunity.id, field: 'Name', value: deal.opportunity.name }],
  };
}

function risk({ contract }: BriefFacts): Statement {
  return {
    text: `Risk: ${contract.riskLevel}${contract.riskFactors.length > 0 ? ` (${contract.riskFactors.join('; ')})` : ', standard terms throughout'}.`,
    traces: [
      { source: 'Contract', id: `v${contract.version}`, field: 'riskLevel', value: contract.riskLevel },
      ...contract.riskDetails.map((f) => ({
        source: 'Contract',
        id: `v${contract.version}`,
        field: `risk.${f.factor}`,
        value: `+${f.points}`,
      })),
    ],
  };
}

const decidedTrace = (p: Pick<Precedent, 'approvalId' | 'status' | 'hours'>): Trace => ({
  source: 'Deal_Approval__c',
  id: p.approvalId,
  field: 'Status__c, hours to decide',
  value: `${p.status}, ${fmtHours(p.hours)}`,
});

/** How past requests were decided: the count, the median time and the ids. */
function tally(decided: Pick<Precedent, 'approvalId' | 'status' | 'hours'>[]): string {
  const approved = decided.filter((d) => d.status === 'Approved').length;
  const median = quantile(
    decided.map((d) => d.hours).sort((x, y) => x - y),
    0.5,
  );
  const ids = decided.slice(0, 6).map((d) => d.approvalId);
  return `${approved} approved and ${decided.length - approved} rejected, in a median ${fmtHours(median)} (${ids.join(', ')}${decided.length > ids.length ? ', …' : ''})`;
}

/**
 * How this role decided before: the latest requests on deals of similar size (half to double
 * this one, in the corporate currency), then their tally; with none, the role's whole record.
 */
function precedent(role: Role, facts: BriefFacts): Statement[] {
  const { deal, contract } = facts;
  const toCorporate = corporate(facts);
  const amount = toCorporate(contract.totalMinor, contract.currency) ?? contract.totalMinor;
  const label = roleLabel(role);
  const mine = historyIndex(facts).decided.filter((d) => d.entry.role === role);
  const similar = precedents(
    mine.map((d) => d.entry),
    {
      role,
      amountCorporateMinor: amount,
      toCorporate,
      excludeOpportunityId: deal.opportunity.id,
      max: Number.POSITIVE_INFINITY,
    },
  );
  const range = `half to double ${money(amount, deal.corporateCurrency)}`;
  if (similar.length > 0)
    return [
      {
        text: `Precedent: ${similar
          .slice(0, 3)
          .map(
            (p) =>
              `${p.opportunityName} (${money(p.amountMinor, p.currency)}) ${p.status.toLowerCase()} in ${fmtHours(p.hours)}`,
          )
          .join(
            '; ',
          )}; of the ${plural(similar.length, `${label} request`)} on deals of ${range}, ${tally(similar)}.`,
        traces: someOf(similar, decidedTrace, {
          source: 'Deal_Approval__c',
          field: `${label} requests of similar size`,
        }),
      },
    ];
  const all = mine.map((d) => ({ approvalId: d.entry.approvalId, status: d.entry.status, hours: d.hours }));
  return [
    {
      text: `Precedent: no ${label} decision on a deal of similar size (${range}) yet${all.length > 0 ? `; of all ${plural(all.length, `${label} request`)} in the history, ${tally(all)}` : ''}.`,
      traces:
        all.length > 0
          ? someOf(all, decidedTrace, { source: 'Deal_Approval__c', field: `decided ${label} requests` })
          : [{ source: 'Deal_Approval__c', field: `decided ${label} requests`, value: 0 }],
    },
  ];
}

function deadline(a: BriefInput['approval'], { deal }: BriefFacts): Statement {
  const close = deal.opportunity.closeDate;
  return {
    text: `Please decide by ${when(a.dueAt)} (${a.slaHours} h SLA)${close ? `; ${deal.opportunity.name} is to close on ${close}` : ''}.`,
    traces: [
      { source: 'Approval_Rule__mdt', id: a.rule, field: 'SLA_Hours__c', value: a.slaHours },
      ...(close
        ? [{ source: 'Opportunity', id: deal.opportunity.id, field: 'CloseDate', value: close }]
        : []),
    ],
  };
}

/** The process/approvals comments field holds at most this many characters. */
const COMMENTS_MAX = 4000;

/** The brief as plain text, one statement a line, whole statements only up to `max` characters. */
export function briefText(b: ApproverBrief, max = COMMENTS_MAX): string {
  const lines: string[] = [];
  let length = 0;
  for (const s of b.statements) {
    if (length + s.text.length + 1 > max) break;
    lines.push(s.text);
    length += s.text.length + 1;
  }
  return lines.join('\n');
}

/** The brief with each statement's facts under it, for the Deal_Approval__c record. */
export function briefWithSources(b: ApproverBrief): string {
  return b.statements
    .map(
      (s) =>
        `${s.text}\n  [${s.traces.map((t) => `${t.source}${t.id ? ` ${t.id}` : ''} ${t.field}: ${t.value}`).join('; ')}]`,
    )
    .join('\n');
}

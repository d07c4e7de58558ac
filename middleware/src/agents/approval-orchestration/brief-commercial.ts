/**
 * The commercial part of the approvers' briefs: for Finance the discount against list and the
 * rep's authority, the effect on margin, and the payment terms against standard with their effect
 * on cash; for the Sales VP and the Executive the deal's size against its peers and how discounts
 * were decided before. Each statement carries the records it was computed from.
 */
import type { LineItem } from '../../ports/crm.ts';
import { annualValueMinor } from '../contract-generation/contract-model.ts';
import { quantile } from './approval-history.ts';
import { fmtHours, roleLabel, when } from './approval-report.ts';
import type { ApprovalState, Role } from './approval-state.ts';
import {
  askedFor,
  corporate,
  money,
  historyIndex,
  plural,
  someOf,
  type BriefFacts,
  type Statement,
  type Trace,
} from './brief-facts.ts';

/** Standard terms, as the contract risk policy scores them (contract-generation/risk.ts). */
const STANDARD_PAYMENT_DAYS = 30;
const STANDARD_BILLING = 'annually';

const pct = (part: number, whole: number) => `${Math.round((1000 * part) / whole) / 10}%`;

interface Line {
  item: LineItem;
  listMinor: number;
}

/** Each line at list (ListPrice × Quantity; the sales price when the line has no list price). */
function linesAtList(items: readonly LineItem[]): Line[] {
  return items.map((item) => ({
    item,
    listMinor: Math.round((item.listPriceMinor ?? item.unitPriceMinor) * item.quantity),
  }));
}

const lineTrace = (l: Line, currency: string): Trace => ({
  source: 'OpportunityLineItem',
  id: l.item.id,
  field: 'ListPrice × Quantity → TotalPrice (Discount)',
  value: `${money(l.listMinor, currency)} → ${money(l.item.totalPriceMinor, currency)} (${l.item.discountPercent}%)`,
});

/** List against net on the order, and what the difference does to margin. */
function discountAgainstList({ deal }: BriefFacts): Statement | null {
  const currency = deal.opportunity.currency;
  const lines = linesAtList(deal.lineItems);
  if (lines.length === 0) return null;
  const list = lines.reduce((s, l) => s + l.listMinor, 0);
  const net = lines.reduce((s, l) => s + l.item.totalPriceMinor, 0);
  const off = list - net;
  const traces = lines.map((l) => lineTrace(l, currency));
  if (off <= 0 || list <= 0)
    return {
      text: `${lines.length === 1 ? "The order's one line is" : `All ${lines.length} lines of the order are`} at list price (${money(net, currency)} in all): no discount, so no effect on margin.`,
      traces,
    };
  const discounted = lines.filter((l) => l.listMinor > l.item.totalPriceMinor).length;
  return {
    text: `At list the order comes to ${money(list, currency)}; net it is ${money(net, currency)}: ${money(off, currency)} (${pct(off, list)}) less revenue on ${discounted} of ${plural(lines.length, 'line')}, and as much less gross margin, since a discount changes no cost.`,
    traces,
  };
}

/** The deepest discount against the rep's authority (the standard discount), and what lies beyond it. */
function discountAgainstAuthority({
  deal,
  repDiscountAuthorityPercent: authority,
}: BriefFacts): Statement | null {
  const currency = deal.opportunity.currency;
  const lines = linesAtList(deal.lineItems);
  const deepest = lines.reduce<Line | undefined>(
    (best, l) => (!best || l.item.discountPercent > best.item.discountPercent ? l : best),
    undefined,
  );
  if (!deepest || deepest.item.discountPercent <= 0) return null;
  const policy: Trace = {
    source: 'Policy',
    id: 'DEALDESK_REP_DISCOUNT_AUTHORITY',
    field: 'discount a rep may give',
    value: `${authority}%`,
  };
  const d = deepest.item.discountPercent;
  if (d <= authority)
    return {
      text: `Every line discount is within the ${authority}% a rep may give; the deepest is ${d}% on ${deepest.item.productName}.`,
      traces: [lineTrace(deepest, currency), policy],
    };
  const beyond = lines.filter((l) => l.item.discountPercent > authority);
  const worth = beyond.reduce(
    (s, l) => s + Math.round((l.listMinor * (l.item.discountPercent - authority)) / 100),
    0,
  );
  return {
    text: `The deepest discount, ${d}% on ${deepest.item.productName}, is ${Math.round((d - authority) * 10) / 10} points beyond the ${authority}% a rep may give; the discount beyond that authority is worth ${money(worth, currency)} on ${plural(beyond.length, 'line')}.`,
    traces: [...beyond.map((l) => lineTrace(l, currency)), policy],
  };
}

/** Net days and invoicing as the contract states them (versioning.ts writes "net 45 days, invoiced annually"). */
export function paymentTerms(payment: string): { days: number; billing: string } | null {
  const m = /^net (\d+) days, invoiced (.+)$/.exec(payment);
  return m ? { days: Number(m[1]), billing: m[2]! } : null;
}

/**
 * Average days from the start of a contract year until its fees are paid: the invoice's payment
 * days, plus how late in the year the invoices fall on average (quarterly in advance: at 0, ¼, ½
 * and ¾ of the year; monthly in arrears: at the end of each month).
 */
function daysToCash(days: number, billing: string): number | null {
  if (billing === 'annually') return days;
  if (billing === 'quarterly') return days + (365 * 3) / 8;
  if (billing === 'monthly in arrears') return days + (365 * 6.5) / 12;
  return null;
}

/** Payment terms against standard, who asked for them, and what they do to cash. */
function paymentStatements({ contract, terms }: BriefFacts): Statement[] {
  const contractTrace: Trace = {
    source: 'Contract',
    id: `v${contract.version}`,
    field: 'payment',
    value: contract.snapshot.payment,
  };
  const parsed = paymentTerms(contract.snapshot.payment);
  if (!parsed)
    return [
      {
        text: `Payment terms as the contract states them: ${contract.snapshot.payment}.`,
        traces: [contractTrace],
      },
    ];
  const { days, billing } = parsed;
  // A services-only contract has no invoicing clause: its services are billed monthly in arrears
  // for the days delivered (the professional-services clause), and that is its standard.
  const standardBilling =
    billing === 'monthly in arrears' && !contract.clauses.some((c) => c.id.startsWith('billing-'))
      ? billing
      : STANDARD_BILLING;
  if (days === STANDARD_PAYMENT_DAYS && billing === standardBilling)
    return [
      {
        text: `Payment terms are the standard net ${days}, invoiced ${billing}${billing === 'annually' ? ' in advance' : ''}: no effect on cash against standard.`,
        traces: [contractTrace],
      },
    ];
  const clauses = contract.clauses.filter(
    (c) => /^(payment|billing)-/.test(c.id) && c.id !== 'billing-annual',
  );
  const out: Statement[] = [
    {
      text: `Payment terms: net ${days} days, invoiced ${billing}, instead of the standard net ${STANDARD_PAYMENT_DAYS}, invoiced ${standardBilling}${clauses.length > 0 ? ` (clause ${clauses.map((c) => `${c.id} v${c.version}`).join(', ')})` : ''}.`,
      traces: [
        contractTrace,
        ...clauses.map((c) => ({ source: 'Contract', id: c.id, field: 'rule', value: c.rule })),
      ],
    },
  ];
  out.push(
    ...askedFor(terms, [
      ['paymentDays', terms?.paymentDays ? `net ${terms.paymentDays}` : null],
      ['billing', terms?.billing && terms.billing !== 'annual' ? `${terms.billing} invoicing` : null],
    ]),
  );
  const late = daysToCash(days, billing);
  const standard = daysToCash(STANDARD_PAYMENT_DAYS, standardBilling)!;
  if (late === null || late <= standard) return out;
  const annual = annualValueMinor(contract.totalMinor, contract.termMonths);
  const delay = Math.round(late - standard);
  out.push({
    text: `Cash effect: each contract year's ${money(annual, contract.currency)} is paid on average ${delay} days later than on standard terms, which keeps about ${money(Math.round((annual * delay) / 365), contract.currency)} more outstanding (${money(annual, contract.currency)} × ${delay} / 365).`,
    traces: [
      contractTrace,
      { source: 'Contract', id: `v${contract.version}`, field: 'total', value: contract.totalMinor },
      { source: 'Contract', id: `v${contract.version}`, field: 'termMonths', value: contract.termMonths },
    ],
  });
  return out;
}

export function financeStatements(facts: BriefFacts): Statement[] {
  return [discountAgainstList(facts), discountAgainstAuthority(facts), ...paymentStatements(facts)].filter(
    (s): s is Statement => s !== null,
  );
}

/** The deal's size against the earlier deals in the approval history, one per opportunity. */
function sizeAgainstPeers(facts: BriefFacts): Statement {
  const { deal, contract } = facts;
  const cur = deal.corporateCurrency;
  const amount = corporate(facts)(contract.totalMinor, contract.currency) ?? contract.totalMinor;
  const { peers } = historyIndex(facts);
  const total: Trace = {
    source: 'Contract',
    id: `v${contract.version}`,
    field: 'total',
    value: contract.totalMinor,
  };
  if (peers.length === 0)
    return {
      text: `No earlier deal in the approval history to compare ${money(amount, cur)} with.`,
      traces: [total, { source: 'Deal_Approval__c', field: 'earlier deals with an amount', value: 0 }],
    };
  const sorted = [...peers].sort((a, b) => a.amount - b.amount);
  const smaller = peers.filter((p) => p.amount < amount).length;
  const median = Math.round(
    quantile(
      sorted.map((p) => p.amount),
      0.5,
    ),
  );
  // The deals the sentence names or turns on: the largest and the ones either side of the median.
  const named = [
    ...new Set([
      sorted.at(-1)!,
      sorted[Math.floor((sorted.length - 1) / 2)]!,
      sorted[Math.ceil((sorted.length - 1) / 2)]!,
    ]),
  ];
  const traces: Trace[] = [
    total,
    ...named.map((p) => ({
      source: 'Deal_Approval__c',
      id: p.approvalId,
      field: 'Opportunity Amount',
      value: money(p.amount, cur),
    })),
    { source: 'Deal_Approval__c', field: 'earlier deals compared, one per opportunity', value: peers.length },
  ];
  const largest = sorted.at(-1)!;
  return {
    text: `At ${money(amount, cur)} the deal is larger than ${smaller} of the ${plural(peers.length, 'earlier deal')} in the approval history (median ${money(median, cur)}; largest ${largest.name} at ${money(largest.amount, cur)}).`,
    traces,
  };
}

/** How discount requests were decided before: the reasons the matrix wrote name the discount. */
function discountPrecedent(facts: BriefFacts, role: Role): Statement | null {
  const deepest = Math.max(0, ...facts.deal.lineItems.map((l) => l.discountPercent));
  if (deepest <= 0) return null;
  const past = historyIndex(facts).discounts.map((d) => ({
    h: d.entry,
    discount: d.discount,
    hours: d.hours,
  }));
  const trace = ({ h, hours }: (typeof past)[number]): Trace => ({
    source: 'Deal_Approval__c',
    id: h.approvalId,
    field: 'Reason__c, Status__c',
    value: `${h.reason}; ${h.status} in ${fmtHours(hours)}`,
  });
  if (past.length === 0)
    return {
      text: `No discount request in the approval history to set this deal's ${deepest}% against.`,
      traces: [{ source: 'Deal_Approval__c', field: 'Reason__c naming a discount', value: 0 }],
    };
  // This role's own decisions first, then the closest discounts.
  const ordered = [...past].sort(
    (a, b) =>
      Number(b.h.role === role) - Number(a.h.role === role) ||
      Math.abs(a.discount - deepest) - Math.abs(b.discount - deepest),
  );
  const approved = past.filter((p) => p.h.status === 'Approved').length;
  return {
    text: `Discount precedent against this deal's ${deepest}%: ${ordered
      .slice(0, 3)
      .map(
        (p) =>
          `${p.h.opportunityName ?? p.h.opportunityId} at ${p.discount}% ${p.h.status.toLowerCase()} by ${roleLabel(p.h.role)} in ${fmtHours(p.hours)}`,
      )
      .join(
        '; ',
      )}; of ${plural(past.length, 'discount request')}, ${approved} approved and ${past.length - approved} rejected.`,
    traces: someOf(ordered, trace, { source: 'Deal_Approval__c', field: 'discount requests decided' }),
  };
}

export function salesVpStatements(facts: BriefFacts): Statement[] {
  return [
    sizeAgainstPeers(facts),
    discountAgainstList(facts),
    discountAgainstAuthority(facts),
    discountPrecedent(facts, 'Sales_VP'),
  ].filter((s): s is Statement => s !== null);
}

/** How the other approvers of this closure decided, or that they have not yet. */
function othersDecisions(
  { deal }: BriefFacts,
  approvals: readonly ApprovalState[],
  role: Role,
  dependsOn: readonly Role[],
): Statement | null {
  const others = approvals.filter((o) => o.role !== role && o.status !== 'Recalled');
  if (others.length === 0) return null;
  const said = others.map((o) =>
    o.status === 'Approved' || o.status === 'Rejected'
      ? `${roleLabel(o.role)} ${o.status.toLowerCase()} (${o.approverName}${o.decidedAt ? `, ${when(o.decidedAt)}` : ''}${o.comment ? `: "${o.comment}"` : ''})`
      : `${roleLabel(o.role)} has not decided yet (${o.approverName}${dependsOn.includes(o.role) ? '; this request waits for it' : ''})`,
  );
  return {
    text: `The other approvals of ${deal.opportunity.name}: ${said.join('; ')}.`,
    traces: others.map((o) => ({
      source: 'Deal_Approval__c',
      id: o.approvalId ?? o.key,
      field: 'Status__c',
      value: o.comment ? `${o.status}: ${o.comment}` : o.status,
    })),
  };
}

export function executiveStatements(
  facts: BriefFacts,
  approvals: readonly ApprovalState[],
  dependsOn: readonly Role[],
): Statement[] {
  return [
    sizeAgainstPeers(facts),
    discountAgainstList(facts),
    discountAgainstAuthority(facts),
    discountPrecedent(facts, 'Executive'),
    othersDecisions(facts, approvals, 'Executive', dependsOn),
  ].filter((s): s is Statement => s !== null);
}

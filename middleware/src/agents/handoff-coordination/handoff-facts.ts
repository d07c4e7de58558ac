/**
 * The facts a handoff package carries, by section, each citing its record: the deal's records
 * (contact roles, line items, the account, the signed contract) and what the language module read
 * in the deal's words (Deal Closure's assessment: signals, the handoff facts, competitors and
 * requested terms), each quote with its record and character span. Words the module read are tied
 * to a stakeholder when their record is: an email a contact sent, a call logged with a contact.
 * Nothing here reads words itself.
 */
import type { ContactRole, DealContext } from '../../ports/crm.ts';
import type { AssessedSignal } from '../deal-closure/assessment.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';
import type { RenewalRisk } from '../system-integration/renewal-risk.ts';
import { formatMoney } from '../../domain/money.ts';
import {
  citeEvidence,
  citeSignal,
  dayOf,
  labelsFrom,
  sameWords,
  type Citation,
} from '../shared/citations.ts';
import { roleOf } from '../shared/participants.ts';
import type { Section } from './teams.ts';

export interface Fact {
  text: string;
  /** `<SObject> <id>` of the record the fact comes from. */
  source: string;
  /** For words: the quote as written and where it is in the record (see Citation). */
  quote?: string;
  span?: Citation['span'];
  occurredAt?: string;
  /** The stakeholder the words belong to, when their record ties them to a contact role. */
  who?: string;
  /** Success criteria: the figures the quote states (digits with their signs), and a deadline read in the same sentence. */
  figures?: string[];
  due?: string;
}

export interface FactsInput {
  deal: DealContext;
  contract: ContractOutput;
  closure: DealClosureOutput | undefined;
  /** The activated Contract record System Integration wrote (the signed terms). */
  contractSource: string;
  /** The Deal_Closure__c holding the rep's note and the transcript, when signals came from them. */
  closureRecordId: string | null;
  /** The renewal risk System Integration found, whose factors Customer Success inherits. */
  renewalRisk?: RenewalRisk;
}

/** How a signal reads in a package. */
const KIND: Record<string, string> = {
  success_criteria: 'goal',
  technical_requirement: 'requirement',
  seller_commitment: 'commitment',
  timeline_urgency: 'date',
  security_concern: 'security concern',
  legal_concern: 'legal concern',
  objection: 'objection',
  hesitation: 'hesitation',
  competitor_mention: 'competitor',
};
/** What a stakeholder's own words say they care about. */
const PRIORITY_KINDS = [
  'success_criteria',
  'technical_requirement',
  'timeline_urgency',
  'security_concern',
  'legal_concern',
  'objection',
];
/** Renewal-risk factors drawn from the conversation: their quotes are among the risks already. */
const QUOTED_FACTORS = new Set(['objection', 'competitor', 'security']);

/**
 * Figures a quote states: runs of digits with their separators, a currency sign before and a
 * percent sign after. Digits, not words: the module reads the words, this only lifts the numbers.
 */
const FIGURE = /\p{Sc}?\p{Nd}+(?:[.,:/-]\p{Nd}+)*\s?%?/gu;
export const figuresOf = (quote: string) => [...new Set((quote.match(FIGURE) ?? []).map((f) => f.trim()))];

/**
 * The contact role whose words a record holds: the sender of an inbound email, or the contact a
 * call or meeting was logged with (the rep's note of what was said with them).
 */
export function speakerOf(deal: DealContext): (recordId: string) => ContactRole | undefined {
  return (recordId) => {
    const a = deal.activities.find((x) => x.id === recordId);
    if (!a || (a.kind === 'email' && a.direction === 'outbound')) return undefined;
    return roleOf(deal.contactRoles, a);
  };
}

type Labels = ReturnType<typeof labelsFrom>;
const roleName = (r: ContactRole) => `${r.name} (${r.role ?? 'no role'})`;

function roleFact(r: ContactRole): Fact {
  return {
    text: `${r.name}${r.title ? `, ${r.title}` : ''} — ${r.role ?? 'no role'}${r.isPrimary ? ' (primary)' : ''}${r.email ? ` <${r.email}>` : ''}`,
    source: `OpportunityContactRole ${r.id}`,
  };
}

function quoteFact(c: Citation, text: string, who?: ContactRole): Fact {
  return {
    text,
    source: c.source,
    quote: c.quote,
    ...(c.span ? { span: c.span } : {}),
    occurredAt: c.occurredAt,
    ...(who ? { who: who.name } : {}),
  };
}

/** `"quote" (Call: kickoff, 2026-11-20)`, with the speaker when known. */
function said(c: Citation, who?: ContactRole): string {
  const day = dayOf(c);
  // A logged call or meeting is the rep's note of a conversation with the contact, not their own words.
  const whom = who ? `${c.source.startsWith('Task ') ? 'with ' : ''}${roleName(who)}` : null;
  return `"${c.quote}" (${[whom, c.label ?? c.source, day].filter(Boolean).join(', ')})`;
}

/** Drops a citation of words already cited, so a sentence read as two things appears once per section. */
function distinct<T extends { c: Citation }>(items: T[]): T[] {
  return items.filter((x, i) => !items.slice(0, i).some((y) => sameWords(x.c, y.c)));
}

function peopleFacts(x: FactsInput, quotes: Map<string, AssessedSignal[]>) {
  const { deal } = x;
  const roles = deal.contactRoles;
  const byRole = (re: RegExp) =>
    roles.filter((r) => re.test(`${r.role ?? ''} ${r.title ?? ''} ${r.department ?? ''}`));
  const speaker = speakerOf(deal);
  const stated = distinct(
    PRIORITY_KINDS.flatMap((k) =>
      (quotes.get(k) ?? []).map((s) => ({
        s,
        c: citeSignal(s, x.closureRecordId),
        who: speaker(s.source.recordId),
      })),
    ).filter((q) => q.who),
  );
  return {
    stakeholders: roles.map(roleFact),
    executiveSponsor: byRole(/executive sponsor|economic buyer|economic decision maker|decision maker/i)
      .slice(0, 1)
      .map(roleFact),
    priorities: [
      ...roles
        .filter((r) => r.description)
        .map((r) => ({
          text: `${roleName(r)}, as the rep recorded: ${r.description}`,
          source: `Contact ${r.contactId}`,
          span: { field: 'Description', start: 0, end: r.description!.length },
        })),
      ...stated.map((q) => quoteFact(q.c, `${roleName(q.who!)} — ${KIND[q.s.type]}: ${said(q.c)}`, q.who)),
    ],
    communication: roles.flatMap((r) => channelFact(deal, r)),
    billingContact: byRole(/finance|procurement|purchasing|accounts payable|\bap\b|controller|cfo/i).map(
      roleFact,
    ),
    supportContacts: byRole(/technical|it\b|information technology|administrator|engineer|cio|cto/i).map(
      roleFact,
    ),
    technicalContact: byRole(/technical buyer|technical|it director|cio|cto|architect/i)
      .slice(0, 2)
      .map(roleFact),
  };
}

/** How a stakeholder took part: emails from and to them and activities logged with them, the latest cited. */
function channelFact(deal: DealContext, r: ContactRole): Fact[] {
  const theirs = deal.activities.filter(
    (a) =>
      roleOf([r], a) ?? (a.kind === 'email' && a.direction === 'outbound' && a.contactId === r.contactId),
  );
  if (theirs.length === 0) return [];
  const counts = new Map<string, number>();
  for (const a of theirs) {
    const channel =
      a.kind === 'email'
        ? a.direction === 'outbound'
          ? 'email to them'
          : 'email from them'
        : (a.type ?? 'activity');
    counts.set(channel, (counts.get(channel) ?? 0) + 1);
  }
  const latest = theirs.reduce((l, a) => (a.occurredAt > l.occurredAt ? a : l));
  return [
    {
      text: `${roleName(r)}: ${[...counts].map(([c, n]) => `${n} × ${c}`).join(', ')}; latest ${latest.kind === 'email' ? 'an email' : (latest.type ?? 'an activity')} on ${latest.occurredAt.slice(0, 10)}`,
      source: `${latest.kind === 'email' ? 'EmailMessage' : 'Task'} ${latest.id}`,
      occurredAt: latest.occurredAt,
      who: r.name,
    },
  ];
}

/** A success criterion with its figures and, when the same sentence is read as a deadline, its date. */
function criterionFact(c: Citation, deadlines: Citation[], who: ContactRole | undefined): Fact {
  const figures = figuresOf(c.quote);
  const due = deadlines.find(
    (d) =>
      d.source === c.source && d.span && c.span && d.span.start < c.span.end && c.span.start < d.span.end,
  );
  return {
    ...quoteFact(
      c,
      `${said(c, who)}${figures.length > 0 ? ` — figures: ${figures.join(', ')}` : ' — no figure stated'}${due ? `; deadline read in the same words` : ''}`,
      who,
    ),
    figures,
    ...(due ? { due: due.quote } : {}),
  };
}

function conversationFacts(x: FactsInput, quotes: Map<string, AssessedSignal[]>, labels: Labels) {
  const assessment = x.closure?.assessment;
  const speaker = speakerOf(x.deal);
  const cites = (...kinds: string[]) =>
    distinct(
      kinds.flatMap((k) => (quotes.get(k) ?? []).map((s) => ({ s, c: citeSignal(s, x.closureRecordId) }))),
    );
  const deadlines = cites('timeline_urgency').map((q) => q.c);
  const names = [...new Set(assessment?.competitors ?? [])];
  // A mention names the competitors its words contain (names the module found in the deal).
  const named = (c: Citation) => names.filter((n) => c.quote.toLowerCase().includes(n.toLowerCase()));
  const competitors = cites('competitor_mention').map((q) => {
    const who = named(q.c);
    return quoteFact(q.c, `${who.length > 0 ? who.join(', ') : 'competitor'} mentioned: ${said(q.c)}`);
  });
  return {
    successCriteria: cites('success_criteria').map((q) =>
      criterionFact(q.c, deadlines, speaker(q.s.source.recordId)),
    ),
    commitments: cites('seller_commitment').map((q) => quoteFact(q.c, said(q.c))),
    risks: [
      ...cites('objection', 'hesitation', 'security_concern', 'legal_concern').map((q) =>
        quoteFact(q.c, `${KIND[q.s.type]}: ${said(q.c, speaker(q.s.source.recordId))}`),
      ),
      ...competitors,
      ...renewalFacts(x),
    ],
    competitorContext: competitors,
    // The buyer's requested terms first: where a requirement's words also ask for a term, the term names it.
    technicalRequirements: distinct([
      ...requestedTechnicalTerms(x, speaker, labels),
      ...cites('technical_requirement', 'security_concern').map((q) => ({
        c: q.c,
        fact: quoteFact(q.c, said(q.c, speaker(q.s.source.recordId))),
      })),
    ]).map((q) => q.fact),
    deadlines: deadlines.map((c) => quoteFact(c, `${KIND.timeline_urgency}: ${said(c)}`)),
  };
}

/** The renewal-risk factors not already quoted among the risks, citing their first record. */
function renewalFacts(x: FactsInput): Fact[] {
  return (x.renewalRisk?.factors ?? [])
    .filter((f) => !QUOTED_FACTORS.has(f.factor))
    .map((f) => ({
      text: `renewal risk +${f.points} ${f.factor.replace(/_/g, ' ')}: ${f.reason}`,
      source: f.evidence[0]?.source ?? `Opportunity ${x.deal.opportunity.id}`,
      ...(f.evidence[0]?.span ? { span: f.evidence[0].span } : {}),
    }));
}

/** Hosting region, health data and a security review, as the buyer asked for them. */
function requestedTechnicalTerms(
  x: FactsInput,
  speaker: ReturnType<typeof speakerOf>,
  labels: Labels,
): { c: Citation; fact: Fact }[] {
  const terms = x.closure?.assessment.terms;
  if (!terms) return [];
  const asked: [string, boolean, string][] = [
    ['residency', terms.residency !== null, `data hosted in ${terms.residency ?? ''}`],
    ['healthData', terms.healthData, 'health data processed (a BAA)'],
    ['securityReview', terms.securityReview, 'a security review'],
  ];
  return asked.flatMap(([term, holds, what]) => {
    const e = terms.evidence[term];
    if (!holds || !e) return [];
    const c = citeEvidence(e, x.closureRecordId, labels);
    const who = speaker(e.span.recordId);
    return [{ c, fact: quoteFact(c, `the buyer asked for ${what}: ${said(c, who)}`, who) }];
  });
}

function recordFacts(x: FactsInput, labels: Labels) {
  const { deal, contract, contractSource } = x;
  const money = (m: number) => formatMoney(m, contract.currency);
  const account = deal.account;
  const terms = x.closure?.assessment.terms;
  return {
    commercialTerms: [
      {
        text: `${money(contract.totalMinor)} over ${contract.termMonths} months from ${contract.startDate}`,
        source: contractSource,
      },
      ...(contract.specialTerms
        ? [{ text: `Special terms: ${contract.specialTerms}`, source: contractSource }]
        : []),
      // What the buyer asked for beyond the standard, in their words, so Finance knows where it came from.
      ...(terms?.nonStandard ?? []).map((ns) => {
        const c = citeEvidence({ span: ns.span, excerpt: ns.text }, x.closureRecordId, labels);
        return quoteFact(c, `requested ${ns.kind.replace(/_/g, ' ')}: ${said(c)}`);
      }),
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
    timeline: [
      { text: `Service starts ${contract.startDate}`, source: contractSource },
      ...deal.lineItems
        .filter((li) => li.serviceDate && li.serviceDate !== contract.startDate)
        .map((li) => ({
          text: `${li.productName} from ${li.serviceDate}`,
          source: `OpportunityLineItem ${li.id}`,
        })),
    ],
  };
}

/** Every fact the deal offers, by section, each with its source record. */
export function collectFacts(x: FactsInput): Record<Section, Fact[]> {
  const assessment = x.closure?.assessment;
  // Signals and handoff facts by kind, as the language module read them.
  const quotes = new Map<string, AssessedSignal[]>();
  for (const s of [...(assessment?.signals ?? []), ...Object.values(assessment?.handoffFacts ?? {}).flat()])
    quotes.set(s.type, [...(quotes.get(s.type) ?? []), s]);
  const labels = labelsFrom([...quotes.values()].flat());
  const people = peopleFacts(x, quotes);
  const { deadlines, ...conversation } = conversationFacts(x, quotes, labels);
  const records = recordFacts(x, labels);
  return {
    ...people,
    ...conversation,
    ...records,
    // The buyer's dates and deadlines, as the language module read them (timeline urgency).
    timeline: [...records.timeline, ...deadlines],
  };
}

/**
 * The legal and security part of the approvers' briefs: for Legal the non-standard clauses with
 * the customer's words and where they were said, the legal risk factors and what changed since
 * the last version; for InfoSec the security asks raised during the sale, the residency and
 * security-review requests, the security clauses the contract commits to and the non-standard
 * security asks. Each statement names the clause or record it comes from.
 */
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import {
  askedFor,
  clip,
  plural,
  recordKind,
  type BriefFacts,
  type Statement,
  type Trace,
} from './brief-facts.ts';

/** Risk factors that are Legal's to weigh (the others are Finance's or the deal's size). */
const LEGAL_FACTORS = new Set(['liability_cap', 'new_jurisdiction', 'legal_topics']);
/** The library's security and data-protection clauses. */
const SECURITY_CLAUSE = /^(security-annex|soc2|encryption|hipaa-baa|data-protection-)/;
/** Request topics about security, data location or who may touch the data. */
const SECURITY_TOPIC =
  /residen|sub-?processor|support access|security|audit|encrypt|breach|penetration|business associate/i;

/** A non-standard clause with the request behind it, as Contract Generation wrote both. */
interface Request {
  clause: ContractOutput['clauses'][number];
  topic: string;
  source: string;
  quote: string | null;
  recordId: string | undefined;
}

/**
 * The request behind each non-standard clause: its rule names the topic and the source
 * (selection.ts: "<topic>: requested by the customer (<source>); ..."), its text quotes the
 * customer ("Requested by Customer (<topic>; <source>): "<words>"").
 */
function requests({ contract, terms, signals }: BriefFacts): Request[] {
  return contract.clauses
    .filter((c) => c.nonStandard)
    .map((clause) => {
      const m = /^(.+?): requested by the customer \((.*)\); no library clause answers it/.exec(clause.rule);
      const topic = m?.[1] ?? clause.id;
      const source = m?.[2] ?? 'the deal';
      const text = contract.snapshot.clauses.find((c) => c.id === clause.id)?.text ?? '';
      const prefix = `Requested by Customer (${topic}; ${source}): "`;
      let quote: string | null = null;
      if (m && text.startsWith(prefix)) {
        const end = text.indexOf('"\n\n', prefix.length);
        quote = text.slice(prefix.length, end >= 0 ? end : text.lastIndexOf('"'));
      }
      const recordId =
        terms?.nonStandard.find((n) => n.text === quote)?.span.recordId ??
        signals.find((s) => s.source?.label === source)?.source?.recordId;
      return { clause, topic, source, quote, recordId };
    });
}

function requestStatement(r: Request, what: string): Statement {
  const where = r.recordId ? `${r.source} (${recordKind(r.recordId, 'record')} ${r.recordId})` : r.source;
  const traces: Trace[] = [{ source: 'Contract', id: r.clause.id, field: 'rule', value: r.clause.rule }];
  if (r.quote !== null)
    traces.push({
      source: recordKind(r.recordId, r.source),
      ...(r.recordId ? { id: r.recordId } : {}),
      field: 'request',
      value: r.quote,
    });
  return {
    text: `${what} ${r.clause.id} (${r.topic}), asked for in ${where}${r.quote ? `: "${clip(r.quote)}"` : ''}; no library clause answers it, so its wording needs Legal.`,
    traces,
  };
}

const contractName = (c: ContractOutput) => `${c.templateTitle ?? c.template} v${c.version}`;

export function legalStatements(facts: BriefFacts): Statement[] {
  const { contract } = facts;
  const asked = requests(facts);
  const clauseCount: Trace = {
    source: 'Contract',
    id: `v${contract.version}`,
    field: 'clauses',
    value: contract.clauses.length,
  };
  const out: Statement[] =
    asked.length > 0
      ? [
          {
            text: `${asked.length} of the ${contract.clauses.length} clauses in ${contractName(contract)} are non-standard.`,
            traces: [
              clauseCount,
              ...asked.map((r) => ({
                source: 'Contract',
                id: r.clause.id,
                field: 'nonStandard',
                value: 'true',
              })),
            ],
          },
          ...asked.map((r) => requestStatement(r, 'Non-standard clause')),
        ]
      : [
          {
            text: `All ${contract.clauses.length} clauses of ${contractName(contract)} come from the clause library; none is non-standard.`,
            traces: [clauseCount],
          },
        ];
  const legalRisks = contract.riskDetails.filter((f) => LEGAL_FACTORS.has(f.factor));
  for (const f of legalRisks)
    out.push({
      text: `Legal risk: ${f.detail}.`,
      traces: [
        { source: 'Contract', id: `v${contract.version}`, field: `risk.${f.factor}`, value: `+${f.points}` },
      ],
    });
  if (legalRisks.length === 0) {
    const law = contract.clauses.find((c) => c.id.startsWith('governing-law-'));
    const cap = contract.clauses.find((c) => c.id.startsWith('liability-cap'));
    out.push({
      text: `No legal risk factor: ${cap ? `liability under ${cap.id} (${cap.rule})` : 'no liability clause beyond the template'}, ${law ? `governing law by ${law.id} (${law.rule})` : "the provider's home law"}, and no legal topic raised during the sale.`,
      traces: [
        {
          source: 'Contract',
          id: `v${contract.version}`,
          field: 'riskFactors',
          value: contract.riskDetails.map((f) => f.factor).join(', ') || 'none',
        },
        ...[cap, law]
          .filter((c) => c !== undefined)
          .map((c) => ({ source: 'Contract', id: c.id, field: 'rule', value: c.rule })),
      ],
    });
  }
  if (contract.changes.length > 0)
    out.push({
      text: `Changed from v${contract.version - 1}: ${contract.changes.join('; ')}.`,
      traces: contract.changes.map((c) => ({
        source: 'Contract',
        id: `v${contract.version}`,
        field: 'change',
        value: c,
      })),
    });
  return out;
}

export function infoSecStatements(facts: BriefFacts): Statement[] {
  const { contract, terms, signals, deal } = facts;
  const out: Statement[] = [];
  const seen = new Set<string>();
  const asks = signals.filter((s) => {
    if (s.type !== 'security_concern' || !s.quote || seen.has(s.quote)) return false;
    seen.add(s.quote);
    return true;
  });
  if (asks.length > 0)
    out.push({
      text: `Security raised during the sale: ${asks
        .slice(0, 3)
        .map((s) => `"${clip(s.quote!)}" (${s.source?.label ?? 'the deal'})`)
        .join('; ')}${asks.length > 3 ? `; and ${plural(asks.length - 3, 'more passage')}` : ''}.`,
      traces: asks.map((s) => ({
        source: recordKind(s.source?.recordId, s.source?.label ?? 'signal'),
        ...(s.source?.recordId ? { id: s.source.recordId } : {}),
        field: 'security_concern',
        value: s.quote!,
      })),
    });
  out.push(
    ...askedFor(terms, [
      ['residency', terms?.residency ? `${terms.residency} data residency` : null],
      ['securityReview', terms?.securityReview ? 'a security review' : null],
      ['healthData', terms?.healthData ? 'health data in scope' : null],
    ]),
  );
  const nonStandard = requests(facts).filter((r) => SECURITY_TOPIC.test(r.topic));
  out.push(...nonStandard.map((r) => requestStatement(r, 'Non-standard security ask')));
  const secure = contract.clauses.filter((c) => SECURITY_CLAUSE.test(c.id));
  const clauseTraces = secure.map((c) => ({
    source: 'Contract',
    id: c.id,
    field: 'rule',
    value: c.because.length > 0 ? `${c.rule} [${c.because.join(', ')}]` : c.rule,
  }));
  const titled = secure.map(
    (c) => `${contract.snapshot.clauses.find((x) => x.id === c.id)?.title ?? c.id} (${c.id})`,
  );
  if (out.length === 0)
    return [
      {
        text: `No security ask in ${deal.opportunity.name}: no security passage among its ${deal.activities.length} ${deal.activities.length === 1 ? 'activity' : 'activities'}, no residency or security-review request, and ${secure.length > 0 ? `only the library's standing ${titled.join(', ')}` : 'no security clause'} in the contract.`,
        traces: [
          {
            source: 'Opportunity',
            id: deal.opportunity.id,
            field: 'activities read',
            value: deal.activities.length,
          },
          { source: 'Deal_Closure__c', field: 'security_concern signals', value: 0 },
          ...clauseTraces,
        ],
      },
    ];
  if (secure.length > 0)
    out.push({ text: `The contract commits to ${titled.join(', ')}.`, traces: clauseTraces });
  return out;
}

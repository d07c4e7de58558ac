/**
 * Term requests to clauses: for every labelled passage that asks for contract terms, the contract
 * Contract Generation plans from what the Deal Closure Agent read (as production: the agent's
 * assessment, its signals and terms, into `planContract`) against the contract it plans, on the
 * same deal and words, from the labelled terms. A request is right when both contracts have the
 * same clauses (library ids, and the non-standard requests by topic) and the same payment days,
 * invoicing frequency and hosting region. Labels never reach the reading: they only make the
 * contract the reading is compared with.
 */
import type { CorpusLine } from '../language/corpus.ts';
import type { RequestedTerms, Span } from '../ports/language.ts';
import { planContract } from '../agents/contract-generation/generate-contract.ts';
import type { DealClosureOutput } from '../agents/deal-closure/deal-closure-agent.ts';
import { contractInput } from '../test-support/contract-input.ts';
import { passageDeal, EVAL_NOW } from './passage-deal.ts';

/** The labelled terms as the reading would state them, with the passage as every term's source. */
export function labelledRequest(
  line: CorpusLine,
  span: Span,
  read: RequestedTerms | undefined,
): RequestedTerms | null {
  const t = line.terms;
  const asked =
    t.payment_days !== null ||
    t.billing !== null ||
    t.residency !== null ||
    t.health_data ||
    t.security_review ||
    t.multi_year ||
    t.non_standard.length > 0;
  if (!asked) return null;
  const base: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({
    billing: t.billing,
    residency: t.residency,
    healthData: t.health_data,
    securityReview: t.security_review,
    multiYear: t.multi_year,
  }))
    base[k] = v;
  return {
    ...(base as Omit<RequestedTerms, 'paymentDays' | 'nonStandard' | 'evidence'>),
    // Labels say whether more than a year is asked for, not how long: the read length when there
    // is one (it is not scored), else two years.
    termMonths: t.multi_year ? (read?.termMonths ?? 24) : null,
    paymentDays: t.payment_days,
    nonStandard: t.non_standard.map((kind) => ({ kind, text: line.text.slice(0, 400), span })),
    evidence: {},
  } as RequestedTerms;
}

/** What a contract commits to on the terms a buyer asks about. */
function contractTerms(
  line: CorpusLine,
  terms: RequestedTerms | null,
  signals: DealClosureOutput['assessment']['signals'],
) {
  const { deal } = passageDeal(line);
  const { model, derived } = planContract(
    contractInput(deal, signals, { terms, agreementNumber: 'EVAL0001', createdAt: EVAL_NOW }),
  );
  return {
    clauses: model.clauses.map((c) => (c.nonStandard ? `non-standard:${c.rule.split(':')[0]}` : c.id)).sort(),
    paymentDays: derived.facts.requestedPaymentDays,
    billing: derived.facts.billingFrequency,
    residency: derived.facts.dataResidency,
  };
}

export interface TermClauseRow {
  id: string;
  lang: string;
  split: string;
  exact: boolean;
  /** The differences, for dev-split error analysis only. */
  diff?: string[];
}

export function scoreTermClauses(
  line: CorpusLine,
  split: string,
  output: DealClosureOutput,
): TermClauseRow | null {
  const span: Span = {
    recordId: passageDeal(line).deal.opportunity.id,
    source: line.source,
    start: 0,
    end: Math.min(line.text.length, 400),
    occurredAt: EVAL_NOW.toISOString(),
  } as Span;
  const gold = labelledRequest(line, span, output.assessment.terms);
  if (!gold) return null;
  const signals = output.assessment.signals;
  const want = contractTerms(line, gold, signals);
  const got = contractTerms(line, output.assessment.terms ?? null, signals);
  const diff: string[] = [];
  const missing = want.clauses.filter((c) => !got.clauses.includes(c));
  const extra = got.clauses.filter((c) => !want.clauses.includes(c));
  if (missing.length) diff.push(`missing ${missing.join(', ')}`);
  if (extra.length) diff.push(`extra ${extra.join(', ')}`);
  for (const k of ['paymentDays', 'billing', 'residency'] as const)
    if (want[k] !== got[k]) diff.push(`${k} ${String(got[k])} instead of ${String(want[k])}`);
  return { id: line.id, lang: line.lang, split, exact: diff.length === 0, diff };
}

export function termClauseReport(rows: TermClauseRow[]) {
  const rate = (rs: TermClauseRow[]) =>
    rs.length === 0 ? null : Math.round((rs.filter((r) => r.exact).length / rs.length) * 10_000) / 10_000;
  const by = (split: string) => {
    const rs = rows.filter((r) => r.split === split);
    return {
      requests: rs.length,
      exactClauses: rate(rs),
      ...Object.fromEntries(
        ['en', 'de', 'fr', 'es'].map((l) => {
          const ls = rs.filter((r) => r.lang === l);
          return [l, { requests: ls.length, exactClauses: rate(ls) }];
        }),
      ),
    };
  };
  return { dev: by('dev'), test: by('test') };
}

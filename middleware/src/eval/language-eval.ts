/**
 * The language module's evaluation on the labelled corpus (test/fixtures/language): each passage
 * becomes a deal and the Deal Closure Agent's own entry point decides (passage-deal.ts), as in
 * production; its confidence, signals, competitors and the requested terms it hands to Contract
 * Generation are scored
 * per split and language: readiness (accuracy, precision, recall, F1, expected calibration error,
 * Brier score, the share of confident answers and how often they are right), each signal's
 * precision, recall and F1, requested-terms exact match and competitor names. The test split is
 * checked against the hashes recorded when it was frozen; a changed test file stops the report.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HANDOFF_FACTS, SIGNALS, type RequestedTerms } from '../ports/language.ts';
import { HEAD_INDEX } from '../language/heads.ts';
import type { CorpusLine } from '../language/corpus.ts';
import { OfflineLanguageReader } from '../language/reader.ts';
import {
  asDealText,
  CORPUS_DIR,
  loadCorpus,
  readSplits,
  type LabelledPassage,
} from '../language/training.ts';
import { closePassage } from './passage-deal.ts';
import { scoreTermClauses, termClauseReport, type TermClauseRow } from './term-clauses.ts';

export function checkFrozenTestSplit(): void {
  const splits = readSplits();
  const frozen = [
    ...splits.test.map((t) => ({ ...t, path: join(CORPUS_DIR, 'corpus', t.file) })),
    ...(splits.handoff?.test ?? []).map((t) => ({ ...t, path: join(CORPUS_DIR, 'handoff', t.file) })),
  ];
  for (const t of frozen) {
    const sha = createHash('sha256').update(readFileSync(t.path)).digest('hex');
    if (sha !== t.sha256)
      throw new Error(
        `test split file ${t.file} has changed since it was frozen (sha256 ${sha}, recorded ${t.sha256})`,
      );
  }
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const ratio = (a: number, b: number) => (b === 0 ? null : r4(a / b));

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}
const empty = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });
function count(c: Counts, truth: boolean, said: boolean): void {
  if (truth && said) c.tp++;
  else if (said) c.fp++;
  else if (truth) c.fn++;
  else c.tn++;
}
function prf(c: Counts) {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 =
    precision !== null && recall !== null && precision + recall > 0
      ? r4((2 * precision * recall) / (precision + recall))
      : null;
  return {
    n: c.tp + c.fp + c.fn + c.tn,
    positives: c.tp + c.fn,
    accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.fn + c.tn),
    precision,
    recall,
    f1,
  };
}

/** Expected calibration error over ten equal-width bins, and the Brier score. */
export function calibration(p: number[], y: boolean[]) {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, y: 0 }));
  let brier = 0;
  p.forEach((v, i) => {
    const b = bins[Math.min(9, Math.floor(v * 10))]!;
    b.n++;
    b.p += v;
    b.y += y[i] ? 1 : 0;
    brier += (v - (y[i] ? 1 : 0)) ** 2;
  });
  const ece = bins.reduce(
    (s, b) => s + (b.n === 0 ? 0 : (b.n / p.length) * Math.abs(b.p / b.n - b.y / b.n)),
    0,
  );
  const confident = p.map((v, i) => ({ v, y: y[i]! })).filter(({ v }) => v >= 0.8 || v <= 0.2);
  return {
    ece: p.length ? r4(ece) : null,
    brier: p.length ? r4(brier / p.length) : null,
    confidentShare: ratio(confident.length, p.length),
    confidentAccuracy: ratio(confident.filter(({ v, y: t }) => v >= 0.5 === t).length, confident.length),
  };
}

function termsOf(t: RequestedTerms | undefined) {
  return {
    payment_days: t?.paymentDays ?? null,
    billing: t?.billing ?? null,
    residency: t?.residency ?? null,
    health_data: t?.healthData ?? false,
    security_review: t?.securityReview ?? false,
    multi_year: t?.multiYear ?? false,
    non_standard: (t?.nonStandard ?? []).map((n) => n.kind).sort(),
  };
}

const NONE = JSON.stringify(termsOf(undefined));

function labelledTerms(line: CorpusLine): string {
  return JSON.stringify({ ...line.terms, non_standard: [...line.terms.non_standard].sort() });
}

/** What the agent said about one passage's deal. */
export interface Verdict {
  confidence: number;
  signals: Set<string>;
  competitors: string[];
  terms: RequestedTerms | undefined;
  handoff: Set<string>;
}

export interface ScoredLine {
  p: LabelledPassage;
  verdict: Verdict;
}

function report(rows: ScoredLine[]) {
  const ready = empty();
  const signals = Object.fromEntries(SIGNALS.map((s) => [s, empty()]));
  const terms = { rows: 0, exact: 0, withTerms: 0, withTermsExact: 0, names: 0, namesFound: 0 };
  const handoff = Object.fromEntries(HANDOFF_FACTS.map((f) => [f, empty()]));
  for (const { p, verdict } of rows) {
    count(ready, p.line.ready, verdict.confidence >= 0.5);
    for (const s of SIGNALS) count(signals[s]!, p.line.signals.includes(s), verdict.signals.has(s));
    for (const f of HANDOFF_FACTS) {
      const label = p.y[HEAD_INDEX.get(f)!]!;
      if (!Number.isNaN(label)) count(handoff[f]!, label === 1, verdict.handoff.has(f));
    }
    if (p.file.startsWith('signals/')) continue; // the older corpus carries no terms or names
    const said = JSON.stringify(termsOf(verdict.terms));
    const want = labelledTerms(p.line);
    terms.rows++;
    if (said === want) terms.exact++;
    if (said !== NONE || want !== NONE) {
      terms.withTerms++;
      if (said === want) terms.withTermsExact++;
    }
    if (p.line.competitor) {
      terms.names++;
      if (verdict.competitors.includes(p.line.competitor)) terms.namesFound++;
    }
  }
  const f1s = SIGNALS.map((s) => prf(signals[s]!).f1 ?? 0);
  return {
    n: rows.length,
    readiness: {
      ...prf(ready),
      ...calibration(
        rows.map((r) => r.verdict.confidence),
        rows.map((r) => r.p.line.ready),
      ),
    },
    signals: Object.fromEntries(SIGNALS.map((s) => [s, prf(signals[s]!)])),
    signalMacroF1: r4(f1s.reduce((a, b) => a + b, 0) / f1s.length),
    terms: {
      exactMatch: ratio(terms.exact, terms.rows),
      passages: terms.rows,
      exactMatchWhereTermsAreLabelledOrRead: ratio(terms.withTermsExact, terms.withTerms),
      passagesWithTerms: terms.withTerms,
    },
    competitorNames: { labelled: terms.names, found: ratio(terms.namesFound, terms.names) },
    handoffFacts: Object.fromEntries(HANDOFF_FACTS.map((f) => [f, prf(handoff[f]!)])),
  };
}

export async function evaluateLanguage(options: { errors: boolean; reader?: OfflineLanguageReader }) {
  checkFrozenTestSplit();
  const reader = options.reader ?? new OfflineLanguageReader();
  const { passages } = loadCorpus({ withTest: true });
  const rows: ScoredLine[] = [];
  const clauseRows: TermClauseRow[] = [];
  for (const p of passages) {
    const { output } = await closePassage(p.line, reader);
    const a = output.assessment;
    // The older corpus (signals/) carries no term labels.
    const clauses = p.file.startsWith('signals/') ? null : scoreTermClauses(p.line, p.split, output);
    if (clauses) clauseRows.push(clauses);
    rows.push({
      p,
      verdict: {
        confidence: a.confidence,
        signals: new Set(a.signals.map((s) => s.type)),
        competitors: a.competitors ?? [],
        terms: a.terms,
        handoff: new Set(
          Object.entries(a.handoffFacts ?? {})
            .filter(([, list]) => list.length > 0)
            .map(([f]) => f),
        ),
      },
    });
  }
  const bySplit = (split: string) => rows.filter((r) => r.p.split === split);
  const section = (split: string) => {
    const all = bySplit(split);
    return {
      all: report(all),
      ...Object.fromEntries(
        ['en', 'de', 'fr', 'es'].map((l) => [l, report(all.filter((r) => r.p.line.lang === l))]),
      ),
    };
  };
  return {
    model: reader.version,
    splits: { dev: section('dev'), test: section('test') },
    termClauses: termClauseReport(clauseRows),
    timing: timing(reader, passages),
    devErrors: options.errors
      ? bySplit('dev')
          .filter((r) => r.verdict.confidence >= 0.5 !== r.p.line.ready)
          .map((r) => ({
            id: r.p.line.id,
            ready: r.p.line.ready,
            confidence: r.verdict.confidence,
            text: r.p.line.text.slice(0, 300),
          }))
      : undefined,
    // Dev only: the test split's mistakes are not looked at.
    devTermClauseErrors: options.errors
      ? clauseRows.filter((r) => r.split === 'dev' && !r.exact).map((r) => ({ id: r.id, diff: r.diff }))
      : undefined,
  };
}

/** The module's own cost: every passage read three times, the last two timed. */
export function timing(reader: OfflineLanguageReader, passages: LabelledPassage[]) {
  const texts = passages.map((p) => ({ text: asDealText(p.line), sellerNames: [p.line.rep] }));
  let read = 0;
  let ms = 0;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let n = 0;
    for (const t of texts) n += reader.read([t.text], { sellerNames: t.sellerNames }).passages.length;
    if (round > 0) {
      ms += performance.now() - started;
      read += n;
    }
  }
  return { passages: read / 2, msPerPassage: r4(ms / read) };
}

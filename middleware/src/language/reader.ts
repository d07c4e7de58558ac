/**
 * The offline language reader: the trained model applied to every passage of a deal's texts, and
 * the deal-level readiness, signals, competitors and requested terms drawn from the passages.
 * Every value cites its record and character span.
 */
import {
  HANDOFF_FACTS,
  NON_STANDARD_REQUESTS,
  SIGNALS,
  type BILLING_FREQUENCIES,
  type RESIDENCY_REGIONS,
  type DealReading,
  type DealText,
  type Evidence,
  type LanguagePort,
  type PassageReading,
  type ReadOptions,
  type SignalName,
  type Span,
} from '../ports/language.ts';
import { loadModel, type LoadedModel } from './artifact.ts';
import { CANDIDATE_FINDERS, candidateVector, termMonths, type Candidate } from './candidates.ts';
import { detectLanguage, featurize, type Lang } from './features.ts';
import { HEAD_INDEX } from './heads.ts';
import { calibrated, combinedProbabilities, logits, pooled, sigmoid, type LinearModel } from './linear.ts';
import { segment, type Passage } from './text.ts';

/** A deal is read up to this many passages (the most recent); each costs well under a millisecond. */
export const MAX_PASSAGES = 400;
const EXCERPT = 600;

export interface ScoredPassage {
  reading: PassageReading;
  /** Calibrated probability per head, in HEADS order. */
  probabilities: Float64Array;
  order: number;
  /** The passage's strongest sentence or turn for a head, as evidence. */
  evidence: (head: string) => Evidence;
}

/** Whether a head holds: its calibrated probability reaches the threshold chosen for it on dev. */
function holdsIn(model: LoadedModel, p: Float64Array, head: string): boolean {
  const h = HEAD_INDEX.get(head)!;
  return p[h]! >= model.meta.thresholds[h]!;
}

function bestCandidate(model: LinearModel, candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  let bestP = 0.5;
  for (const c of candidates) {
    const p = calibrated(model, logits(model, candidateVector(c.features, model.bits)))[0]!;
    if (p > bestP) {
      best = c;
      bestP = p;
    }
  }
  return best;
}

export function readPassage(
  model: LoadedModel,
  record: DealText,
  text: string,
  passage: Passage,
  language: Lang,
): { reading: PassageReading; probabilities: Float64Array; strongest: (head: number) => number } {
  const raw = text.slice(passage.start, passage.end);
  const { features, sentences, tokens } = featurize(
    text,
    passage,
    language,
    record.source,
    model.meta.features,
  );
  const perSentence = sentences.map((f) => logits(model.sentence, f));
  const p = combinedProbabilities(
    model.passage,
    logits(model.passage, features),
    model.sentence,
    pooled(model.sentence, perSentence),
    perSentence.length,
    model.meta.combine,
  );
  const strongest = (h: number) => strongestSentence(perSentence, h);
  const at = (h: string) => p[HEAD_INDEX.get(h)!]!;
  const holds = (h: string) => holdsIn(model, p, h);
  const signals = Object.fromEntries(SIGNALS.map((s) => [s, round(at(s))])) as Record<SignalName, number>;
  // A value is looked for around the sentence that states its head most strongly: it is there
  // almost always, and a long passage's other sentences would only add candidates to score.
  const near = (head: string) => {
    const u = strongest(HEAD_INDEX.get(head)!);
    return tokens.filter((t) => t.unit >= u - 1 && t.unit <= u + 1);
  };
  const pick = (kind: keyof typeof CANDIDATE_FINDERS) => {
    const { head, find } = CANDIDATE_FINDERS[kind];
    return holds(head) ? bestCandidate(model.candidates[kind], find(text, near(head))) : undefined;
  };
  const payment = pick('payment');
  const billing = pick('billing');
  const residency = pick('residency');
  const name = pick('competitor');
  const voices = new Set(passage.units.map((u) => u.voice));
  const reading: PassageReading = {
    span: span(record, passage.start, passage.end),
    excerpt: raw.length > EXCERPT ? `${raw.slice(0, EXCERPT - 1)}…` : raw,
    language,
    voice: voices.has('buyer')
      ? 'buyer'
      : voices.has('rep_report')
        ? 'rep_report'
        : voices.has('seller')
          ? 'seller'
          : 'quoted',
    readiness: round(at('ready')),
    signals,
    handoff: HANDOFF_FACTS.filter((f) => holds(f)),
    competitor: name ? { name: name.value, start: name.start, end: name.end } : null,
    terms: {
      paymentDays: payment ? { days: Number(payment.value), start: payment.start, end: payment.end } : null,
      billing: (billing?.value as (typeof BILLING_FREQUENCIES)[number] | undefined) ?? null,
      residency: (residency?.value as (typeof RESIDENCY_REGIONS)[number] | undefined) ?? null,
      healthData: holds('health_data'),
      securityReview: holds('security_review'),
      multiYear: holds('multi_year'),
      termMonths: holds('multi_year') ? termMonths(near('multi_year')) : null,
      nonStandard: NON_STANDARD_REQUESTS.filter((n) => holds(`ns_${n}`)),
    },
  };
  return { reading, probabilities: p, strongest };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function span(record: DealText, start: number, end: number): Span {
  return { recordId: record.recordId, source: record.source, start, end, occurredAt: record.occurredAt };
}

/** The sentence or turn the sentence model scores highest for a head: that head's evidence. */
export function strongestSentence(perSentence: Float64Array[], head: number): number {
  let best = 0;
  for (let u = 1; u < perSentence.length; u++)
    if (perSentence[u]![head]! > perSentence[best]![head]!) best = u;
  return best;
}

export class OfflineLanguageReader implements LanguagePort {
  readonly model: LoadedModel;

  constructor(model: LoadedModel = loadModel()) {
    this.model = model;
  }

  get version(): string {
    return this.model.meta.version;
  }

  read(texts: DealText[], options: ReadOptions): DealReading {
    const sorted = [...texts].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    const scored: ScoredPassage[] = [];
    let truncated = false;
    for (const record of sorted) {
      const seg = segment(record, options.sellerNames);
      truncated ||= seg.truncated;
      // One language per record, told from its first passage: records seldom switch, and franc
      // is the costliest step after the model itself.
      const first = seg.passages[0];
      const language = first ? detectLanguage(seg.text.slice(first.start, first.end)) : 'und';
      for (const passage of seg.passages) {
        const { reading, probabilities, strongest } = readPassage(
          this.model,
          record,
          seg.text,
          passage,
          language,
        );
        const evidence = (head: string): Evidence => {
          const h = HEAD_INDEX.get(head)!;
          const u = passage.units[strongest(h)] ?? passage;
          return {
            span: span(record, u.start, u.end),
            excerpt: seg.text.slice(u.start, u.end).slice(0, EXCERPT),
            probability: round(probabilities[h]!),
          };
        };
        scored.push({ reading, probabilities, order: scored.length, evidence });
      }
    }
    if (scored.length > MAX_PASSAGES) {
      scored.splice(0, scored.length - MAX_PASSAGES);
      scored.forEach((s, i) => (s.order = i));
      truncated = true;
    }
    return this.aggregate(scored, truncated);
  }

  private aggregate(scored: ScoredPassage[], truncated: boolean): DealReading {
    const model = this.model;
    return {
      passages: scored.map((s) => s.reading),
      readiness: readinessOf(model, scored),
      signals: Object.fromEntries(
        SIGNALS.map((sig) => [sig, evidenceOf(model, scored, sig)]),
      ) as DealReading['signals'],
      handoff: Object.fromEntries(
        HANDOFF_FACTS.map((f) => [f, evidenceOf(model, scored, f)]),
      ) as DealReading['handoff'],
      competitors: scored.flatMap((s) =>
        s.reading.competitor
          ? [
              {
                name: s.reading.competitor.name,
                span: { ...s.reading.span, start: s.reading.competitor.start, end: s.reading.competitor.end },
              },
            ]
          : [],
      ),
      terms: requestedTerms(scored),
      languages: languageCounts(scored),
      truncated,
      model: { version: model.meta.version, corpusSha256: model.meta.corpusSha256 },
    };
  }
}

function readyOf(s: ScoredPassage): number {
  return s.probabilities[HEAD_INDEX.get('ready')!]!;
}

/** A head's passages, newest first, each by its strongest sentence. */
function evidenceOf(model: LoadedModel, scored: ScoredPassage[], head: string): Evidence[] {
  return scored
    .filter((s) => holdsIn(model, s.probabilities, head))
    .reverse()
    .map((s) => s.evidence(head));
}

function readinessOf(model: LoadedModel, scored: ScoredPassage[]): DealReading['readiness'] {
  const holds = (s: ScoredPassage, h: string) => holdsIn(model, s.probabilities, h);
  // The conversation's state is its latest decisive passage: a yes (readiness ≥ 0.5), or a
  // setback (a negation or hesitation, or an objection without a yes). Passages that decide
  // nothing (an update, a scheduling note) leave the state as it was. With nothing decisive,
  // the strongest passage is the deal's best (weak) evidence.
  const decisive = (s: ScoredPassage) =>
    readyOf(s) >= 0.5 || holds(s, 'negation') || holds(s, 'hesitation') || holds(s, 'objection');
  const strongest = scored.reduce<ScoredPassage | undefined>(
    (best, s) => (!best || readyOf(s) > readyOf(best) ? s : best),
    undefined,
  );
  const lastDecisive = scored.findLast(decisive);
  const basis = lastDecisive ?? strongest;
  // After the last yes (or at all, without one): a refusal on record outweighs a later stall.
  const lastYes = scored.findLast((s) => readyOf(s) >= 0.5);
  const since = scored.filter((s) => !lastYes || s.order > lastYes.order);
  const state: DealReading['readiness']['state'] = !lastDecisive
    ? 'undecided'
    : lastDecisive === lastYes
      ? 'committed'
      : since.some((s) => holds(s, 'negation'))
        ? 'refused'
        : 'hesitating';
  return {
    probability: basis ? round(readyOf(basis)) : round(sigmoid(model.passage.bias[0]!)),
    state,
    basis: basis ? basis.evidence('ready') : null,
  };
}

/** The newest passage whose `pick` is a value (not null or false), and that value. */
function latest<T>(
  scored: ScoredPassage[],
  pick: (s: ScoredPassage) => T | null | false,
): { s: ScoredPassage; v: T } | undefined {
  for (let i = scored.length - 1; i >= 0; i--) {
    const v = pick(scored[i]!);
    if (v !== null && v !== false) return { s: scored[i]!, v };
  }
  return undefined;
}

/** The terms the conversation asks for, each as its newest passage states it. */
function requestedTerms(scored: ScoredPassage[]): DealReading['terms'] {
  const evidence: Record<string, Evidence> = {};
  /** A term from the newest passage that states it, with that passage's evidence for its head. */
  const term = <T>(name: string, head: string, pick: (s: ScoredPassage) => T | null | false) => {
    const hit = latest(scored, pick);
    if (hit) evidence[name] = hit.s.evidence(head);
    return hit?.v;
  };
  const paymentDays = term('paymentDays', 'payment_terms', (s) => s.reading.terms.paymentDays?.days ?? null);
  const billing = term('billing', 'billing', (s) => s.reading.terms.billing);
  const residency = term('residency', 'residency', (s) => s.reading.terms.residency);
  const healthData = term('healthData', 'health_data', (s) => s.reading.terms.healthData) ?? false;
  const securityReview =
    term('securityReview', 'security_review', (s) => s.reading.terms.securityReview) ?? false;
  const multiYear = term('multiYear', 'multi_year', (s) => s.reading.terms.multiYear) ?? false;
  const termMonthsAsked = latest(scored, (s) => s.reading.terms.termMonths)?.v ?? null;
  const nonStandard = NON_STANDARD_REQUESTS.flatMap((kind) => {
    const hit = latest(scored, (s) => s.reading.terms.nonStandard.includes(kind));
    if (!hit) return [];
    const e = hit.s.evidence(`ns_${kind}`);
    return [{ kind, text: e.excerpt, span: e.span }];
  });
  return {
    paymentDays: paymentDays ?? null,
    billing: billing ?? null,
    residency: residency ?? null,
    healthData,
    securityReview,
    multiYear,
    termMonths: termMonthsAsked,
    nonStandard,
    evidence,
  };
}

function languageCounts(scored: ScoredPassage[]): Record<string, number> {
  const languages: Record<string, number> = {};
  for (const s of scored) languages[s.reading.language] = (languages[s.reading.language] ?? 0) + 1;
  return languages;
}

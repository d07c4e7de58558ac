/**
 * Values inside a passage: which number is the payment term, and which name is a competitor's.
 * Candidates are found by their form (a number of days; a run of capitalised words), and a small
 * trained linear model scores each from its context, so what makes a number a payment term or a
 * name a vendor is learned from the corpus, not listed here.
 */
import { hash, type Token } from './features.ts';
import {
  BILLING_WORDS,
  CASE_SENSITIVE,
  MONTH_WORDS,
  REGION_WORDS,
  SMALL_NUMBERS,
  YEAR_WORDS,
} from './values.ts';

export interface Candidate {
  start: number;
  end: number;
  /** The payment days, or the name as written. */
  value: string;
  features: string[];
}

/**
 * Numerals that buyers write out for payment terms. A numeral lexicon, not a phrase list: it says
 * what a number word is worth, nothing about what the sentence means.
 */
const NUMBER_WORDS: Record<string, number> = {
  fifteen: 15,
  thirty: 30,
  'forty five': 45,
  sixty: 60,
  'seventy five': 75,
  ninety: 90,
  'one hundred twenty': 120,
  'hundred twenty': 120,
  fünfzehn: 15,
  dreißig: 30,
  dreissig: 30,
  fünfundvierzig: 45,
  sechzig: 60,
  fünfundsiebzig: 75,
  neunzig: 90,
  hundertzwanzig: 120,
  quinze: 15,
  trente: 30,
  'quarante cinq': 45,
  soixante: 60,
  'soixante quinze': 75,
  'quatre vingt dix': 90,
  'cent vingt': 120,
  quince: 15,
  treinta: 30,
  'cuarenta y cinco': 45,
  sesenta: 60,
  'setenta y cinco': 75,
  noventa: 90,
  'ciento veinte': 120,
};

function context(tokens: Token[], from: number, to: number, unitOf: number): string[] {
  const f: string[] = [];
  for (let d = 1; d <= 4; d++) {
    const before = tokens[from - d];
    const after = tokens[to + d - 1];
    if (before && before.unit === unitOf) f.push(`b${Math.min(d, 3)}:${before.stem}`, `bw:${before.stem}`);
    if (after && after.unit === unitOf) f.push(`a${Math.min(d, 3)}:${after.stem}`, `aw:${after.stem}`);
  }
  return f;
}

/** The first words of the lexicon's keys: a token that is none of them starts no value. */
const firstWords = (keys: Iterable<string>) => new Set([...keys].map((k) => k.split(' ')[0]!));
const NUMBER_FIRST = firstWords(Object.keys(NUMBER_WORDS));
const FIRST_WORDS = new WeakMap<Map<string, string>, Set<string>>();

/**
 * The longest run of up to `most` words from token `i` on, within its sentence, that `lookup`
 * recognises, and what it stands for.
 */
function longestMatch<V>(
  tokens: Token[],
  i: number,
  most: number,
  lookup: (key: string, run: Token[]) => V | undefined,
): { value: V; run: Token[]; key: string } | undefined {
  for (let len = most; len >= 1; len--) {
    const run = tokens.slice(i, i + len);
    if (run.length < len || run.some((t) => t.unit !== tokens[i]!.unit)) continue;
    const key = run.map((t) => t.word).join(' ');
    const value = lookup(key, run);
    if (value !== undefined) return { value, run, key };
  }
  return undefined;
}

export function paymentCandidates(tokens: Token[]): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let days: number | undefined;
    let last = i;
    if (/^\d{1,3}$/.test(t.word)) days = Number(t.word);
    else if (NUMBER_FIRST.has(t.word)) {
      const hit = longestMatch(tokens, i, 3, (key) => NUMBER_WORDS[key]);
      if (hit) {
        days = hit.value;
        last = i + hit.run.length - 1;
      }
    }
    if (days === undefined || days < 7 || days > 180) continue;
    out.push({
      start: t.start,
      end: tokens[last]!.end,
      value: String(days),
      features: ['bias', `v:${days % 15 === 0 ? days : 'odd'}`, ...context(tokens, i, last + 1, t.unit)],
    });
  }
  return out;
}

/**
 * Value words of a lexicon (values.ts) in the passage, longest match first: each a candidate whose
 * value is what the word stands for, scored by its context like the payment days.
 */
export function valueCandidates<T extends string>(
  text: string,
  tokens: Token[],
  lexicon: Map<string, T>,
  caseSensitive: Set<string>,
): Candidate[] {
  const out: Candidate[] = [];
  let first = FIRST_WORDS.get(lexicon);
  if (!first) FIRST_WORDS.set(lexicon, (first = firstWords(lexicon.keys())));
  for (let i = 0; i < tokens.length; i++) {
    if (!first.has(tokens[i]!.word)) continue;
    const hit = longestMatch(tokens, i, 4, (key, run) => {
      const value = lexicon.get(key);
      const raw = text.slice(run[0]!.start, run.at(-1)!.end);
      return value !== undefined && (!caseSensitive.has(key) || raw === raw.toUpperCase())
        ? value
        : undefined;
    });
    if (!hit) continue;
    const { value, run, key } = hit;
    out.push({
      start: run[0]!.start,
      end: run.at(-1)!.end,
      value,
      features: ['bias', `v:${value}`, `k:${key}`, ...context(tokens, i, i + run.length, tokens[i]!.unit)],
    });
    i += run.length - 1;
  }
  return out;
}

/**
 * The length of the term a buyer asks for, in months, from a number next to a year or month word
 * ("3-year", "drei Jahre", "36 mois"); the longest one said. Only read where the model found a
 * multi-year request.
 */
export function termMonths(tokens: Token[]): number | null {
  let best: number | null = null;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    const n = /^\d{1,3}$/.test(t.word) ? Number(t.word) : SMALL_NUMBERS.get(t.word);
    if (n === undefined) continue;
    for (const u of tokens.slice(i + 1, i + 3)) {
      if (u.unit !== t.unit) break;
      const months = YEAR_WORDS.has(u.word) ? n * 12 : MONTH_WORDS.has(u.word) ? n : undefined;
      if (months !== undefined && months > 12 && months <= 120) best = Math.max(best ?? 0, months);
      if (months !== undefined) break;
    }
  }
  return best;
}

const CAPITALISED = /^\p{Lu}/u;

/** Runs of one to three capitalised words (a vendor's name), with their shape and context. */
export function nameCandidates(text: string, tokens: Token[]): Candidate[] {
  const out: Candidate[] = [];
  const raw = (t: Token) => text.slice(t.start, t.end);
  for (let i = 0; i < tokens.length; i++) {
    if (!CAPITALISED.test(raw(tokens[i]!))) continue;
    for (let len = 1; len <= 3; len++) {
      const run = tokens.slice(i, i + len);
      if (run.length < len || run.some((t) => t.unit !== tokens[i]!.unit || !CAPITALISED.test(raw(t)))) break;
      const last = run.at(-1)!;
      // Words of one name are adjacent, joined by a space, a hyphen or a dot at most.
      if (len > 1 && !/^[\s.\-&]{1,3}$/.test(text.slice(run.at(-2)!.end, last.start))) break;
      const value = text.slice(tokens[i]!.start, last.end);
      const first = i === 0 || tokens[i - 1]!.unit !== tokens[i]!.unit;
      // Vendors' names and people's names differ in their letters (Trackora, Nordlicht CRM).
      const letters = `<${run.map((t) => t.word).join('_')}>`;
      const grams: string[] = [];
      for (let k = 0; k + 3 <= letters.length; k++) grams.push(`g:${letters.slice(k, k + 3)}`);
      const repeated = text.split(value).length - 1;
      out.push({
        start: tokens[i]!.start,
        end: last.end,
        value,
        features: [
          'bias',
          `len:${len}`,
          first ? 'unit-first' : 'mid',
          /\p{Lu}{2,}/u.test(value) ? 'caps' : /\p{Ll}\p{Lu}/u.test(value) ? 'camel' : 'title',
          ...run.map((t) => `n:${t.stem}`),
          ...grams,
          `seen:${Math.min(repeated, 3)}`,
          ...context(tokens, i, i + len, tokens[i]!.unit),
        ],
      });
    }
  }
  return out;
}

export function candidateVector(features: string[], bits: number): { index: Int32Array; value: number } {
  const mask = (1 << bits) - 1;
  const index = Int32Array.from(new Set(features.map((f) => hash(f) & mask))).sort();
  return { index, value: 1 / Math.sqrt(index.length) };
}

/**
 * Each candidate model's candidates, and the head that says the passage asks for such a value:
 * one table for training and reading, so both look for the same things.
 */
export const CANDIDATE_FINDERS = {
  payment: { head: 'payment_terms', find: (_text: string, tokens: Token[]) => paymentCandidates(tokens) },
  billing: {
    head: 'billing',
    find: (text: string, tokens: Token[]) => valueCandidates(text, tokens, BILLING_WORDS, CASE_SENSITIVE),
  },
  residency: {
    head: 'residency',
    find: (text: string, tokens: Token[]) => valueCandidates(text, tokens, REGION_WORDS, CASE_SENSITIVE),
  },
  competitor: { head: 'competitor_mention', find: nameCandidates },
} as const;

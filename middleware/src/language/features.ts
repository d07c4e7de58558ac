/**
 * Features of a passage for the linear model: words tokenized by ICU's word segmenter
 * (Intl.Segmenter), stemmed by the Snowball stemmer of the passage's language (snowball-stemmers),
 * the language told by franc-min. Each word counts as itself, with its speaker's voice, and in the
 * passage's closing sentences; pairs of neighbouring words; and the word's character 3- and
 * 4-grams, which carry typos, inflections and compounds the stems miss. Features are hashed into a
 * fixed number of buckets (the hashing trick), so the model needs no vocabulary.
 */
import { franc } from 'franc-min';
import snowball from 'snowball-stemmers';
import type { TextSource } from '../ports/language.ts';
import type { Passage, Voice } from './text.ts';

export type Lang = 'en' | 'de' | 'fr' | 'es' | 'und';

export const BUCKET_BITS = 18;
export const BUCKETS = 1 << BUCKET_BITS;
const MASK = BUCKETS - 1;

const FRANC_CODES: Record<string, Lang> = { eng: 'en', deu: 'de', fra: 'fr', spa: 'es' };
const STEMMERS = {
  en: snowball.newStemmer('english'),
  de: snowball.newStemmer('german'),
  fr: snowball.newStemmer('french'),
  es: snowball.newStemmer('spanish'),
};
const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });

/** franc needs some letters to tell four languages apart; shorter text is undetermined. */
export function detectLanguage(text: string): Lang {
  // A couple of hundred characters tell four languages apart about as well as thousands, at a
  // fraction of franc's cost (it counts every trigram of what it is given).
  const sample = text.length > 160 ? text.slice(0, 160) : text;
  const code = franc(sample, { only: ['eng', 'deu', 'fra', 'spa'], minLength: 12 });
  return FRANC_CODES[code] ?? 'und';
}

/** FNV-1a, 32 bits: the same string always lands in the same bucket, on every machine. */
export function hash(s: string): number {
  return hashFrom(0x811c9dc5, s, 0, s.length);
}

/** FNV-1a continued over s[from, to), so a prefix's hash is reused without building strings. */
function hashFrom(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Stems by language, remembered: a deal's words repeat, and stemming is the costly step. */
const stemCaches = { en: new Map<string, string>(), de: new Map(), fr: new Map(), es: new Map() };
function stemOf(lang: Lang, word: string): string {
  if (lang === 'und') return word;
  const cache = stemCaches[lang];
  let stem = cache.get(word);
  if (stem === undefined) {
    if (cache.size > 20_000) cache.clear();
    stem = STEMMERS[lang].stem(word);
    cache.set(word, stem);
  }
  return stem;
}

/** FNV-1a of a feature's prefix, so each feature's hash continues it without building strings. */
const prefix = (p: string) => hashFrom(0x811c9dc5, p, 0, p.length);
const SPACE = ' ';
const PREFIXES = Object.fromEntries(
  (['b', 's', 'r', 'q'] as const).map((v) => [
    v,
    {
      own: prefix(`${v}:`),
      last: prefix(`L${v}:`),
      pair: prefix(`${v}2:`),
      skip: prefix(`${v}3:`),
      first: prefix(`${v}^:`),
    },
  ]),
) as Record<'b' | 's' | 'r' | 'q', { own: number; last: number; pair: number; skip: number; first: number }>;
const WORD = prefix('w:');

export interface Token {
  /** The lower-cased word as written. */
  word: string;
  stem: string;
  start: number;
  end: number;
  /** Which unit (sentence or turn) of the passage it is in. */
  unit: number;
}

const VOICE_TAG = { buyer: 'b', seller: 's', rep_report: 'r', quoted: 'q' } as const satisfies Record<
  Voice,
  string
>;

const hasDigit = (w: string) => {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
};

export function tokenize(text: string, passage: Passage, lang: Lang): Token[] {
  const tokens: Token[] = [];
  const units = passage.units;
  if (units.length === 0) return tokens;
  // One pass of the segmenter over the passage; words between units (a speaker label) are skipped.
  let unit = 0;
  for (const w of wordSegmenter.segment(text.slice(passage.start, passage.end))) {
    const start = passage.start + w.index;
    while (unit < units.length && start >= units[unit]!.end) unit++;
    if (unit === units.length) break;
    if (start < units[unit]!.start) continue;
    const isPunct = w.segment === '?' || w.segment === '!';
    if (!w.isWordLike && !isPunct) continue;
    const word = w.segment.toLowerCase();
    const stem = isPunct ? word : hasDigit(word) ? word.replace(/\d+/g, '0') : stemOf(lang, word);
    tokens.push({ word, stem, start, end: start + w.segment.length, unit });
  }
  return tokens;
}

/** Per thread, made on first use: which passage (and which sentence) last added a bucket. */
let seenAt: Int32Array | undefined;
let seenInUnit: Int32Array | undefined;
let stamp = 0;
let unitStamp = 0;

export interface FeatureVector {
  /** Bucket indices, each once, in the order the text produced them. */
  index: Int32Array;
  /** Every feature's value: 1/√(number of features), so long texts weigh as much as short ones. */
  value: number;
}

/** Which feature families a model uses; the artifact records it, so reading matches training. */
export interface FeatureSet {
  /** Character n-gram lengths (3 and 4 by default). */
  charGrams: number[];
  /** Word pairs two apart (`a _ b`). */
  skipPairs: boolean;
  /** The record's source and a length bucket as features of their own. */
  sourceFeatures?: boolean;
}

export const DEFAULT_FEATURES: FeatureSet = { charGrams: [3, 4], skipPairs: true, sourceFeatures: true };

const CHAR_PREFIX = new Map([2, 3, 4, 5].map((n) => [n, hashFrom(0x811c9dc5, `c${n}:`, 0, 3)]));

const lengthBucket = (n: number) => (n < 4 ? 0 : n < 12 ? 1 : n < 40 ? 2 : n < 150 ? 3 : 4);

/** Bucket indices, each once: deduplicated with a stamp table instead of a sort. */
class Sink {
  readonly index: number[] = [];
  private readonly seen: Int32Array;
  private readonly mark: number;
  constructor(seen: Int32Array, mark: number) {
    this.seen = seen;
    this.mark = mark;
  }
  add(h: number): void {
    const b = h & MASK;
    if (this.seen[b] === this.mark) return;
    this.seen[b] = this.mark;
    this.index.push(b);
  }
  vector(): FeatureVector {
    return { index: Int32Array.from(this.index), value: 1 / Math.sqrt(Math.max(1, this.index.length)) };
  }
}

function nextStamp(current: number, table: Int32Array): number {
  if (current === 0x7fffffff) {
    table.fill(0);
    return 1;
  }
  return current + 1;
}

/**
 * The passage's features, each sentence's (or turn's) own features, and the tokens. A sentence's
 * features are those its words give the passage, each sentence read as if it closed the passage;
 * the sentence model scores them one by one, so it learns which sentence states a thing.
 */
export function featurize(
  text: string,
  passage: Passage,
  lang: Lang,
  source: TextSource,
  set: FeatureSet = DEFAULT_FEATURES,
): { features: FeatureVector; sentences: FeatureVector[]; tokens: Token[] } {
  const tokens = tokenize(text, passage, lang);
  seenAt ??= new Int32Array(BUCKETS);
  seenInUnit ??= new Int32Array(BUCKETS);
  stamp = nextStamp(stamp, seenAt);
  const whole = new Sink(seenAt, stamp);
  const sentences: Sink[] = [];
  const counts = new Int32Array(passage.units.length);
  for (const t of tokens) counts[t.unit]!++;
  const sentence = (u: number) => {
    while (sentences.length <= u) {
      unitStamp = nextStamp(unitStamp, seenInUnit!);
      const s = new Sink(seenInUnit!, unitStamp);
      if (set.sourceFeatures !== false) {
        s.add(hash(`src=${source}`));
        s.add(hash(`len=${lengthBucket(counts[sentences.length]!)}`));
      }
      sentences.push(s);
    }
    return sentences[u]!;
  };
  const n = tokens.length;
  if (set.sourceFeatures !== false) {
    whole.add(hash(`src=${source}`));
    whole.add(hash(`len=${lengthBucket(n)}`));
  }
  const lastUnits = passage.units.length - 2;
  const of = (h: number, str: string) => hashFrom(h, str, 0, str.length);
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    const own = sentence(t.unit);
    const both = (h: number) => {
      whole.add(h);
      own.add(h);
    };
    const p = PREFIXES[VOICE_TAG[passage.units[t.unit]!.voice]];
    // The same hashes as hash(`w:${stem}`), hash(`${v}2:${stem} ${next}`), …, computed in place.
    both(of(WORD, t.stem));
    both(of(p.own, t.stem));
    const last = of(p.last, t.stem);
    own.add(last);
    if (t.unit >= lastUnits) whole.add(last);
    const next = tokens[i + 1];
    if (next && next.unit === t.unit) {
      both(of(of(of(p.pair, t.stem), SPACE), next.stem));
      const after = tokens[i + 2];
      if (set.skipPairs && after && after.unit === t.unit)
        both(of(of(of(p.skip, t.stem), SPACE), after.stem));
    }
    if (i === 0 || tokens[i - 1]!.unit !== t.unit) both(of(p.first, t.stem));
    const w = `<${t.word}>`;
    if (w.length > 4 && t.stem !== '0' && !hasDigit(t.word)) {
      for (const g of set.charGrams) {
        const h0 = CHAR_PREFIX.get(g)!;
        for (let k = 0; k + g <= w.length; k++) both(hashFrom(h0, w, k, k + g));
      }
    }
  }
  // Every unit has its vector, a unit without words too (its source and length alone).
  sentence(passage.units.length - 1);
  return { features: whole.vector(), sentences: sentences.map((s) => s.vector()), tokens };
}

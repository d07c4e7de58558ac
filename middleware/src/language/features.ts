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
  // A few hundred characters tell four languages apart as well as thousands, at a fraction of the cost.
  const sample = text.length > 600 ? text.slice(0, 600) : text;
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

const C3 = hashFrom(0x811c9dc5, 'c3:', 0, 3);
const C4 = hashFrom(0x811c9dc5, 'c4:', 0, 3);

/** Stems by language, remembered: a deal's words repeat, and stemming is the costly step. */
const stemCache = new Map<string, string>();
function stemOf(lang: Lang, word: string): string {
  if (lang === 'und') return word;
  const key = `${lang}:${word}`;
  let stem = stemCache.get(key);
  if (stem === undefined) {
    if (stemCache.size > 50_000) stemCache.clear();
    stem = STEMMERS[lang].stem(word);
    stemCache.set(key, stem);
  }
  return stem;
}

export interface Token {
  /** The lower-cased word as written. */
  word: string;
  stem: string;
  start: number;
  end: number;
  /** Which unit (sentence or turn) of the passage it is in. */
  unit: number;
}

const VOICE_TAG: Record<Voice, string> = { buyer: 'b', seller: 's', rep_report: 'r', quoted: 'q' };

export function tokenize(text: string, passage: Passage, lang: Lang): Token[] {
  const tokens: Token[] = [];
  passage.units.forEach((u, unit) => {
    const slice = text.slice(u.start, u.end);
    for (const w of wordSegmenter.segment(slice)) {
      const isPunct = w.segment === '?' || w.segment === '!';
      if (!w.isWordLike && !isPunct) continue;
      const word = w.segment.toLowerCase();
      const stem = isPunct || /\d/.test(word) ? word.replace(/\d+/g, '0') : stemOf(lang, word);
      tokens.push({ word, stem, start: u.start + w.index, end: u.start + w.index + w.segment.length, unit });
    }
  });
  return tokens;
}

export interface FeatureVector {
  /** Bucket indices, ascending, each once. */
  index: Int32Array;
  /** One value per index. */
  value: Float32Array;
  /** For each index, the unit (sentence or turn) that produced it last, for evidence; -1 for none. */
  units?: Int32Array;
}

/** The passage's features and tokens. */
export function featurize(
  text: string,
  passage: Passage,
  lang: Lang,
  source: TextSource,
): { features: FeatureVector; tokens: Token[] } {
  const tokens = tokenize(text, passage, lang);
  // Hashes and their units in growable typed arrays: a Map per passage costs more than the model.
  let keys = new Int32Array(64 + tokens.length * 24);
  let owners = new Int32Array(keys.length);
  let size = 0;
  const addHash = (h: number, unit: number) => {
    if (size === keys.length) {
      const k = new Int32Array(size * 2);
      k.set(keys);
      keys = k;
      const o = new Int32Array(size * 2);
      o.set(owners);
      owners = o;
    }
    keys[size] = h & MASK;
    owners[size++] = unit;
  };
  const add = (f: string, unit: number) => addHash(hash(f), unit);
  const lastUnits = passage.units.length - 2;
  add(`src=${source}`, -1);
  const n = tokens.length;
  add(`len=${n < 4 ? 0 : n < 12 ? 1 : n < 40 ? 2 : n < 150 ? 3 : 4}`, -1);
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    const v = VOICE_TAG[passage.units[t.unit]!.voice];
    add(`w:${t.stem}`, t.unit);
    add(`${v}:${t.stem}`, t.unit);
    if (t.unit >= lastUnits) add(`L${v}:${t.stem}`, t.unit);
    const next = tokens[i + 1];
    if (next && next.unit === t.unit) {
      add(`${v}2:${t.stem} ${next.stem}`, t.unit);
      const after = tokens[i + 2];
      if (after && after.unit === t.unit) add(`${v}3:${t.stem} ${after.stem}`, t.unit);
    }
    if (i === 0 || tokens[i - 1]!.unit !== t.unit) add(`${v}^:${t.stem}`, t.unit);
    const w = `<${t.word}>`;
    if (w.length > 4 && !/\d/.test(w)) {
      for (let k = 0; k + 3 <= w.length; k++) addHash(hashFrom(C3, w, k, k + 3), t.unit);
      for (let k = 0; k + 4 <= w.length; k++) addHash(hashFrom(C4, w, k, k + 4), t.unit);
    }
  }
  // Bucket and position packed in one number sort natively; the last unit to add a bucket wins.
  const packed = new Float64Array(size);
  for (let i = 0; i < size; i++) packed[i] = keys[i]! * 2 ** 21 + i;
  packed.sort();
  const index: number[] = [];
  const unitOf: number[] = [];
  for (let i = 0; i < size; i++) {
    const k = Math.floor(packed[i]! / 2 ** 21);
    const unit = owners[packed[i]! - k * 2 ** 21]!;
    if (index.length > 0 && index[index.length - 1] === k) unitOf[unitOf.length - 1] = unit;
    else {
      index.push(k);
      unitOf.push(unit);
    }
  }
  const value = new Float32Array(index.length).fill(1 / Math.sqrt(Math.max(1, index.length)));
  return { features: { index: Int32Array.from(index), value, units: Int32Array.from(unitOf) }, tokens };
}

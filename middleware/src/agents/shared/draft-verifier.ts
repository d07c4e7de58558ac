/**
 * The check a drafted sentence passes before anyone reads it. A sentence is kept only when it
 * cites facts that exist and everything checkable in it is in the facts it cites: every number,
 * amount and percentage (read as people write them: 1,200 / 1200 / €1.2k / EUR 1,200.00), every
 * date (2026-12-28 / December 28, 2026 / 28 Dec 2026), every capitalised word (the names of
 * people, companies, products and places), every code (Q3, S/4HANA, an email address) and every
 * quotation, verbatim in a cited fact's quote.
 *
 * What someone wrote or said stays theirs: a figure or name that occurs only inside a fact's quote
 * may appear only inside a quotation of it. So buyer words can be repeated as words, never turned
 * into an assertion (an injected "Legal approved 90%" can be quoted, not stated). Plain lower-case
 * words are not checked: that is as far as a check without a second model can go.
 */
import { z } from 'zod';
import { ONES, TENS } from '../../domain/money.ts';

export const DraftFactSchema = z.object({
  /** How a sentence cites the fact. */
  id: z.string().regex(/^[\w.:-]{1,80}$/, 'letters, digits, _ . : - (at most 80)'),
  /** The fact in the agent's words over its records. */
  statement: z.string().min(1),
  /** Figures, dates or names the fact vouches for beyond its statement (a goal's figures). */
  values: z.array(z.string()).default([]),
  /** Words as someone wrote or said them; a draft repeats them only inside quotation marks. */
  quote: z.string().optional(),
  /** `<SObject> <id>` of the record the fact comes from. */
  source: z.string().min(1),
});
export type DraftFact = z.output<typeof DraftFactSchema>;

export const DROP_REASONS = [
  'no_fact',
  'unknown_fact',
  'unsupported_quote',
  'unsupported_date',
  'unsupported_number',
  'unsupported_name',
  'unsupported_code',
  'over_limit',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export type Verdict = { kept: true } | { kept: false; reason: DropReason; detail: string };

interface Quantity {
  /** The readings of the digits (1,200 is 1200 in English and 1.2 in German). */
  values: number[];
  /** The digits as written, for a run no reading fits (a version 1.2.3). */
  raw: string;
  /** A currency (ISO code) or '%'; null for a bare number. */
  unit: string | null;
}
interface DateParts {
  y?: number;
  m?: number;
  d?: number;
}
/** What a text lets a sentence say: its words, quantities, dates, and the text for addresses. */
interface Material {
  words: Set<string>;
  quantities: Quantity[];
  dates: DateParts[];
  text: string;
}
export interface Evidence {
  /** What the fact states (its statement without the quote, its values and its source). */
  said: Material;
  /** Its quote, normalised for the verbatim check. */
  quote: string | null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const TH = '(?:st|nd|rd|th)?';
const monthOf = (name: string) => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
const n = (s: string | undefined) => Number(s);

/** Date forms, longest first so "December 28, 2026" is one date, not a date and a number. */
const DATE_FORMS: [RegExp, (m: RegExpMatchArray) => DateParts[]][] = [
  [
    /\b(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?/g,
    (m) => [{ y: n(m[1]), m: n(m[2]), d: n(m[3]) }],
  ],
  [
    new RegExp(`\\b(${MONTH})\\.?\\s+(\\d{1,2})${TH},?\\s+(\\d{4})\\b`, 'gi'),
    (m) => [{ y: n(m[3]), m: monthOf(m[1]!), d: n(m[2]) }],
  ],
  [
    new RegExp(`\\b(\\d{1,2})${TH}\\s+(?:of\\s+)?(${MONTH})\\.?,?\\s+(\\d{4})\\b`, 'gi'),
    (m) => [{ y: n(m[3]), m: monthOf(m[2]!), d: n(m[1]) }],
  ],
  [new RegExp(`\\b(${MONTH})\\.?,?\\s+(\\d{4})\\b`, 'gi'), (m) => [{ y: n(m[2]), m: monthOf(m[1]!) }]],
  [
    new RegExp(`\\b(${MONTH})\\.?\\s+(\\d{1,2})${TH}\\b(?![:.,]?\\d)`, 'gi'),
    (m) => [{ m: monthOf(m[1]!), d: n(m[2]) }],
  ],
  [
    new RegExp(`\\b(\\d{1,2})${TH}\\s+(?:of\\s+)?(${MONTH})\\b\\.?`, 'gi'),
    (m) => [{ m: monthOf(m[2]!), d: n(m[1]) }],
  ],
  // 03/04/2026 is March 4 or 3 April depending on who wrote it: either reading may match.
  [
    /\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b/g,
    (m) => [
      { y: n(m[3]), m: n(m[1]), d: n(m[2]) },
      { y: n(m[3]), m: n(m[2]), d: n(m[1]) },
    ],
  ],
  [/\b(\d{4})-(\d{2})\b(?!-)/g, (m) => [{ y: n(m[1]), m: n(m[2]) }]],
];
const valid = (d: DateParts) =>
  (d.m === undefined || (d.m >= 1 && d.m <= 12)) && (d.d === undefined || (d.d >= 1 && d.d <= 31));

/** Currencies written as a code before or after an amount (a short list: "SOC 2" is no currency). */
const CODES =
  'EUR|USD|GBP|CHF|JPY|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|INR|CNY|HKD|SGD|BRL|MXN|ZAR|KWD|AED|SAR|KRW|TRY|ILS';
const SYMBOLS: Record<string, string> = {
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
  '₩': 'KRW',
  $: 'USD',
  US$: 'USD',
  CA$: 'CAD',
  A$: 'AUD',
  AU$: 'AUD',
  NZ$: 'NZD',
  HK$: 'HKD',
  MX$: 'MXN',
  R$: 'BRL',
};
const SCALE: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  bn: 1e9,
  billion: 1e9,
};
const NUMBER = new RegExp(
  `(?<![\\p{L}\\p{N}_.,])(?:([A-Z]{0,3}\\p{Sc})\\s?|\\b(${CODES})\\s)?` +
    `(\\d+(?:[.,'\\u00a0\\u202f]\\d+)*)` +
    `(?:\\s?(k|K|m|M|mn|bn|B|thousand|million|billion)(?![\\p{L}\\p{N}]))?` +
    `(?:\\s?(%|percent\\b|per cent\\b))?(?:st|nd|rd|th)?` +
    `(?:\\s?(\\p{Sc})|\\s(${CODES})\\b)?(?![\\p{L}\\p{N}])`,
  'gu',
);
/**
 * Counts written as words (two to ninety-nine, hundred). "One" is left out: it is a pronoun more
 * often than a count ("one of the stakeholders").
 */
const ones = ONES.slice(2).join('|');
const WORD_NUMBER = new RegExp(
  `\\b(?:(${TENS.slice(2).join('|')})(?:[- ](${ONES.slice(1, 10).join('|')}))?|(${ones})|(hundred))\\b`,
  'gi',
);
function wordValue(m: RegExpMatchArray): number {
  const [, tens, unit, small] = m.map((x) => x?.toLowerCase());
  if (tens) return TENS.indexOf(tens) * 10 + (unit ? ONES.indexOf(unit) : 0);
  return small ? ONES.indexOf(small) : 100;
}

/** English (1,200.50) and continental (1.200,50) readings of a run of digits, whichever fit. */
function readings(raw: string): number[] {
  if (/^\d+$/.test(raw)) return [Number(raw)];
  const out = new Set<number>();
  if (/^\d{1,3}(?:[,'\u00a0\u202f]\d{3})*(?:\.\d+)?$|^\d+\.\d+$/.test(raw))
    out.add(Number(raw.replace(/[,'\u00a0\u202f]/g, '')));
  if (/^\d{1,3}(?:[.'\u00a0\u202f]\d{3})*(?:,\d+)?$|^\d+,\d+$/.test(raw))
    out.add(Number(raw.replace(/[.'\u00a0\u202f]/g, '').replace(',', '.')));
  return [...out];
}

function quantityOf(m: RegExpMatchArray): Quantity {
  const [, symbolBefore, codeBefore, digits, scale, percent, symbolAfter, codeAfter] = m;
  const factor = scale ? (SCALE[scale.toLowerCase()] ?? 1) : 1;
  const currency = symbolBefore ?? symbolAfter;
  const unit = percent ? '%' : currency ? (SYMBOLS[currency] ?? currency) : (codeBefore ?? codeAfter ?? null);
  return { values: readings(digits!).map((v) => v * factor), raw: digits!, unit };
}

/** Removes each match of `re` from `text`, handing it to `each` first. */
function take(text: string, re: RegExp, each: (m: RegExpMatchArray) => void): string {
  for (const m of text.matchAll(re)) each(m);
  return text.replace(re, ' ');
}

const ADDRESS = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?:\/\/[^\s"”)]+/g;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const lower = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');

interface Reading {
  addresses: string[];
  dates: DateParts[][];
  quantities: Quantity[];
  /** What is left once addresses, dates and quantities are taken out. */
  rest: string;
}

/** Addresses, dates and quantities out of a text, in that order, so none is read twice. */
function read(text: string): Reading {
  const addresses: string[] = [];
  const dates: DateParts[][] = [];
  const quantities: Quantity[] = [];
  let rest = take(text, ADDRESS, (m) => addresses.push(m[0].toLowerCase()));
  for (const [re, parts] of DATE_FORMS) rest = take(rest, re, (m) => dates.push(parts(m).filter(valid)));
  rest = take(rest, NUMBER, (m) => quantities.push(quantityOf(m)));
  rest = take(rest, WORD_NUMBER, (m) => quantities.push({ values: [wordValue(m)], raw: m[0], unit: null }));
  return { addresses, dates, quantities, rest };
}

function materialOf(texts: string[]): Material {
  const text = texts.join('\n');
  const r = read(text);
  const dates = r.dates.flat();
  return {
    words: new Set([...text.matchAll(WORD)].map((m) => m[0].toLowerCase())),
    // A year of a date the fact states may be named alone ("in 2026").
    quantities: [
      ...r.quantities,
      ...dates.flatMap((d) => (d.y ? [{ values: [d.y], raw: String(d.y), unit: null }] : [])),
    ],
    dates,
    text: lower(text),
  };
}

const QUOTE_MARKS = /[“”„«»]/g;
const normalQuote = (s: string) =>
  lower(s.replace(QUOTE_MARKS, '"').replace(/[‘’]/g, "'"))
    .replace(/^[\s.,;:!?…'"-]+|[\s.,;:!?…'"-]+$/g, '')
    .trim();

export function evidenceOf(f: DraftFact): Evidence {
  // The statement without its quote: what the agent states, not what someone said.
  const statement = f.quote ? f.statement.split(f.quote).join(' ') : f.statement;
  return {
    said: materialOf([statement, ...f.values, f.source]),
    quote: f.quote ? normalQuote(f.quote) : null,
  };
}

const QUOTATION = /"([^"\n]*)"|“([^”\n]*)”|„([^“”\n]*)[“”]|«([^»\n]*)»/g;

/** A quotation's pieces (split at an ellipsis) in order in one quote. */
function inQuote(quote: string, quotation: string): boolean {
  const pieces = quotation
    .split(/…|\.\.\./)
    .map(normalQuote)
    .filter((p) => p.length > 0);
  let at = 0;
  for (const p of pieces) {
    const i = quote.indexOf(p, at);
    if (i < 0) return false;
    at = i + p.length;
  }
  return pieces.length > 0;
}

/**
 * Words a sentence or clause may begin with, capitalised by grammar rather than being a name.
 * Any other capitalised word must be in the cited facts or the caller's vocabulary.
 */
const STARTERS = new Set(
  (
    'the a an this that these those there here they their them it its he she his her we our you your i ' +
    'in on at for from with without by as after before during until to of and but or so if when while ' +
    'where which who what how why no not all each every both either neither any some most many more ' +
    'also only please note next then once since per plus one another other such given based go ' +
    'expect ensure confirm plan schedule keep make use follow watch check contact reach send ask share ' +
    'review prepare start begin agree see'
  ).split(' '),
);

function drop(reason: DropReason, detail: string): Verdict {
  return { kept: false, reason, detail };
}

/** Does this capitalised or coded word begin a sentence or clause? */
function atStart(text: string, index: number): boolean {
  const before = text.slice(0, index).trimEnd();
  return before.length === 0 || /[.!?:;(—–-]$/.test(before);
}

function checkWords(rest: string, said: Material, vocabulary: Set<string>): Verdict {
  for (const m of rest.matchAll(WORD)) {
    const word = m[0];
    const key = word.toLowerCase();
    const coded = /\p{N}/u.test(word);
    if (!coded && !/^\p{Lu}/u.test(word)) continue;
    if (said.words.has(key) || vocabulary.has(key)) continue;
    if (!coded && STARTERS.has(key) && (key === 'i' || atStart(rest, m.index))) continue;
    return coded ? drop('unsupported_code', word) : drop('unsupported_name', word);
  }
  return { kept: true };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function checkFigures(r: Reading, said: Material): Verdict {
  for (const a of r.addresses) if (!said.text.includes(a)) return drop('unsupported_name', a);
  for (const date of r.dates) {
    const known = date.some((s) =>
      said.dates.some((f) => (['y', 'm', 'd'] as const).every((k) => s[k] === undefined || s[k] === f[k])),
    );
    if (!known) return drop('unsupported_date', JSON.stringify(date));
  }
  for (const q of r.quantities) {
    const known = said.quantities.some(
      (f) =>
        (q.unit === null || q.unit === f.unit) &&
        (q.values.some((v) => f.values.some((w) => close(v, w))) ||
          (q.values.length === 0 && q.raw === f.raw)),
    );
    if (!known) return drop('unsupported_number', `${q.values.join('|')}${q.unit ?? ''}`);
  }
  return { kept: true };
}

/** One sentence against the evidence of every fact, by id. */
export function verifySentence(
  sentence: { text: string; facts: string[] },
  evidence: Map<string, Evidence>,
  vocabulary: Set<string>,
): Verdict {
  if (sentence.facts.length === 0) return drop('no_fact', 'cites no fact');
  const unknown = sentence.facts.filter((id) => !evidence.has(id));
  if (unknown.length > 0) return drop('unknown_fact', unknown.join(', '));
  const cited = sentence.facts.map((id) => evidence.get(id)!);
  let failed: string | undefined;
  const rest = take(sentence.text, QUOTATION, (m) => {
    const quotation = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    if (!cited.some((e) => e.quote !== null && inQuote(e.quote, quotation))) failed ??= quotation;
  });
  if (failed !== undefined) return drop('unsupported_quote', failed);
  const said: Material = {
    words: new Set(cited.flatMap((e) => [...e.said.words])),
    quantities: cited.flatMap((e) => e.said.quantities),
    dates: cited.flatMap((e) => e.said.dates),
    text: cited.map((e) => e.said.text).join('\n'),
  };
  const r = read(rest);
  const figures = checkFigures(r, said);
  return figures.kept ? checkWords(r.rest, said, vocabulary) : figures;
}

/** Words the caller lets any sentence use (the customer's name, the audience, headings), for the name check. */
export function vocabularyOf(terms: string[]): Set<string> {
  return new Set(terms.flatMap((t) => [...t.matchAll(WORD)].map((m) => m[0].toLowerCase())));
}

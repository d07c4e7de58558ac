/**
 * The labelled corpus's line schema (test/fixtures/language/README.md) and the hard constraints of
 * its labelling rules, shared by the corpus check, the trainer and the evaluation.
 */
import { z } from 'zod';
import {
  BILLING_FREQUENCIES,
  NON_STANDARD_REQUESTS,
  RESIDENCY_REGIONS,
  SIGNALS,
  TEXT_SOURCES,
  type SignalName,
} from '../ports/language.ts';

export const LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export const HARD = [
  'negation',
  'sarcasm',
  'conditional',
  'hypothetical',
  'question',
  'reported_speech',
  'past',
  'competitor',
  'withdrawn',
  'reversal',
  'quoted_thread',
  'seller_voice',
] as const;

export const TermsSchema = z.strictObject({
  payment_days: z.number().int().min(1).max(365).nullable(),
  billing: z.enum(BILLING_FREQUENCIES).nullable(),
  residency: z.enum(RESIDENCY_REGIONS).nullable(),
  health_data: z.boolean(),
  security_review: z.boolean(),
  multi_year: z.boolean(),
  non_standard: z.array(z.enum(NON_STANDARD_REQUESTS)),
});
export type Terms = z.infer<typeof TermsSchema>;

export const CorpusLineSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+-\d{4}$/, 'id must be <writer>-<4 digits>'),
  lang: z.enum(LANGUAGES),
  source: z.enum(TEXT_SOURCES),
  direction: z.enum(['inbound', 'outbound']).nullable(),
  rep: z.string().min(2).max(80),
  text: z.string().min(1).max(6000),
  ready: z.boolean(),
  signals: z.array(z.enum(SIGNALS)),
  competitor: z.string().min(1).max(80).nullable(),
  terms: TermsSchema,
  hard: z.enum(HARD).nullable(),
  notes: z.string().max(400),
});
export type CorpusLine = z.infer<typeof CorpusLineSchema>;

export const NO_TERMS: Terms = {
  payment_days: null,
  billing: null,
  residency: null,
  health_data: false,
  security_review: false,
  multi_year: false,
  non_standard: [],
};

/** Violations of the labelling rules that a line's labels alone can show. */
export function corpusProblems(line: CorpusLine): string[] {
  const p: string[] = [];
  const has = (s: SignalName) => line.signals.includes(s);
  if (new Set(line.signals).size !== line.signals.length) p.push('a signal is listed twice');
  if (line.ready && has('negation')) p.push('negation on a ready passage');
  if (has('explicit_commitment') && !line.ready) p.push('explicit_commitment on a passage that is not ready');
  if (line.source === 'email' && line.direction === null) p.push('an email needs a direction');
  if (line.source !== 'email' && line.direction !== null) p.push('direction is for emails only');
  if (line.competitor !== null) {
    if (!has('competitor_mention')) p.push('competitor named without competitor_mention');
    if (!line.text.includes(line.competitor)) p.push(`competitor "${line.competitor}" is not in the text`);
  }
  if (new Set(line.terms.non_standard).size !== line.terms.non_standard.length)
    p.push('a non-standard request is listed twice');
  if (line.source === 'transcript' && !/^[^\n:]{2,80}:/m.test(line.text))
    p.push('a transcript needs "Speaker: words" lines');
  return p;
}

/** Reads a JSONL corpus file; a line that does not parse is an error naming the file and line. */
export function parseCorpus(text: string, file: string): CorpusLine[] {
  return text
    .split('\n')
    .map((raw, i) => ({ raw, i }))
    .filter(({ raw }) => raw.trim() !== '')
    .map(({ raw, i }) => {
      const parsed = CorpusLineSchema.safeParse(JSON.parse(raw));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

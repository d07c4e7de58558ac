/**
 * From a record's raw text to passages: whose words each part is (the buyer's, the seller's, a
 * rep's report, an older quoted message) and where it sits in the record, so every reading can
 * cite a character span. Text is cleaned without moving offsets; records beyond the read limit
 * keep their most recent part.
 */
import type { DealText, TextSource } from '../ports/language.ts';

export type Voice = 'buyer' | 'seller' | 'rep_report' | 'quoted';

export interface Unit {
  start: number;
  end: number;
  voice: Voice;
}

export interface Passage {
  start: number;
  end: number;
  units: Unit[];
}

export interface SegmentedRecord {
  /** The cleaned text; offsets are the same as the original's. */
  text: string;
  passages: Passage[];
  truncated: boolean;
}

/** One passage may hold this many characters; longer records are cut at unit boundaries. */
export const PASSAGE_CHARS = 3000;
/** Characters of one record that are read at most (the most recent part). */
export const RECORD_CHARS = 120_000;

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Control characters and unpaired surrogates become spaces, so offsets stay put. */
export function clean(text: string): string {
  // Control characters (Unicode category Cc, except tab and line breaks) and replacement marks.
  return text.toWellFormed().replace(/[^\P{Cc}\t\n\r]|\uFFFD/gu, ' ');
}

/**
 * Where an email's own message ends and the quoted thread begins: a reply header in any of the
 * four languages' usual mail-client forms, an "Original Message" rule, or `>` quoting.
 */
const QUOTE_START =
  /^(?:>|-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original)|(?:on|am|le|el)\s.{4,160}(?:wrote|schrieb|a écrit|escribió).{0,120}:[ \t]*$|(?:from|von|de)\s*:\s*\S.*(?:\n.*){0,4}\n(?:sent|gesendet|envoyé|enviado)\s*:)/imu;

function emailUnits(text: string, own: Voice, from: number): Unit[] {
  const m = QUOTE_START.exec(text.slice(from));
  const cut = m ? from + m.index : text.length;
  const units = sentenceUnits(text, from, cut, own);
  if (cut < text.length) units.push(...sentenceUnits(text, cut, text.length, 'quoted'));
  return units;
}

/**
 * ICU's sentence rules in V8 carry no abbreviation list, so "Dr. Vogel" would end a sentence at
 * "Dr.": a break after a short capitalised word or a dotted abbreviation ("z.B.", "e.g.") is
 * joined to what follows when that starts with a letter. Now and then two short sentences stay
 * one unit, which costs the model nothing.
 */
const ABBREVIATION = /(?:^|[\s(])(?:\p{Lu}\p{Ll}{0,3}|\p{L}\.\p{L})\.\s*$/u;

function sentenceUnits(text: string, from: number, to: number, voice: Voice): Unit[] {
  const units: Unit[] = [];
  let lineStart = from;
  while (lineStart < to) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > to) lineEnd = to;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() !== '') {
      let joinNext = false;
      for (const s of sentenceSegmenter.segment(line)) {
        if (s.segment.trim() === '') continue;
        const start = lineStart + s.index + (s.segment.length - s.segment.trimStart().length);
        const end = lineStart + s.index + s.segment.trimEnd().length;
        const last = units.at(-1);
        if (joinNext && last) last.end = end;
        else units.push({ start, end, voice });
        joinNext = ABBREVIATION.test(s.segment);
      }
    }
    lineStart = lineEnd + 1;
  }
  return units;
}

const SPEAKER = /^\s*([^:\n]{1,80}?)\s*:\s/u;

/** A transcript speaker label is the seller's when it says Rep or names one of the seller's people. */
export function isSellerLabel(label: string, sellerNames: string[]): boolean {
  const l = label.toLowerCase();
  if (/^(rep|sales ?rep|seller|vendor|ae|account executive)\b/.test(l)) return true;
  return sellerNames.some((n) => {
    const name = n.trim().toLowerCase();
    if (name.length < 2) return false;
    const first = name.split(/\s+/)[0]!;
    return l.includes(name) || (first.length > 2 && l.split(/[\s(),]+/)[0] === first);
  });
}

function transcriptUnits(text: string, from: number, sellerNames: string[]): Unit[] {
  const units: Unit[] = [];
  let voice: Voice = 'buyer';
  let lineStart = from;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const m = SPEAKER.exec(line);
    if (m) voice = isSellerLabel(m[1]!, sellerNames) ? 'seller' : 'buyer';
    if (line.trim() !== '') units.push(...sentenceUnits(text, lineStart, lineEnd, voice));
    lineStart = lineEnd + 1;
  }
  return units;
}

function voiceOf(source: TextSource, direction: DealText['direction']): Voice {
  if (source === 'email') return direction === 'outbound' ? 'seller' : 'buyer';
  return 'rep_report';
}

/** Groups units into passages of at most PASSAGE_CHARS, never splitting a unit. */
function group(units: Unit[]): Passage[] {
  const passages: Passage[] = [];
  let current: Unit[] = [];
  for (const u of units) {
    const first = current[0];
    if (first && u.end - first.start > PASSAGE_CHARS) {
      passages.push({ start: first.start, end: current.at(-1)!.end, units: current });
      current = [];
    }
    current.push(u);
  }
  if (current.length > 0)
    passages.push({ start: current[0]!.start, end: current.at(-1)!.end, units: current });
  return passages;
}

export function segment(record: DealText, sellerNames: string[]): SegmentedRecord {
  const text = clean(record.text);
  // Emails put the newest message first; everything else grows at the end.
  const truncated = text.length > RECORD_CHARS;
  const from = truncated && record.source !== 'email' ? text.length - RECORD_CHARS : 0;
  const to = truncated && record.source === 'email' ? RECORD_CHARS : text.length;
  const body = text.slice(0, to);
  const units =
    record.source === 'transcript'
      ? transcriptUnits(body, from, sellerNames)
      : record.source === 'email'
        ? emailUnits(body, voiceOf('email', record.direction), from)
        : sentenceUnits(body, from, body.length, 'rep_report');
  return { text, passages: group(units), truncated };
}

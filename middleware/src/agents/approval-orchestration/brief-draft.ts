/**
 * An approver's brief in the model's words: with a model configured, the brief's statements are
 * the facts the model drafts from (../shared/drafting.ts), each kept sentence checked against the
 * statements it cites and carrying their traces; without one, when it fails, or when none of its
 * sentences can be verified, the template statements are the brief. Either way the brief records
 * who wrote it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import type { LlmPort } from '../../ports/llm.ts';
import { draft, type DraftFact, type DropReason } from '../shared/drafting.ts';
import { briefText, briefWithSources, FOCUS, type ApproverBrief } from './approval-brief.ts';
import { clip, type Statement, type Trace } from './brief-facts.ts';
import { roleLabel } from './approval-report.ts';

/** A brief as the record, the submission and the notices carry it. */
export interface WrittenBrief {
  /** The brief as plain text (the submission's comments). */
  text: string;
  /** The brief with each statement's facts under it (Brief__c). */
  withSources: string;
  /** Set when a model is configured: the model's name, or `offline templates`. */
  writtenBy?: string;
  dropped?: number;
  droppedReasons?: Partial<Record<DropReason, number>>;
  fallbackReason?: string;
}

/** The template brief as written before any model: no `writtenBy`, so offline output is unchanged. */
export const templateBrief = (b: ApproverBrief): WrittenBrief => ({
  text: briefText(b),
  withSources: briefWithSources(b),
});

const traceText = (t: Trace) => `${t.source}${t.id ? ` ${t.id}` : ''} ${t.field}: ${t.value}`;

/**
 * The words inside a statement's quotation marks: what a buyer, a clause request or an approver
 * said. Found from the traces first (a quote is clipped from its trace's value), then any other
 * quotation left in the text.
 */
function quotesOf(s: Statement): string[] {
  const found: string[] = [];
  let rest = s.text;
  for (const t of s.traces) {
    if (typeof t.value !== 'string') continue;
    const after = t.value.indexOf(': ');
    for (const words of [t.value, ...(after > 0 ? [t.value.slice(after + 2)] : [])]) {
      const q = clip(words);
      if (q.length > 0 && rest.includes(`"${q}"`)) {
        found.push(q);
        rest = rest.split(`"${q}"`).join(' ');
      }
    }
  }
  for (const m of rest.matchAll(/"([^"]+)"/g)) found.push(m[1]!);
  return found;
}

/** A trace value that holds someone's words is theirs: it may be quoted, never stated. */
const isQuoted = (value: string | number, quotes: string[]) =>
  typeof value === 'string' && quotes.some((q) => value.includes(q.replace(/…$/, '')));

/**
 * The brief's statements as the model reads them: `s1`, `s2`, … in reading order, each with its
 * traced values; a statement's quotation is its quote, and a second or third quotation in one
 * statement becomes a fact of its own (`s4.q2`), so no quoted word is ever a stated one.
 */
export function briefFacts(b: ApproverBrief): DraftFact[] {
  return b.statements.flatMap((s, i) => {
    const id = `s${i + 1}`;
    const [first, ...more] = quotesOf(s);
    const statement = more.reduce((t, q) => t.split(`"${q}"`).join('(quoted in the next fact)'), s.text);
    const source = s.traces[0]
      ? `${s.traces[0].source}${s.traces[0].id ? ` ${s.traces[0].id}` : ''}`
      : 'Brief';
    const quotes = first === undefined ? [] : [first, ...more];
    const values = [
      ...new Set(s.traces.filter((t) => !isQuoted(t.value, quotes)).map((t) => String(t.value))),
    ];
    return [
      { id, statement, values, ...(first !== undefined ? { quote: first } : {}), source },
      ...more.map((q, j) => ({
        id: `${id}.q${j + 2}`,
        statement: `Also quoted in ${id}: "${q}"`,
        values: [],
        quote: q,
        source,
      })),
    ];
  });
}

/** What the memo of a draft is keyed by: the statements it was drafted from, whole. */
export const briefDigest = (b: ApproverBrief): string =>
  createHash('sha256')
    .update(JSON.stringify([b.role, b.statements]))
    .digest('hex')
    .slice(0, 24);

/** The line Brief__c ends with when a model is configured. */
function writtenLine(w: { writtenBy: string; dropped: number; fallbackReason?: string }): string {
  const dropped = w.dropped > 0 ? `; ${w.dropped} unverifiable sentence(s) dropped` : '';
  return `Written by ${w.writtenBy}${w.fallbackReason ? ` (${w.fallbackReason})` : ''}${dropped}.`;
}

/**
 * The approver's brief drafted by the model from its statements, or the template brief, both
 * saying who wrote them. Call it only with a model configured: without one the template brief
 * (`templateBrief`) is the brief, untouched.
 */
export async function draftBrief(
  llm: LlmPort,
  b: ApproverBrief,
  names: { opportunity: string; account: string | undefined },
  logger?: Logger,
): Promise<WrittenBrief> {
  const label = roleLabel(b.role);
  const facts = briefFacts(b);
  const d = await draft(
    llm,
    {
      agent: 'Approval_Orchestration',
      purpose: `The decision brief for the ${label} approver of a deal: why the request is theirs, what matters for their role (${FOCUS[b.role]}), what differs from standard, the risk, how similar requests were decided, and when to decide. Most important first.`,
      audience: `the ${label} approver`,
      facts,
      // What the whole brief is about and whom it addresses.
      vocabulary: [names.opportunity, ...(names.account ? [names.account] : []), label],
      maxSentences: 16,
    },
    () => b.statements.map((s) => s.text),
    logger,
  );
  const writer = {
    writtenBy: d.writtenBy,
    dropped: d.dropped,
    droppedReasons: d.droppedReasons,
    ...(d.fallbackReason ? { fallbackReason: d.fallbackReason } : {}),
  };
  if (d.source === 'offline') {
    const t = templateBrief(b);
    return { ...t, withSources: `${t.withSources}\n${writtenLine(writer)}`, ...writer };
  }
  // Each sentence carries the traces of the statements it cites, as the template statements do.
  const byId = new Map(facts.map((f) => [f.id, b.statements[Number(/^s(\d+)/.exec(f.id)![1]) - 1]!]));
  const drafted: ApproverBrief = {
    ...b,
    statements: d.sentences.map((s) => ({
      text: s.text,
      traces: [
        ...new Map(
          (s.facts ?? []).flatMap((id) => byId.get(id)?.traces ?? []).map((t) => [traceText(t), t]),
        ).values(),
      ],
    })),
  };
  return {
    text: briefText(drafted),
    withSources: `${briefWithSources(drafted)}\n${writtenLine(writer)}`,
    ...writer,
  };
}

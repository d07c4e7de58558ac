/**
 * The insights' and playbook suggestions' words, drafted by the configured model from the texts
 * the agent wrote over its figures (../shared/drafting.ts): one draft for the closure, each kept
 * sentence checked against the insight or suggestion it cites and given to the first it cites.
 * One the model wrote nothing verifiable for keeps the agent's text. The metric and value fields
 * are the agent's numbers whoever writes the words. Without a model nothing here runs.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import type { CrmWrite } from '../../ports/crm.ts';
import type { LlmPort } from '../../ports/llm.ts';
import { draft, OFFLINE_TEMPLATES, type DraftFact, type DropReason } from '../shared/drafting.ts';
import type { SuggestionWrite } from './playbook-rules.ts';

type InsightWrite = Extract<CrmWrite, { kind: 'insight' }>;

/** Who wrote each text, by its write key, and what the check dropped over the whole draft. */
export interface LearningDraft {
  texts: { key: string; text: string; writtenBy: string }[];
  dropped: number;
  droppedReasons: Partial<Record<DropReason, number>>;
  fallbackReason?: string;
}

const textOf = (w: InsightWrite | SuggestionWrite) => (w.kind === 'insight' ? w.insight : w.suggestion);

/** The insights (`i1`, …) and suggestions (`p1`, …) as the model reads them. */
function learningFacts(insights: InsightWrite[], suggestions: SuggestionWrite[]): DraftFact[] {
  return [
    ...insights.map((w, i) => ({
      id: `i${i + 1}`,
      statement: `${w.category} insight: ${w.insight}`,
      values: [],
      source: `Win_Insight__c ${w.key}`,
    })),
    ...suggestions.map((w, i) => ({
      id: `p${i + 1}`,
      statement: `${w.title}: ${w.suggestion}`,
      values: [],
      source: `Playbook_Suggestion__c ${w.key}`,
    })),
  ];
}

/** What the memo of the draft is keyed by: the texts it was drafted from. */
export const learningDigest = (items: (InsightWrite | SuggestionWrite)[]): string =>
  createHash('sha256')
    .update(JSON.stringify(items.map((w) => [w.key, textOf(w)])))
    .digest('hex')
    .slice(0, 24);

export async function draftLearning(
  llm: LlmPort,
  insights: InsightWrite[],
  suggestions: SuggestionWrite[],
  names: { account: string; opportunity: string },
  logger?: Logger,
): Promise<LearningDraft> {
  const items = [...insights, ...suggestions];
  const facts = learningFacts(insights, suggestions);
  const d = await draft(
    llm,
    {
      agent: 'Learning_Optimization',
      purpose:
        'What the sales organisation learns from a closed deal: for each insight (i…) one or two plain sentences saying what stood out against history, and for each playbook suggestion (p…) what the pattern is and what to change. Cite the one insight or suggestion a sentence is about first.',
      audience: 'sales managers and the deal desk',
      facts,
      vocabulary: [names.account, names.opportunity],
      maxSentences: Math.min(40, 2 * items.length),
    },
    () => [],
    logger,
  );
  const mine = (id: string) =>
    d.source === 'offline' ? [] : d.sentences.filter((s) => s.facts?.[0] === id).map((s) => s.text);
  return {
    texts: items.map((w, i) => {
      const said = mine(facts[i]!.id);
      return said.length > 0
        ? { key: w.key, text: said.join(' '), writtenBy: d.writtenBy }
        : { key: w.key, text: textOf(w), writtenBy: OFFLINE_TEMPLATES };
    }),
    dropped: d.dropped,
    droppedReasons: d.droppedReasons,
    ...(d.fallbackReason ? { fallbackReason: d.fallbackReason } : {}),
  };
}

/** The writes with the drafted words; each record says who wrote them (Insight__c, Evidence__c). */
export function applyLearningDraft(
  d: LearningDraft,
  insights: InsightWrite[],
  suggestions: SuggestionWrite[],
): { insights: InsightWrite[]; suggestions: SuggestionWrite[] } {
  const of = (key: string) => d.texts.find((t) => t.key === key)!;
  return {
    insights: insights.map((w) => {
      const t = of(w.key);
      return { ...w, insight: `${t.text}\nWritten by ${t.writtenBy}.` };
    }),
    suggestions: suggestions.map((w) => {
      const t = of(w.key);
      return { ...w, suggestion: t.text, evidence: `${w.evidence}\nWritten by ${t.writtenBy}.` };
    }),
  };
}

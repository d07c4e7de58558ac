/**
 * A package's text for its team: with a model configured, the model's draft from the package's
 * facts, every sentence checked against the facts it cites (../shared/drafting.ts); without one,
 * when it fails, or when none of its sentences can be verified, the templates of
 * handoff-narrative.ts over the same facts. The checklist's count closes the text either way: it
 * is the agent's arithmetic over the checklist, not something for a model to restate.
 */
import type { Logger } from '../../logger.ts';
import type { LlmPort } from '../../ports/llm.ts';
import { draft, type DraftFact, type DropReason, type DraftSentence } from '../shared/drafting.ts';
import {
  completenessSentence,
  LEAD,
  narrativeLines,
  teamLabel,
  type NarrativeInput,
} from './handoff-narrative.ts';

/** Facts per section the model reads; the package's context holds them all. */
const PER_SECTION = 8;

export interface HandoffNarrative {
  summary: string;
  /** The model's name, or `offline templates`. */
  writtenBy: string;
  /** The model's kept sentences with the ids of the facts each states (ids as in `narrativeFacts`). */
  sentences?: Required<DraftSentence>[];
  dropped: number;
  droppedReasons: Partial<Record<DropReason, number>>;
  fallbackReason?: string;
}

/**
 * The package's facts as the model reads them: the owner (`owner`) and each section's facts
 * (`successCriteria.1`, …), headed by the section, with the figures a goal states and the quote
 * of words someone wrote or said.
 */
export function narrativeFacts(x: NarrativeInput, ownerId: string): DraftFact[] {
  return [
    {
      id: 'owner',
      statement: `${x.account} for ${teamLabel(x.team)}, owned by ${x.owner.name} (${x.owner.reason})`,
      values: [],
      source: `User ${ownerId}`,
    },
    ...x.sections.flatMap((s) =>
      x.facts[s].slice(0, PER_SECTION).map((f, i) => ({
        id: `${s}.${i + 1}`,
        statement: `${LEAD[s]} — ${f.text.replace(/\s+/g, ' ')}`,
        values: f.figures ?? [],
        ...(f.quote ? { quote: f.quote } : {}),
        source: f.source,
      })),
    ),
  ];
}

export async function draftNarrative(
  llm: LlmPort | undefined,
  x: NarrativeInput,
  ownerId: string,
  logger?: Logger,
): Promise<HandoffNarrative> {
  const team = teamLabel(x.team);
  const d = await draft(
    llm,
    {
      agent: 'Handoff_Coordination',
      purpose: `A handoff note for the ${team} team, who take over the customer now the deal is signed: who owns it and what the team must know from each section of facts (people, their priorities, commitments made, risks, terms, products, requirements, dates). The count of the team's checklist is appended after your text; do not restate it.`,
      audience: `the ${team} team and the owner the rules assigned`,
      facts: narrativeFacts(x, ownerId),
      // The customer and the team are what the whole note is about; headings are the agent's own words.
      vocabulary: [x.account, team, ...Object.values(LEAD)],
      maxSentences: 10,
    },
    () => narrativeLines(x),
    logger,
  );
  return {
    summary: [...d.sentences.map((s) => s.text), completenessSentence(x)].join('\n'),
    writtenBy: d.writtenBy,
    ...(d.source === 'offline'
      ? {}
      : { sentences: d.sentences.map((s) => ({ text: s.text, facts: s.facts ?? [] })) }),
    dropped: d.dropped,
    droppedReasons: d.droppedReasons,
    ...(d.fallbackReason ? { fallbackReason: d.fallbackReason } : {}),
  };
}

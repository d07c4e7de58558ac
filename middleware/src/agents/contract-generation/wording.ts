/**
 * Proposed wording for non-standard requests, from the model when one is configured. A proposal
 * is only ever a draft: the clause stays non-standard and forces legal review. Without a model,
 * or when it cannot answer, the request is carried verbatim.
 */
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { LlmPort } from '../../ports/llm.ts';
import type { CustomRequest } from './deal-facts.ts';
import type { ProposedWording } from './selection.ts';

export const WordingSchema = z.object({
  clauses: z
    .array(
      z.object({
        request: z.number().int().min(1),
        title: z.string().min(3).max(60),
        wording: z.string().min(20).max(1500),
      }),
    )
    .max(10),
});

const INSTRUCTION = [
  'You draft contract clauses for a B2B software subscription agreement.',
  'For each numbered customer request, propose one clause that states what the customer asked for, precisely and no more.',
  'Do not add obligations, remedies, amounts or dates the request does not contain. Plain English, third person ("Provider", "Customer").',
  'Your wording is a draft for the legal team; it will be reviewed before anyone signs.',
].join(' ');

export async function proposeWording(
  llm: LlmPort | undefined,
  requests: CustomRequest[],
  context: { customer: string; products: string[] },
  logger?: Logger,
): Promise<(ProposedWording | null)[]> {
  if (!llm?.model || requests.length === 0) return requests.map(() => null);
  try {
    const result = await llm.generateStructured({
      agent: 'Contract_Generation',
      systemInstruction: INSTRUCTION,
      prompt: [
        `Customer: ${context.customer}. Products: ${context.products.join(', ')}.`,
        'Requests:',
        ...requests.map((r, i) => `${i + 1}. ${r.text}`),
      ].join('\n'),
      schema: WordingSchema,
      timeoutMs: 20_000,
    });
    if (result.source === 'offline') return requests.map(() => null);
    const model = result.model ?? llm.model;
    return requests.map((_, i) => {
      const c = result.value.clauses.find((x) => x.request === i + 1);
      return c ? { title: c.title, wording: c.wording, model } : null;
    });
  } catch (err) {
    logger?.warn(
      { err: err instanceof Error ? err.name : 'unknown' },
      'no proposed wording; requests carried verbatim',
    );
    return requests.map(() => null);
  }
}

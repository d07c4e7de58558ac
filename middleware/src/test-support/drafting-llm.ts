/**
 * A language model double for drafting: it answers each prompt with the sentences `write` gives
 * for it, or, when `down`, fails as an overloaded provider does. Every request is kept for the
 * test to look at.
 */
import type { z } from 'zod';
import type { LlmPort, StructuredRequest } from '../ports/llm.ts';

export type DraftedSentences = { text: string; facts: string[] }[];

export function draftingLlm(
  write: (prompt: string) => DraftedSentences,
  down = false,
): { llm: LlmPort; requests: StructuredRequest<z.ZodType>[] } {
  const requests: StructuredRequest<z.ZodType>[] = [];
  const llm: LlmPort = {
    model: 'fake-model',
    async generateStructured<S extends z.ZodType>(request: StructuredRequest<S>) {
      requests.push(request);
      if (down) throw Object.assign(new Error('over capacity'), { kind: 'unavailable', attempts: 3 });
      const value = request.schema.parse({ sentences: write(request.prompt) }) as z.infer<S>;
      return { value, source: 'gemini' as const, model: 'fake-model' };
    },
  };
  return { llm, requests };
}

/**
 * Which model reads deals: Gemini (GEMINI_API_KEY, GEMINI_MODEL), or any OpenAI-compatible Chat
 * Completions server the customer runs itself (vLLM, Ollama) or rents (Azure OpenAI), for deal
 * data that may not leave their network. Neither means the offline reasoner answers alone.
 * Token prices turn usage into cost on /metrics; self-hosted models cost nothing per token.
 */
import { z } from 'zod';
import type { LlmProvider } from '../ports/llm.ts';

export const LLM_PROVIDERS = ['gemini', 'openai'] as const satisfies readonly LlmProvider[];

const price = z.coerce
  .number({ error: 'expected a price in USD per million tokens, e.g. 0.15' })
  .min(0, { error: 'expected a price in USD per million tokens (0 or more)' })
  .max(10_000, { error: 'expected a price in USD per million tokens, at most 10000' });

export const LlmConfigSchema = z
  .object({
    provider: z
      .enum(LLM_PROVIDERS, { error: "expected 'gemini' or 'openai' (an OpenAI-compatible server)" })
      .optional(),
    /** The server's OpenAI-compatible root, e.g. http://localhost:11434/v1 (Ollama). */
    baseUrl: z
      .url({
        protocol: /^https?$/,
        error: 'expected the http(s) URL of an OpenAI-compatible API, e.g. http://localhost:8000/v1',
      })
      .optional(),
    /** vLLM's served model name, an Ollama tag, an Azure OpenAI deployment. */
    model: z
      .string()
      .regex(/^\S{1,256}$/, { error: "expected a model name without spaces, e.g. 'llama3.1:8b'" })
      .optional(),
    apiKey: z.string().min(1).optional(),
    priceInputPerMTok: price.default(0),
    priceOutputPerMTok: price.default(0),
  })
  .strict()
  .default({ priceInputPerMTok: 0, priceOutputPerMTok: 0 });

export type LlmConfig = z.infer<typeof LlmConfigSchema>;

interface LlmConfigHolder {
  llm: LlmConfig;
  gemini: { apiKey?: string | undefined };
}

/** The provider chosen explicitly, else Gemini when its key is set, else an OpenAI-compatible server when its URL is. */
export function llmProviderOf(c: LlmConfigHolder): LlmProvider | undefined {
  if (c.llm.provider) return c.llm.provider;
  if (c.gemini.apiKey) return 'gemini';
  return c.llm.baseUrl ? 'openai' : undefined;
}

interface RefineCtx {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void;
}

export function refineLlm(c: LlmConfigHolder, ctx: RefineCtx): void {
  const { llm } = c;
  if (!llm.provider && c.gemini.apiKey && llm.baseUrl) {
    ctx.addIssue({
      code: 'custom',
      path: ['llm', 'provider'],
      message: "both GEMINI_API_KEY and LLM_BASE_URL are set: choose 'gemini' or 'openai'",
    });
    return;
  }
  const provider = llmProviderOf(c);
  if (provider === 'gemini') {
    if (!c.gemini.apiKey)
      ctx.addIssue({
        code: 'custom',
        path: ['gemini', 'apiKey'],
        message: 'required with LLM_PROVIDER=gemini: the Gemini API key',
      });
    for (const key of ['baseUrl', 'model', 'apiKey'] as const)
      if (llm[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['llm', key],
          message:
            'applies to LLM_PROVIDER=openai only; Gemini is configured with GEMINI_API_KEY and GEMINI_MODEL',
        });
  }
  if (provider === 'openai') {
    const need = (key: 'baseUrl' | 'model', what: string) =>
      ctx.addIssue({
        code: 'custom',
        path: ['llm', key],
        message: `required with LLM_PROVIDER=openai: ${what}`,
      });
    if (!llm.baseUrl) need('baseUrl', 'the URL of the OpenAI-compatible API, e.g. http://localhost:11434/v1');
    if (!llm.model) need('model', 'the model the server serves, e.g. llama3.1:8b');
  }
}

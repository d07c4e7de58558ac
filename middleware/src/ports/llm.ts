/**
 * The reasoning port: agents ask for a structured decision and get one validated against a zod
 * schema. Implementations: Gemini through @google/genai (LLM_PROVIDER=gemini, the default when
 * GEMINI_API_KEY is set), any OpenAI-compatible Chat Completions server through the `openai`
 * package (LLM_PROVIDER=openai: vLLM, Ollama, Azure OpenAI), and the offline reasoner
 * (deterministic, explainable, always available). Agents never know which one answered except
 * through `ReasonerResult.source`.
 */
import type { z } from 'zod';

export interface TokenUsage {
  promptTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface StructuredRequest<S extends z.ZodType> {
  /** Which agent asks; used for logs and metrics. */
  agent: string;
  /** Stable instructions (the agent's prompt). */
  systemInstruction: string;
  /** The deal facts and question, as text the model reads. */
  prompt: string;
  /** The shape of the answer; a JSON schema is derived from it for the model. */
  schema: S;
  /** Upper bound for the whole call including retries. */
  timeoutMs?: number;
}

/** Which kind of model server an adapter speaks to. */
export type LlmProvider = 'gemini' | 'openai';

export interface ReasonerResult<T> {
  value: T;
  /** The provider whose model answered, or 'offline'. */
  source: LlmProvider | 'offline';
  model?: string;
  usage?: TokenUsage;
  /** Why the offline reasoner answered instead of the model, when it did. */
  fallbackReason?: string;
}

export interface LlmPort {
  /** The model's name, or undefined when only the offline reasoner is configured. */
  readonly model: string | undefined;
  /** Which provider's adapter this is; absent in test doubles. */
  readonly provider?: LlmProvider;
  generateStructured<S extends z.ZodType>(request: StructuredRequest<S>): Promise<ReasonerResult<z.infer<S>>>;
}

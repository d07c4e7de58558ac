/**
 * The reasoning port: agents ask for a structured decision and get one validated against a zod
 * schema. Two implementations: Gemini through @google/genai (when GEMINI_API_KEY is set) and the
 * offline reasoner (deterministic, explainable, always available). Agents never know which one
 * answered except through `ReasonerResult.source`.
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

export interface ReasonerResult<T> {
  value: T;
  source: 'gemini' | 'offline';
  model?: string;
  usage?: TokenUsage;
  /** Why the offline reasoner answered instead of the model, when it did. */
  fallbackReason?: string;
}

export interface LlmPort {
  /** The model's name, or undefined when only the offline reasoner is configured. */
  readonly model: string | undefined;
  generateStructured<S extends z.ZodType>(request: StructuredRequest<S>): Promise<ReasonerResult<z.infer<S>>>;
}

/**
 * Ask the model when one is configured; answer with the offline reasoner when it is not, or when
 * the model cannot answer (timeout, rate limit, outage, blocked or invalid output). The result
 * says which one answered and, for a fallback, why.
 */
import type { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { LlmPort, ReasonerResult, StructuredRequest } from '../../ports/llm.ts';

/** Fields of an LlmUnavailableError-like failure, read structurally so agents import only ports. */
interface LlmFailureLike {
  name: string;
  message: string;
  kind: string;
  attempts?: number;
}

function asLlmFailure(err: unknown): LlmFailureLike | undefined {
  if (!(err instanceof Error) || !('kind' in err) || typeof err.kind !== 'string') return undefined;
  const attempts = 'attempts' in err && typeof err.attempts === 'number' ? err.attempts : undefined;
  return {
    name: err.name,
    message: err.message,
    kind: err.kind,
    ...(attempts === undefined ? {} : { attempts }),
  };
}

export async function reasonWithFallback<S extends z.ZodType>(
  llm: LlmPort | undefined,
  request: StructuredRequest<S>,
  offline: () => z.infer<S>,
  logger?: Logger,
): Promise<ReasonerResult<z.infer<S>>> {
  if (llm === undefined || llm.model === undefined) {
    return { value: offline(), source: 'offline' };
  }
  try {
    return await llm.generateStructured(request);
  } catch (err) {
    const failure = asLlmFailure(err);
    // The adapter's messages carry no secrets or prompt text; an unknown error's message might,
    // so only its class name is kept.
    const fallbackReason = failure
      ? `${failure.kind}${failure.attempts === undefined ? '' : ` after ${failure.attempts} attempt(s)`}: ${failure.message}`
      : `unexpected ${err instanceof Error ? err.name : typeof err} from the model adapter`;
    logger?.warn(
      {
        agent: request.agent,
        model: llm.model,
        kind: failure?.kind ?? 'unexpected',
        attempts: failure?.attempts,
        fallbackReason,
      },
      'model unavailable; the offline reasoner answers',
    );
    return { value: offline(), source: 'offline', fallbackReason };
  }
}

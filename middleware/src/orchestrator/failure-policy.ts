/**
 * What a failed attempt leads to: an automatic retry later (a transient failure, within the retry
 * budget, or however long the org is down) or a wait for the rep to fix the data. Pure: the
 * orchestrator writes what it decides.
 */
import { isTransientFailure } from '../domain/failures.ts';
import type { StepRow } from '../ports/store.ts';
import type { Attempt } from './attempt.ts';

export type FailureDecision =
  | { kind: 'retry'; at: Date; failures: number; transient: true }
  | { kind: 'wait-for-rep'; failures: number; transient: boolean };

/**
 * `failuresBefore` counts failures in a row, not attempts: a waiting stage runs again for every
 * decision, webhook and timer, and a long approval must not run out of retries for its sixth
 * unlucky call.
 */
export function decideOnFailure(
  err: unknown,
  failuresBefore: number,
  maxRetries: number,
  now: Date,
  random: () => number = Math.random,
): FailureDecision {
  const transient = isTransientFailure(err);
  const failures = failuresBefore + 1;
  // An open circuit means the org is down, not that the deal is wrong: wait for it however long.
  const outage = (err as { errorCode?: string } | null)?.errorCode === 'CIRCUIT_OPEN';
  if (!transient || (failures > maxRetries && !outage)) return { kind: 'wait-for-rep', failures, transient };
  // Exponential backoff with full jitter: 1s, 2s, 4s, ... capped at a minute, never sooner than
  // the failure itself asks (a Retry-After).
  const minDelay = Number((err as { retryAfterMs?: number } | null)?.retryAfterMs ?? 0);
  const delay = Math.max(minDelay, random() * Math.min(60_000, 1000 * 2 ** (Math.min(failures, 7) - 1)));
  return { kind: 'retry', at: new Date(now.getTime() + delay), failures, transient };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The step row a failed attempt leaves. */
export function failedStepRow(a: Attempt, decision: FailureDecision, message: string, now: Date): StepRow {
  return {
    runId: a.run.id,
    stage: a.stage,
    agent: a.agent,
    status: 'Failed',
    attempts: a.number,
    startedAt: a.stepStartedAt,
    finishedAt: null,
    durationMs: null,
    activeMs: now.getTime() - a.started.getTime(),
    reasoning:
      decision.kind === 'retry'
        ? `Attempt ${a.number} failed with a transient error; retrying automatically at ${decision.at.toISOString()}.`
        : 'The step failed and waits for the data to be fixed.',
    confidence: null,
    error: message,
    output: null,
  };
}

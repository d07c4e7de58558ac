/**
 * What every part of the running system shares: the time it reads, where it logs and what it
 * counts. One value built at start-up and passed down whole, so no part falls back to a clock or
 * a registry of its own and a test that moves time moves it everywhere at once.
 */
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';

/** The time now; a test's own clock in tests that move time instead of waiting. */
export type Clock = () => Date;

export interface Runtime {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export const systemClock: Clock = () => new Date();

/** A runtime on the wall clock with a fresh metrics registry, unless the caller brings its own. */
export function createRuntime(parts: { logger: Logger; clock?: Clock; metrics?: Metrics }): Runtime {
  return {
    logger: parts.logger,
    clock: parts.clock ?? systemClock,
    metrics: parts.metrics ?? createMetrics(),
  };
}

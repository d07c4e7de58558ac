/**
 * At-least-once delivery of recorded e-sign events to the single listener (the orchestrator).
 *
 * State changes append their events to the `events` table in the same transaction as the change
 * itself; this module only ever reads that table. An event is marked delivered after the
 * listener's promise resolves, so a crash or a throwing listener means a redelivery, never a
 * loss. Redelivery happens on a timer, on listener registration and whenever new events arrive.
 * The listener de-duplicates by `eventId` (the port's contract), which makes it exactly-once in
 * effect.
 */
import type { EsignEvent } from '../../ports/esign.ts';
import type { EsignStore } from './store.ts';

export type EsignListener = (event: EsignEvent) => Promise<void>;

export interface DeliveryWarnings {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface EventOutbox {
  setListener(listener: EsignListener): void;
  /**
   * Delivers every pending event (in recording order) that the listener accepts. Resolves when
   * this pass, and any pass requested while it ran, is over; never rejects.
   */
  deliverPending(): Promise<void>;
  close(): void;
}

export function createEventOutbox(deps: {
  store: EsignStore;
  clock: () => Date;
  redeliverEveryMs: number;
  logger?: DeliveryWarnings | undefined;
}): EventOutbox {
  let listener: EsignListener | undefined;
  let running: Promise<void> | undefined;
  let requestedWhileRunning = false;
  let closed = false;

  /** One pass over the pending events, in recording order. */
  async function pass(): Promise<void> {
    // A failed event blocks the later events of its own envelope only, so a consumer that
    // depends on order (signed before completed) sees it, while other envelopes keep flowing.
    const blocked = new Set<string>();
    for (const { event } of deps.store.pendingEvents()) {
      if (closed || !listener) return;
      if (blocked.has(event.envelopeId)) continue;
      try {
        await listener(event);
      } catch (err) {
        blocked.add(event.envelopeId);
        deps.logger?.warn(
          { eventId: event.eventId, kind: event.kind, err: err instanceof Error ? err.message : String(err) },
          'e-sign event listener failed; the event will be redelivered',
        );
        continue;
      }
      // After close() the database is gone; the event stays pending and is redelivered on the
      // next start, which is what at-least-once asks for.
      if (closed) return;
      deps.store.markEventDelivered(event.eventId, deps.clock().toISOString());
    }
  }

  function deliverPending(): Promise<void> {
    if (closed || !listener) return Promise.resolve();
    // One drain at a time: two concurrent passes would hand the same event to the listener
    // twice. A request arriving mid-drain earns one more pass, so events recorded meanwhile are
    // not left for the timer.
    if (running) {
      requestedWhileRunning = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          requestedWhileRunning = false;
          await pass();
        } while (requestedWhileRunning && !closed);
      } catch (err) {
        deps.logger?.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'e-sign event delivery failed',
        );
      } finally {
        // Runs synchronously after the loop's last check, so no request can slip in between.
        running = undefined;
      }
    })();
    return running;
  }

  const timer = setInterval(() => void deliverPending(), deps.redeliverEveryMs);
  // The timer is housekeeping; it must not keep a finished process (or a test run) alive.
  timer.unref();

  return {
    setListener(next) {
      listener = next;
      void deliverPending();
    },
    deliverPending,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

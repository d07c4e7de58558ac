/**
 * Where the Signature Management Agent keeps its state between runs: the keys of its saved state
 * and of its memoised envelopes, in one place. Runs in flight resume from these keys, so their
 * names stay as they are; the memo's layout around them is the orchestrator's (`StageContext`).
 */
import type { CancelContext, StageContext } from '../../orchestrator/stage.ts';
import type { TrackedEnvelope } from './envelope-tracking.ts';
import type { Correction, SavedValues, SignatureState } from './signature-model.ts';

const trackedKey = (round: number) => `tracked.${round}`;

/** The memo key of a round's envelope. Round 0 keeps the plain key: System Integration reads its sentAt. */
export const envelopeKey = (round: number) => (round === 0 ? 'envelope' : `envelope.${round}`);
/** The memo keys of the voids that must happen once: a superseded envelope's, a replaced round's. */
export const supersededKey = (envelopeId: string) => `superseded.${envelopeId}`;
export const replacedKey = (round: number) => `void.${round}`;
/** The memo key of the signers' completion predictions, made once per generation. */
export const PREDICTIONS_KEY = 'predictions';

export function loadState(ctx: StageContext): SignatureState {
  const round = ctx.load<number>('round') ?? 0;
  return {
    round,
    tracked: ctx.load<TrackedEnvelope>(trackedKey(round)) ?? null,
    // Addresses the rep corrected stay corrected across a retry (a new generation of the step).
    corrections: carriedCorrections(ctx),
    notified: ctx.load<string[]>('notified') ?? [],
    timersFor: ctx.load<string>('timersFor') ?? null,
  };
}

/** The current round's envelope as last saved, if any (all a cancellation needs). */
export function currentEnvelope(ctx: Pick<CancelContext, 'load'>): TrackedEnvelope | undefined {
  return ctx.load<TrackedEnvelope>(trackedKey(ctx.load<number>('round') ?? 0));
}

/** The last known envelope of each round of the step's earlier generations. */
export function earlierEnvelopes(ctx: StageContext): TrackedEnvelope[] {
  return ctx
    .earlier<TrackedEnvelope>('tracked.*', 'state')
    .filter((e) => /^tracked\.\d+$/.test(e.key))
    .map((e) => e.value);
}

/** The saved values as keys; `delivered` joins the notification keys known delivered. */
export function savedKeys(values: SavedValues, delivered: Iterable<string>): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  if (values.tracked) keys[trackedKey(values.tracked.round)] = values.tracked.envelope;
  if (values.round !== undefined) keys.round = values.round;
  if (values.corrections) keys.corrections = values.corrections;
  if (values.timersFor !== undefined) keys.timersFor = values.timersFor;
  if (values.notified) keys.notified = [...new Set([...values.notified, ...delivered])];
  return keys;
}

/** The rep's address corrections of every generation, the newest winning per recipient. */
function carriedCorrections(ctx: StageContext): Record<string, Correction> {
  const earlier = ctx.earlier<Record<string, Correction>>('corrections', 'state').reverse();
  return Object.assign(
    {},
    ...earlier.map((e) => e.value),
    ctx.load<Record<string, Correction>>('corrections') ?? {},
  ) as Record<string, Correction>;
}

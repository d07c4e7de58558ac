/**
 * The vocabulary of the Signature Management Agent's decisions: the state the stage keeps, what
 * it learns from (the run's events and what its own commands observed), the facts of the deal,
 * and the commands the agent carries out. `signature-decide.ts` decides; `signature-agent.ts` acts.
 */
import { z } from 'zod';
import type { ContactRole, CrmWrite } from '../../ports/crm.ts';
import type { CreateEnvelopeInput, Envelope, EsignEvent } from '../../ports/esign.ts';
import type { Notification } from '../../ports/notify.ts';
import type { StageOutcome } from '../../orchestrator/stage.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import type { TrackedEnvelope } from './envelope-tracking.ts';
import type { SignaturePolicy } from './routing.ts';
import type { SignerPrediction } from './signer-prediction.ts';

export const HOUR = 3_600_000;
/** An envelope in one of these states can no longer be signed. */
export const ENDED = new Set<Envelope['status']>(['declined', 'voided', 'expired']);

/** Out for signature: neither completed nor ended. */
export function isLive(e: Envelope): boolean {
  return !ENDED.has(e.status) && e.status !== 'completed';
}

/** The envelope's state as the idle timers see it: any event or correction is progress. */
export function progressOf(t: TrackedEnvelope): string {
  return `${t.envelopeId}:${t.seen.length}:${Object.keys(t.correctedAt).length}`;
}

/** What the rep asks for through the API (`rep:signature` events). */
export const SignatureActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('resend'), at: z.string() }),
  z.object({
    action: z.literal('correct'),
    recipientKey: z.string().min(1),
    email: z.string().min(1),
    name: z.string().nullish(),
    at: z.string(),
  }),
]);
export type SignatureAction = z.infer<typeof SignatureActionSchema>;

export const REMINDER_TIMER = 'signature-reminder';
export const RECONCILE_TIMER = 'signature-reconcile';
export type TimerKind = typeof REMINDER_TIMER | typeof RECONCILE_TIMER;
/** A timer names the envelope's progress when it was set: it only acts if nothing happened since. */
export const TimerPayloadSchema = z.object({ envelopeId: z.string(), progress: z.string() });
export type TimerPayload = z.infer<typeof TimerPayloadSchema>;

export interface Correction {
  email: string;
  name?: string | undefined;
}

/** What the stage keeps between runs. */
export interface SignatureState {
  /** 0 for the first envelope of the generation; each replacement envelope is the next round. */
  round: number;
  /** The current round's envelope as far as events and reads tell; null until it is sent. */
  tracked: TrackedEnvelope | null;
  /** The rep's address corrections, by recipient key. */
  corrections: Record<string, Correction>;
  /** Keys of the notifications delivered so far (each is delivered once). */
  notified: string[];
  /** The progress the idle timers were last set for. */
  timersFor: string | null;
  /** Within one run, between its decisions: what is left to do. Never saved. */
  turn?: Turn;
}

/** What `decide` learns from: the run's events, then what the commands observed. */
export type SignatureInput =
  | { kind: 'provider'; event: EsignEvent }
  | { kind: 'rep'; action: SignatureAction }
  | { kind: 'timer'; timer: TimerKind; payload: TimerPayload }
  | SignatureObservation;

export type SignatureObservation =
  | { kind: 'envelope-sent'; envelope: Envelope }
  | { kind: 'envelope-read'; envelope: Envelope }
  /** The hourly reconciliation budget had no room for this timer's read. */
  | { kind: 'budget-spent'; payload: TimerPayload };

export interface SignatureFacts {
  runId: string;
  /** The step's generation: a retry after the rep fixed data sends a new envelope. */
  generation: number;
  now: Date;
  deal: {
    opportunityId: string;
    opportunityName: string;
    ownerId: string;
    accountName: string | null;
    contactRoles: ContactRole[];
  };
  contract: Pick<ContractOutput, 'signers' | 'templateTitle' | 'fileName'>;
  policy: SignaturePolicy;
  provider: Envelope['provider'];
  canCorrect: boolean;
  canResend: boolean;
  /** The last known envelope of each round of the step's earlier generations. */
  earlierEnvelopes: TrackedEnvelope[];
  /** Each signer's completion prediction by recipient key, when the org's history allowed one. */
  predictions?: Record<string, SignerPrediction>;
}

/** The envelope to create; the agent adds the approved contract as its one document. */
export type EnvelopeRequest = Omit<CreateEnvelopeInput, 'documents'> & { documentName: string };

export interface SignedFile {
  key: string;
  part: 'combined' | 'certificate';
  title: string;
  fileName: string;
}

export type SignatureCommand =
  /** Best effort: the provider may have completed or ended it already. Observes nothing. */
  | { kind: 'void-superseded'; envelopeId: string; reason: string }
  /** Sent once per round, whatever restarts; observes `envelope-sent`. */
  | { kind: 'send-envelope'; round: number; request: EnvelopeRequest }
  | { kind: 'correct-recipient'; envelopeId: string; recipientKey: string; change: Correction }
  | { kind: 'resend'; envelopeId: string }
  /** Voids the round's envelope before its replacement is sent, once per round. */
  | { kind: 'void-replaced'; round: number; envelopeId: string; reason: string }
  /** Spends the reconciliation budget on a read: observes `envelope-read` or `budget-spent`. */
  | { kind: 'reconcile'; envelopeId: string; payload: TimerPayload }
  /** Observes `envelope-read`. */
  | { kind: 'read-envelope'; envelopeId: string }
  | { kind: 'notify'; notification: Notification }
  | { kind: 'schedule'; timers: { kind: TimerKind; dueAt: Date; payload: TimerPayload }[] }
  /**
   * Saves state, all given values in one write. `notified` lists the keys known delivered before
   * this run; the agent adds those it delivered, so one that failed is tried again next run.
   */
  | { kind: 'save'; values: SavedValues }
  /** Downloads the signed documents and adds the files not yet attached to the outcome's writes. */
  | { kind: 'attach-signed'; envelopeId: string; linkedTo: string; files: SignedFile[] };

export interface SavedValues {
  round?: number;
  tracked?: { round: number; envelope: TrackedEnvelope };
  corrections?: Record<string, Correction>;
  notified?: string[];
  timersFor?: string;
}

export interface SignatureDecision {
  state: SignatureState;
  /** Carried out in order, before deciding again or committing the outcome. */
  commands: SignatureCommand[];
  /** Absent while the turn waits for what its commands observe. */
  outcome?: StageOutcome;
}

/** What one run of the stage has left to do between its decisions, and what it did so far. */
export interface Turn {
  steps: TurnStep[];
  /** The observation the turn waits for from the commands just issued. */
  awaiting: 'envelope' | 'read' | 'reconcile' | null;
  /** What this run did, for the step's reasoning. */
  done: string[];
  /** The outcome's writes so far (envelopes voided or replaced). */
  writes: CrmWrite[];
  /** Why the current envelope is replaced by a new one, when it is. */
  replace: string | null;
  /** Keys of the notifications asked for in this run. */
  notifying: string[];
}

export type TurnStep =
  | { step: 'track'; events: EsignEvent[] }
  | { step: 'rep'; action: SignatureAction }
  | { step: 'replace' }
  | { step: 'timer'; timer: TimerKind; payload: TimerPayload }
  | { step: 'settle' };

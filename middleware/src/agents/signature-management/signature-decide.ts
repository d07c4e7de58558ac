/**
 * The Signature Management Agent's decisions, with no I/O and no clock: from what the stage kept
 * (`SignatureState`), what happened (provider events, the rep's actions, timers) and the facts of
 * the deal, `decide` says what to do (`SignatureCommand`) and what the step's outcome is; the
 * agent (`signature-agent.ts`) carries the commands out through the ports.
 *
 * Some answers only the outside world has: the envelope the provider created, a fresh read of it,
 * whether the hourly reconciliation budget had room. A decision that needs one ends with the
 * command that asks and no outcome; the agent carries out the commands and decides again with
 * what they observed, until an outcome is reached. One run of the stage is that turn of decisions.
 */
import type { CrmWrite } from '../../ports/crm.ts';
import type { RecipientInput } from '../../ports/esign.ts';
import { failedOutcome } from '../../orchestrator/stage.ts';
import {
  corrected,
  currentSigners,
  fold,
  merge,
  startTracking,
  type TrackedEnvelope,
} from './envelope-tracking.ts';
import { routingOrders } from './routing.ts';
import {
  ENDED,
  HOUR,
  isLive,
  progressOf,
  RECONCILE_TIMER,
  type Correction,
  type SignatureAction,
  type SignatureCommand,
  type SignatureDecision,
  type SignatureFacts,
  type SignatureInput,
  type SignatureObservation,
  type SignatureState,
  type TimerKind,
  type TimerPayload,
  type Turn,
} from './signature-model.ts';
import { conclude, envelopeWrite, notifyOnce } from './signature-outcome.ts';

/** Decides one step of the turn: the first call of a run gets its events, later ones observations. */
export function decide(
  state: SignatureState,
  inputs: SignatureInput[],
  facts: SignatureFacts,
): SignatureDecision {
  const next = structuredClone(state);
  const commands: SignatureCommand[] = [];
  if (!next.turn) {
    const missing = recipientsOf(facts, next.corrections).filter((r) => !r.email);
    if (missing.length > 0) {
      const message = `No email address for ${missing.map((s) => s.name).join(', ')}: add it to the contact, then retry.`;
      return { state, commands, outcome: failedOutcome(message, { signers: facts.contract.signers }) };
    }
    next.turn = open(inputs, facts, commands);
    if (!next.tracked) {
      commands.push(sendEnvelope(next, facts));
      next.turn.awaiting = 'envelope';
      return { state: next, commands };
    }
  } else observe(next, next.turn, inputs, facts, commands);
  return proceed(next, next.turn, facts, commands);
}

/**
 * Starts a turn. A retry after the rep fixed data starts a new generation with a new envelope;
 * an envelope of an earlier generation still out for signature is voided first, so nobody signs
 * a superseded copy.
 */
function open(inputs: SignatureInput[], facts: SignatureFacts, commands: SignatureCommand[]): Turn {
  const writes: CrmWrite[] = [];
  if (facts.generation > 0)
    for (const old of facts.earlierEnvelopes.filter(isLive)) {
      const reason = 'Superseded by a new envelope for the same deal';
      commands.push({ kind: 'void-superseded', envelopeId: old.envelopeId, reason });
      writes.push(envelopeWrite(facts.runId, { ...old, status: 'voided' }));
    }
  const provider = inputs.flatMap((i) => (i.kind === 'provider' ? [i.event] : []));
  return {
    // Provider events first (their order does not matter), then the rep's actions, then timers.
    steps: [
      { step: 'track', events: provider },
      ...inputs.flatMap((i) => (i.kind === 'rep' ? [{ step: 'rep' as const, action: i.action }] : [])),
      { step: 'replace' },
      ...inputs.flatMap((i) =>
        i.kind === 'timer' ? [{ step: 'timer' as const, timer: i.timer, payload: i.payload }] : [],
      ),
      { step: 'settle' },
    ],
    awaiting: null,
    done: [],
    writes,
    replace: null,
    notifying: [],
  };
}

const EXPECTED: Record<NonNullable<Turn['awaiting']>, SignatureObservation['kind'][]> = {
  envelope: ['envelope-sent'],
  read: ['envelope-read'],
  reconcile: ['envelope-read', 'budget-spent'],
};

function observe(
  s: SignatureState,
  turn: Turn,
  inputs: SignatureInput[],
  facts: SignatureFacts,
  commands: SignatureCommand[],
): void {
  const input = inputs[0];
  const expected = turn.awaiting ? EXPECTED[turn.awaiting] : [];
  if (inputs.length !== 1 || !input || !(expected as string[]).includes(input.kind))
    throw new Error(
      `The signature turn waits for ${expected.join(' or ') || 'nothing'}, not ${inputs.map((i) => i.kind).join(', ') || 'nothing'}`,
    );
  if (input.kind === 'envelope-sent') {
    s.tracked = startTracking(input.envelope);
    if (turn.replace) turn.done.push(`sent a new envelope ${input.envelope.envelopeId} (${turn.replace})`);
  } else if (input.kind === 'envelope-read') {
    s.tracked = merge(trackedOf(s), input.envelope);
    if (turn.awaiting === 'reconcile') turn.done.push('checked the silent envelope with the provider');
  } else if (input.kind === 'budget-spent') {
    const dueAt = new Date(facts.now.getTime() + HOUR);
    commands.push({ kind: 'schedule', timers: [{ kind: RECONCILE_TIMER, dueAt, payload: input.payload }] });
  }
  turn.awaiting = null;
}

/** Takes the turn's steps in order until one waits for an observation, then concludes. */
function proceed(
  s: SignatureState,
  turn: Turn,
  facts: SignatureFacts,
  commands: SignatureCommand[],
): SignatureDecision {
  for (let step = turn.steps.shift(); step; step = turn.steps.shift()) {
    if (step.step === 'track') s.tracked = fold(trackedOf(s), step.events);
    else if (step.step === 'rep') repAction(s, turn, step.action, facts, commands);
    else if (step.step === 'replace') replace(s, turn, facts, commands);
    else if (step.step === 'timer') timer(s, turn, step, facts, commands);
    else settle(s, turn, commands);
    if (turn.awaiting) return { state: s, commands };
  }
  const outcome = conclude(s, turn, facts, commands);
  delete s.turn;
  return { state: s, commands, outcome };
}

/**
 * The rep's action: correct a recipient (in place when the envelope is live and the provider
 * supports it), or send a fresh envelope for one that ended, or the current one again.
 */
function repAction(
  s: SignatureState,
  turn: Turn,
  action: SignatureAction,
  facts: SignatureFacts,
  commands: SignatureCommand[],
): void {
  const tracked = trackedOf(s);
  if (action.action === 'correct') {
    const change: Correction = { email: action.email, ...(action.name ? { name: action.name } : {}) };
    s.corrections[action.recipientKey] = change;
    const r = tracked.recipients.find((x) => x.recipientKey === action.recipientKey);
    if (r && isLive(tracked) && r.status !== 'signed' && facts.canCorrect) {
      const { envelopeId } = tracked;
      commands.push({ kind: 'correct-recipient', envelopeId, recipientKey: action.recipientKey, change });
      s.tracked = corrected(tracked, action.recipientKey, change, action.at);
      turn.done.push(`corrected ${r.name}'s address to ${action.email} on the live envelope`);
    } else turn.replace = `recipient ${action.recipientKey} corrected`;
  } else if (ENDED.has(tracked.status)) turn.replace = `resend after the envelope was ${tracked.status}`;
  else if (facts.canResend) {
    commands.push({ kind: 'resend', envelopeId: tracked.envelopeId });
    turn.done.push('resent the envelope to the current signers');
  }
}

/** Corrections are kept; an envelope the rep's actions cannot fix in place is replaced. */
function replace(s: SignatureState, turn: Turn, facts: SignatureFacts, commands: SignatureCommand[]): void {
  commands.push({ kind: 'save', values: { corrections: s.corrections } });
  if (!turn.replace) return;
  let previous = trackedOf(s);
  if (!ENDED.has(previous.status)) {
    // The provider cannot correct in place: the old envelope is voided first.
    const reason = 'Replaced by a corrected envelope';
    commands.push({ kind: 'void-replaced', round: s.round, envelopeId: previous.envelopeId, reason });
    previous = { ...previous, status: 'voided' };
  }
  turn.writes.push(envelopeWrite(facts.runId, previous));
  // Together: the ended envelope of this round and the move to the next.
  commands.push({
    kind: 'save',
    values: { tracked: { round: s.round, envelope: previous }, round: s.round + 1 },
  });
  s.round += 1;
  s.tracked = null;
  commands.push(sendEnvelope(s, facts));
  turn.awaiting = 'envelope';
}

/** Timers only act when nothing happened since they were set. */
function timer(
  s: SignatureState,
  turn: Turn,
  t: { timer: TimerKind; payload: TimerPayload },
  facts: SignatureFacts,
  commands: SignatureCommand[],
): void {
  const tracked = trackedOf(s);
  const progress = progressOf(tracked);
  if (t.payload.progress !== progress) return;
  if (t.timer === RECONCILE_TIMER) {
    commands.push({ kind: 'reconcile', envelopeId: tracked.envelopeId, payload: t.payload });
    turn.awaiting = 'reconcile';
    return;
  }
  const { deal, contract } = facts;
  for (const r of currentSigners(tracked).filter((x) => x.status !== 'auto_responded'))
    notifyOnce(s, turn, commands, {
      key: `${tracked.envelopeId}:${r.recipientKey}:reminder:${progress}`,
      audience: 'signer',
      email: r.email,
      recordId: deal.opportunityId,
      subject: `Reminder: ${contract.fileName} is waiting for your signature`,
      body: `${r.name}, the agreement for ${deal.opportunityName} is waiting for your signature.${r.signingUrl ? ` Sign here: ${r.signingUrl}` : ' Open the DocuSign email to sign.'}`,
      kind: 'reminder',
    });
  if (facts.canResend) commands.push({ kind: 'resend', envelopeId: tracked.envelopeId });
  turn.done.push('reminded the current signer');
}

/** On completion the provider is read once, for the signing times and its recipient ids. */
function settle(s: SignatureState, turn: Turn, commands: SignatureCommand[]): void {
  const tracked = trackedOf(s);
  if (tracked.status !== 'completed') return;
  commands.push({ kind: 'read-envelope', envelopeId: tracked.envelopeId });
  turn.awaiting = 'read';
}

function trackedOf(s: SignatureState): TrackedEnvelope {
  if (!s.tracked) throw new Error(`The signature turn has no envelope for round ${s.round}`);
  return s.tracked;
}

type ContractSigner = SignatureFacts['contract']['signers'][number];

/** The key a signer keeps on every envelope of the run: their contact, or their place. */
export function recipientKeyOf(s: ContractSigner, index: number): string {
  return s.contactId ?? `provider-${index + 1}`;
}

/** The signer's role as the envelope and Envelope_Recipient__c.Role__c name it. */
export function envelopeRoleOf(s: ContractSigner): string {
  return s.role === 'Customer'
    ? `Customer signer${s.title ? ` (${s.title})` : ''}`
    : 'Provider countersignature';
}

/** The signers as the envelope lists them, in routing order, with the rep's corrections. */
function recipientsOf(
  facts: SignatureFacts,
  corrections: Record<string, Correction>,
): (Omit<RecipientInput, 'email'> & { email: string | null })[] {
  const { signers } = facts.contract;
  const orders = routingOrders(signers, facts.deal.contactRoles, facts.policy);
  return signers.map((s, i) => {
    const recipientKey = recipientKeyOf(s, i);
    const fix = corrections[recipientKey];
    return {
      recipientKey,
      name: fix?.name ?? s.name,
      email: fix?.email ?? s.email,
      role: envelopeRoleOf(s),
      routingOrder: orders[i]!,
      signAnchor: s.anchor,
      dateAnchor: s.anchor.replace('sig', 'date'),
    };
  });
}

function sendEnvelope(s: SignatureState, facts: SignatureFacts): SignatureCommand {
  const { runId, generation, deal, contract } = facts;
  return {
    kind: 'send-envelope',
    round: s.round,
    request: {
      // The first envelope of a run keeps the run id as its key; later ones (a resend, a retry
      // after the rep fixed data) get their own, so the provider sends them anew.
      idempotencyKey: generation === 0 && s.round === 0 ? runId : `${runId}:g${generation}:r${s.round}`,
      subject: `Please sign: ${deal.accountName ?? deal.opportunityName} — ${contract.templateTitle ?? 'Agreement'}`,
      message: `The agreement for ${deal.opportunityName} is ready for your signature.`,
      documentName: contract.fileName,
      recipients: recipientsOf(facts, s.corrections).map((r) => ({ ...r, email: r.email! })),
    },
  };
}

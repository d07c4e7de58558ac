/**
 * How a turn of the Signature Management Agent ends, decided from the envelope as it now stands:
 * completed (attach the signed agreement and the certificate), ended (declined, voided, expired:
 * the rep is told what to do), a bounced address (the rep is asked for the right one), or still
 * signing (idle timers set). Pure, like the rest of the decision; the agent carries out the commands.
 */
import type { CrmWrite, RecipientPrediction } from '../../ports/crm.ts';
import type { Envelope } from '../../ports/esign.ts';
import type { Notification } from '../../ports/notify.ts';
import type { StageOutcome } from '../../orchestrator/stage.ts';
import { currentSigners, type TrackedEnvelope } from './envelope-tracking.ts';
import {
  ENDED,
  HOUR,
  progressOf,
  RECONCILE_TIMER,
  REMINDER_TIMER,
  type SignatureCommand,
  type SignatureFacts,
  type SignatureState,
  type Turn,
} from './signature-model.ts';
import {
  describePrediction,
  formatHours,
  receivedAt,
  reminderDelay,
  signerLabel,
  type SignerPrediction,
} from './signer-prediction.ts';

type RecipientStatus = Extract<CrmWrite, { kind: 'envelope' }>['recipients'][number]['status'];
const RECIPIENT_STATUS: Record<string, RecipientStatus> = {
  created: 'Created',
  sent: 'Sent',
  delivered: 'Delivered',
  signed: 'Signed',
  completed: 'Completed',
  declined: 'Declined',
  auto_responded: 'Auto_Responded',
};
const ENVELOPE_STATUS: Record<string, Extract<CrmWrite, { kind: 'envelope' }>['status']> = {
  created: 'Created',
  sent: 'Sent',
  delivered: 'Delivered',
  completed: 'Completed',
  declined: 'Declined',
  voided: 'Voided',
  expired: 'Expired',
};

/** The envelope and its recipients as Salesforce keeps them, with the signers' predictions if given. */
export function envelopeWrite(
  runId: string,
  e: Envelope,
  predictions?: Record<string, SignerPrediction>,
): CrmWrite {
  return {
    kind: 'envelope',
    envelopeId: e.envelopeId,
    provider: e.provider,
    status: ENVELOPE_STATUS[e.status] ?? 'Sent',
    sentAt: e.sentAt ?? null,
    completedAt: e.completedAt ?? null,
    recipients: e.recipients.map((r) => {
      const p = predictions?.[r.recipientKey];
      return {
        key: `${runId}:envelope:${e.envelopeId}:${r.recipientKey}`,
        name: r.name,
        email: r.email,
        role: r.role,
        routingOrder: r.routingOrder,
        status: RECIPIENT_STATUS[r.status] ?? 'Sent',
        signedAt: r.signedAt ?? null,
        ...(p ? { prediction: recipientPrediction(p) } : {}),
      };
    }),
  };
}

function recipientPrediction(p: SignerPrediction): RecipientPrediction {
  return {
    probability: p.probability,
    medianHours: p.medianHours,
    p80Hours: p.p80Hours,
    summary: describePrediction(p),
  };
}

/** Each notification is asked for once: not again after it was delivered, nor twice in a turn. */
export function notifyOnce(
  s: SignatureState,
  turn: Turn,
  commands: SignatureCommand[],
  notification: Notification,
): void {
  if (s.notified.includes(notification.key) || turn.notifying.includes(notification.key)) return;
  turn.notifying.push(notification.key);
  commands.push({ kind: 'notify', notification });
}

/** What the turn ends with: the envelope saved and written, the rep or signers told, the outcome. */
export function conclude(
  s: SignatureState,
  turn: Turn,
  facts: SignatureFacts,
  commands: SignatureCommand[],
): StageOutcome {
  const envelope = s.tracked;
  if (!envelope) throw new Error(`The signature turn ended without an envelope for round ${s.round}`);
  commands.push({ kind: 'save', values: { tracked: { round: s.round, envelope } } });
  const writes = [...turn.writes, envelopeWrite(facts.runId, envelope, facts.predictions)];
  const ending = { s, turn, facts, commands, envelope, writes, output: outputOf(envelope, s.round) };
  const outcome =
    envelope.status === 'completed'
      ? completed(ending)
      : ENDED.has(envelope.status)
        ? ended(ending)
        : (bounced(ending) ?? signing(ending));
  // Last, so the keys the agent delivered in this turn are remembered with the earlier ones.
  commands.push({ kind: 'save', values: { notified: s.notified } });
  return outcome;
}

interface Ending {
  s: SignatureState;
  turn: Turn;
  facts: SignatureFacts;
  commands: SignatureCommand[];
  envelope: TrackedEnvelope;
  writes: CrmWrite[];
  output: ReturnType<typeof outputOf>;
}

function completed({ facts, commands, envelope, writes, output }: Ending): StageOutcome {
  const { runId, deal } = facts;
  const name = (deal.accountName ?? 'contract').replace(/[^A-Za-z0-9]+/g, '-');
  commands.push({
    kind: 'attach-signed',
    envelopeId: envelope.envelopeId,
    linkedTo: deal.opportunityId,
    files: [
      {
        key: `${runId}:signed:combined`,
        part: 'combined',
        title: `${deal.opportunityName} — signed agreement`,
        fileName: `${name}-MSA-signed.pdf`,
      },
      {
        key: `${runId}:signed:certificate`,
        part: 'certificate',
        title: `${deal.opportunityName} — certificate of completion`,
        fileName: `${name}-certificate-of-completion.pdf`,
      },
    ],
  });
  return {
    status: 'succeeded',
    reasoning: `Signed by all ${envelope.recipients.length} recipients in order through ${envelope.provider}; the signed agreement and the certificate of completion are attached to the opportunity. ${whoSigned(envelope)}.`,
    confidence: null,
    facts: {
      envelopeId: envelope.envelopeId,
      provider: envelope.provider,
      completedAt: envelope.completedAt ?? null,
      recipients: envelope.recipients.map(({ signingUrl: _u, ...r }) => r),
    },
    message: 'Contract signed by all parties',
    writes,
    output,
  };
}

/** Declined, voided or expired: the rep decides, and is told the actions that move it on. */
function ended({ s, turn, facts, commands, envelope, writes, output }: Ending): StageOutcome {
  const closure = `/v1/closures/${facts.runId}`;
  const decliner = envelope.recipients.find((r) => r.status === 'declined');
  const opportunity = facts.deal.opportunityName;
  if (envelope.status === 'declined')
    toRep(
      { s, turn, facts, commands },
      `${envelope.envelopeId}:declined`,
      `${decliner?.name ?? 'A signer'} declined to sign ${opportunity}`,
      `${decliner?.name ?? 'A signer'} declined the agreement: "${decliner?.declineReason ?? 'no reason given'}". ` +
        `Name another signer (POST ${closure}/signers/${decliner?.recipientKey ?? '<recipientKey>'} with their email), send it again (POST ${closure}/signature/resend), or, if the contract must change, cancel (POST ${closure}/cancel) and start a new closure once the opportunity is updated.`,
    );
  else
    toRep(
      { s, turn, facts, commands },
      `${envelope.envelopeId}:${envelope.status}`,
      `The signature envelope for ${opportunity} ${envelope.status === 'expired' ? 'expired' : 'was voided'}`,
      `The envelope ${envelope.envelopeId} ${envelope.status === 'expired' ? 'expired before everyone signed' : 'was voided'}. One action sends a fresh one: POST ${closure}/signature/resend.`,
    );
  return {
    status: 'waiting',
    waitingFor: 'rep',
    reasoning: `The envelope was ${envelope.status}${decliner ? ` by ${decliner.name}: "${decliner.declineReason ?? 'no reason given'}"` : ''}. The rep decides how to proceed: another signer, a resend, or a new closure with a revised contract.${actionsDone(turn)} ${whoSigned(envelope)}.`,
    confidence: null,
    facts: { envelope: output },
    message: `Signature ${envelope.status}${decliner ? ` by ${decliner.name}` : ''}`,
    writes,
    output,
  };
}

/** A bounced or auto-answered address: the rep gives the right one; the envelope stays as it is. */
function bounced({ s, turn, facts, commands, envelope, writes, output }: Ending): StageOutcome | undefined {
  const closure = `/v1/closures/${facts.runId}`;
  const bounces = envelope.recipients.filter((r) => r.status === 'auto_responded');
  if (bounces.length === 0) return undefined;
  for (const r of bounces)
    toRep(
      { s, turn, facts, commands },
      `${envelope.envelopeId}:${r.recipientKey}:bounced:${r.email}`,
      `Email to ${r.name} bounced or auto-replied: give the right address`,
      `The signing email to ${r.name} <${r.email}> bounced or got an automatic reply, so they may never see it. ` +
        `Send the right address: POST ${closure}/signers/${r.recipientKey} {"email": "..."}; the envelope stays as it is.`,
    );
  return {
    status: 'waiting',
    waitingFor: 'rep',
    reasoning: `The email to ${bounces.map((r) => `${r.name} <${r.email}>`).join(', ')} bounced or was auto-answered; the rep was asked for a correct address, which corrects the recipient without restarting the envelope.${actionsDone(turn)} ${whoSigned(envelope)}.`,
    confidence: null,
    facts: { envelope: output },
    message: `Email to ${bounces.map((r) => r.name).join(', ')} bounced: correct address needed`,
    writes,
    output,
  };
}

/**
 * Still signing: remind the current signer when comparable signers typically have signed (after
 * the idle time without a prediction), and check with the provider once if the envelope stays
 * silent much longer. One pair of timers per state of the envelope.
 */
function signing({ s, turn, facts, commands, envelope, writes, output }: Ending): StageOutcome {
  const progress = progressOf(envelope);
  let reminding = '';
  if (s.timersFor !== progress) {
    const base = facts.now.getTime();
    const payload = { envelopeId: envelope.envelopeId, progress };
    const reminder = reminderOf(envelope, facts);
    commands.push({
      kind: 'schedule',
      timers: [
        { kind: REMINDER_TIMER, dueAt: reminder.dueAt, payload },
        { kind: RECONCILE_TIMER, dueAt: new Date(base + facts.policy.reconcileAfterHours * HOUR), payload },
      ],
    });
    commands.push({ kind: 'save', values: { timersFor: progress } });
    s.timersFor = progress;
    reminding = reminder.why ? ` ${reminder.why}.` : '';
  }
  const next = currentSigners(envelope)[0];
  const expected = next && facts.predictions?.[next.recipientKey];
  return {
    status: 'waiting',
    waitingFor: 'signature',
    reasoning: `Envelope ${envelope.envelopeId} sent through ${facts.provider}; ${next ? `waiting for ${next.name} (${next.role})` : 'waiting for completion'}.${predicted(envelope, facts)}${reminding}${actionsDone(turn)} ${whoSigned(envelope)}.`,
    confidence: null,
    facts: {
      envelopeId: envelope.envelopeId,
      provider: facts.provider,
      checkedAt: facts.now.toISOString(),
      ...(facts.predictions ? { predictions: facts.predictions } : {}),
    },
    message: next
      ? `Waiting for ${next.name} to sign${expected && expected.level !== 'none' ? `: ${headline(expected)}` : ''}`.slice(
          0,
          255,
        )
      : 'Waiting for signatures',
    writes,
    output,
  };
}

/** The predictions of the signers still to sign, for the timeline. */
function predicted(envelope: Envelope, facts: SignatureFacts): string {
  const lines = envelope.recipients.flatMap((r) => {
    const p = facts.predictions?.[r.recipientKey];
    if (!p || r.status === 'signed' || r.status === 'completed' || r.status === 'declined') return [];
    return [`${signerLabel(r.name, r.role)}: ${describePrediction(p)}`];
  });
  return lines.length > 0 ? ` Predicted from the org's signing history: ${lines.join('; ')}.` : '';
}

/**
 * When to remind the signers whose turn it is: the soonest of their reminders (see
 * `reminderDelay`: from their prediction, counted from when their turn came, else after the idle
 * time), and why, when a prediction set it.
 */
function reminderOf(envelope: Envelope, facts: SignatureFacts): { dueAt: Date; why: string | null } {
  const now = facts.now.getTime();
  const idle = facts.policy.idleReminderHours;
  const reminders = currentSigners(envelope)
    .filter((r) => r.status !== 'auto_responded')
    .map((r) => {
      const p = facts.predictions?.[r.recipientKey];
      const from = receivedAt(envelope.sentAt, envelope.recipients, r.routingOrder);
      const elapsed = from ? (now - Date.parse(from)) / HOUR : 0;
      return { name: r.name, p, ...reminderDelay(p, Number.isFinite(elapsed) ? elapsed : 0, idle) };
    })
    .sort((a, b) => a.hours - b.hours);
  const first = reminders[0];
  if (!first || first.at === 'idle' || !first.p) return { dueAt: new Date(now + idle * HOUR), why: null };
  const dueAt = new Date(now + first.hours * HOUR);
  const mark =
    first.at === 'median'
      ? `the typical signing time of past ${first.p.group} (${formatHours(first.p.medianHours ?? 0)})`
      : `the time by which 80% of past ${first.p.group} had signed (${formatHours(first.p.p80Hours ?? 0)})`;
  return {
    dueAt,
    why: `${first.name} will be reminded at ${dueAt.toISOString()}, ${mark} after their turn came`,
  };
}

/** "82% within 3 days, typically 22 h" */
function headline(p: SignerPrediction): string {
  return `${Math.round((p.probabilityWithin ?? 0) * 100)}% within ${formatHours(p.horizonHours)}, typically ${formatHours(p.medianHours ?? 0)}`;
}

function toRep(
  { s, turn, facts, commands }: Pick<Ending, 's' | 'turn' | 'facts' | 'commands'>,
  key: string,
  subject: string,
  body: string,
): void {
  notifyOnce(s, turn, commands, {
    key,
    audience: 'rep',
    userId: facts.deal.ownerId,
    recordId: facts.deal.opportunityId,
    subject: subject.slice(0, 255),
    body,
    kind: 'signature',
  });
}

function actionsDone(turn: Turn): string {
  return turn.done.length > 0 ? ` This time: ${turn.done.join('; ')}.` : '';
}

function whoSigned(envelope: Envelope): string {
  return envelope.recipients
    .map(
      (r) =>
        `${r.name} (${r.role}, order ${r.routingOrder}): ${r.status}${r.signedAt ? ` at ${r.signedAt}` : ''}${r.declineReason ? `, reason "${r.declineReason}"` : ''}`,
    )
    .join('; ');
}

/** The step's output: what the API shows and later stages read. */
function outputOf(envelope: Envelope, round: number) {
  return {
    envelopeId: envelope.envelopeId,
    provider: envelope.provider,
    round,
    status: envelope.status,
    completedAt: envelope.completedAt ?? null,
    signedAt: envelope.recipients.map((r) => r.signedAt ?? null),
    recipients: envelope.recipients.map((r) => ({
      recipientKey: r.recipientKey,
      name: r.name,
      email: r.email,
      role: r.role,
      routingOrder: r.routingOrder,
      status: r.status,
      signedAt: r.signedAt ?? null,
      declineReason: r.declineReason ?? null,
      signingUrl: r.signingUrl ?? null,
    })),
  };
}

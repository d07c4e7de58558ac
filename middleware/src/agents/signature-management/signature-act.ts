/**
 * Carries out the Signature Management Agent's commands through the ports. Nothing here decides:
 * what to send, void, correct, remind or attach comes from `decide`. What must happen once per
 * run whatever restarts goes through the stage's memo (signature-state.ts names the keys): the
 * envelope of each round, the void of a superseded envelope, the void of a replaced one.
 */
import type { CrmPort, CrmWrite } from '../../ports/crm.ts';
import type { Envelope, EsignPort } from '../../ports/esign.ts';
import type { Notification, Notifier } from '../../ports/notify.ts';
import type { StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import type { HourlyBudget } from './routing.ts';
import type { EnvelopeRequest, SignatureCommand, SignatureObservation } from './signature-model.ts';
import { envelopeKey, replacedKey, savedKeys, supersededKey } from './signature-state.ts';

export interface ActingDeps {
  esign: EsignPort;
  crm: CrmPort;
  notifier?: Notifier | undefined;
  reconcileBudget?: HourlyBudget | undefined;
}

/** What carrying out one run's commands needs, and what it gathers for the outcome. */
export interface Acting {
  deps: ActingDeps;
  ctx: StageContext;
  contract: ContractOutput;
  /** Keys of the notifications delivered in this run. */
  delivered: Set<string>;
  /** The signed documents' files, added to the outcome's writes. */
  attachments: CrmWrite[];
}

export function startActing(deps: ActingDeps, ctx: StageContext, contract: ContractOutput): Acting {
  return { deps, ctx, contract, delivered: new Set(), attachments: [] };
}

/** Carries out one command; returns what it observed when `decide` needs to know. */
export async function carryOut(a: Acting, c: SignatureCommand): Promise<SignatureObservation | undefined> {
  const { esign } = a.deps;
  switch (c.kind) {
    case 'void-superseded':
      await a.ctx.memo(supersededKey(c.envelopeId), () => voidSuperseded(a, c.envelopeId, c.reason));
      return undefined;
    case 'send-envelope':
      return { kind: 'envelope-sent', envelope: await send(a, c.round, c.request) };
    case 'correct-recipient':
      await esign.correctRecipient?.(c.envelopeId, c.recipientKey, c.change);
      return undefined;
    case 'resend':
      await esign.resend?.(c.envelopeId);
      return undefined;
    case 'void-replaced':
      await a.ctx.memo(replacedKey(c.round), async () => {
        await esign.voidEnvelope(c.envelopeId, c.reason);
        return true;
      });
      return undefined;
    case 'reconcile':
      if (a.deps.reconcileBudget && !(await a.deps.reconcileBudget.take()))
        return { kind: 'budget-spent', payload: c.payload };
      return { kind: 'envelope-read', envelope: await esign.getEnvelope(c.envelopeId) };
    case 'read-envelope':
      return { kind: 'envelope-read', envelope: await esign.getEnvelope(c.envelopeId) };
    case 'notify':
      await notify(a, c.notification);
      return undefined;
    case 'schedule':
      await a.ctx.schedule(c.timers);
      return undefined;
    case 'save':
      await a.ctx.saveAll(savedKeys(c.values, a.delivered));
      return undefined;
    case 'attach-signed':
      await attachSigned(a, c);
      return undefined;
  }
}

/** The outcome with the signed documents' files, when the commands attached them. */
export function withAttachments(a: Acting, outcome: StageOutcome): StageOutcome {
  if (a.attachments.length === 0) return outcome;
  return { ...outcome, writes: [...(outcome.writes ?? []), ...a.attachments] };
}

// The bytes the approvers saw: read back from Salesforce and checked against the recorded hash.
async function approvedPdf({ deps, contract }: Acting): Promise<Buffer> {
  if (contract.pdfBase64) return Buffer.from(contract.pdfBase64, 'base64');
  const pdf = await deps.crm.readFile(contract.fileKey, contract.contentHash);
  if (!pdf)
    throw new Error(
      `The contract file ${contract.fileName} is no longer attached to the opportunity; generate the contract again.`,
    );
  return pdf;
}

async function send(
  a: Acting,
  round: number,
  { documentName, ...request }: EnvelopeRequest,
): Promise<Envelope> {
  const sent = await a.ctx.memo(envelopeKey(round), async () =>
    a.deps.esign.createEnvelope({
      ...request,
      documents: [{ documentId: '1', name: documentName, pdf: await approvedPdf(a) }],
    }),
  );
  await a.ctx.index(sent.envelopeId, 'envelope');
  return sent;
}

async function voidSuperseded(a: Acting, envelopeId: string, reason: string): Promise<boolean> {
  try {
    await a.deps.esign.voidEnvelope(envelopeId, reason);
    return true;
  } catch (err) {
    // Already completed, declined or voided at the provider: nothing left to stop.
    a.ctx.logger.warn({ err, envelopeId }, 'could not void the superseded envelope');
    return false;
  }
}

/** Best effort: a notification that fails is logged, not remembered, and asked for again next run. */
async function notify(a: Acting, notification: Notification): Promise<void> {
  if (!a.deps.notifier) return;
  try {
    await a.deps.notifier.notify(notification);
    a.delivered.add(notification.key);
  } catch (err) {
    a.ctx.logger.warn({ err, key: notification.key }, 'notification not delivered');
  }
}

async function attachSigned(
  a: Acting,
  c: Extract<SignatureCommand, { kind: 'attach-signed' }>,
): Promise<void> {
  const keys = c.files.map((f) => f.key);
  // Only a retry can find them attached already (a crash after the commit).
  const existing = a.ctx.attempt > 1 ? await a.deps.crm.existingKeys('file', keys) : new Set<string>();
  const docs = await a.deps.esign.downloadSigned(c.envelopeId);
  for (const f of c.files.filter((x) => !existing.has(x.key)))
    a.attachments.push({
      kind: 'file',
      key: f.key,
      title: f.title,
      fileName: f.fileName,
      data: docs[f.part],
      linkedTo: c.linkedTo,
    });
}

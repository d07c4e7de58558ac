/**
 * Signature Management Agent: sends the contract for signature in the order the contact roles
 * call for, keeps the envelope and every recipient current in Salesforce as provider events
 * arrive, and recovers from what stalls real deals: a decline (the rep is told why and decides),
 * a bounced or auto-responded address (the rep gives the right one and the recipient is
 * corrected on the live envelope), a void or expiry (one action sends a fresh envelope), and a
 * signer who goes quiet (reminded after the configured idle time). Provider reads are few:
 * events carry the state; the provider is asked only on completion and, rate-bounded, for an
 * envelope that has been silent for long.
 */
import type { CrmPort, CrmWrite } from '../../ports/crm.ts';
import type { EsignEvent, EsignPort, Envelope, RecipientInput } from '../../ports/esign.ts';
import type { Notification, Notifier } from '../../ports/notify.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import {
  corrected,
  currentSigners,
  fold,
  merge,
  startTracking,
  type TrackedEnvelope,
} from './envelope-tracking.ts';
import { DEFAULT_POLICY, routingOrders, type HourlyBudget, type SignaturePolicy } from './routing.ts';

export interface SignatureAgentDeps {
  esign: EsignPort;
  crm: CrmPort;
  /** Tells the rep about declines, bounces, voids and expiry, and reminds idle signers. */
  notifier?: Notifier;
  policy?: SignaturePolicy;
  /** Bounds provider reads for silent envelopes across all runs. */
  reconcileBudget?: HourlyBudget;
}

/** What the rep asks for through the API (`rep:signature` events). */
export type SignatureAction =
  | { action: 'resend'; at: string }
  | { action: 'correct'; recipientKey: string; email: string; name?: string | null; at: string };

interface Correction {
  email: string;
  name?: string | undefined;
}

const RECIPIENT_STATUS: Record<
  string,
  'Created' | 'Sent' | 'Delivered' | 'Signed' | 'Completed' | 'Declined' | 'Auto_Responded'
> = {
  created: 'Created',
  sent: 'Sent',
  delivered: 'Delivered',
  signed: 'Signed',
  completed: 'Completed',
  declined: 'Declined',
  auto_responded: 'Auto_Responded',
};
const ENVELOPE_STATUS: Record<
  string,
  'Created' | 'Sent' | 'Delivered' | 'Completed' | 'Declined' | 'Voided' | 'Expired'
> = {
  created: 'Created',
  sent: 'Sent',
  delivered: 'Delivered',
  completed: 'Completed',
  declined: 'Declined',
  voided: 'Voided',
  expired: 'Expired',
};
const ENDED = new Set<Envelope['status']>(['declined', 'voided', 'expired']);
const HOUR = 3_600_000;

export function createSignatureAgent(deps: SignatureAgentDeps): Stage {
  const policy = deps.policy ?? DEFAULT_POLICY;
  return {
    key: 'signature_management',
    async onCancel(ctx) {
      const round = ctx.load<number>('round') ?? 0;
      const tracked = ctx.load<TrackedEnvelope>(`tracked.${round}`);
      if (!tracked || !['created', 'sent', 'delivered'].includes(tracked.status)) return undefined;
      // Signers must not be able to sign a contract for a closure that no longer exists.
      await deps.esign.voidEnvelope(tracked.envelopeId, 'The closure was cancelled by the rep');
      return `Envelope ${tracked.envelopeId} voided.`;
    },
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract } = earlierResults(ctx);
      const now = ctx.now().toISOString();
      // Addresses the rep corrected stay corrected across a retry (a new generation of the step).
      const corrections = carriedCorrections(ctx);
      const notified = new Set(ctx.load<string[]>('notified') ?? []);
      let round = ctx.load<number>('round') ?? 0;
      const generation = ctx.generation;

      const orders = routingOrders(contract.signers, deal.contactRoles, policy);
      const recipients = (): (Omit<RecipientInput, 'email'> & { email: string | null })[] =>
        contract.signers.map((s, i) => {
          const recipientKey = s.contactId ?? `provider-${i + 1}`;
          const fix = corrections[recipientKey];
          return {
            recipientKey,
            name: fix?.name ?? s.name,
            email: fix?.email ?? s.email,
            role:
              s.role === 'Customer'
                ? `Customer signer${s.title ? ` (${s.title})` : ''}`
                : 'Provider countersignature',
            routingOrder: orders[i]!,
            signAnchor: s.anchor,
            dateAnchor: s.anchor.replace('sig', 'date'),
          };
        });
      const missingEmail = recipients().filter((r) => !r.email);
      if (missingEmail.length > 0) {
        const message = `No email address for ${missingEmail.map((s) => s.name).join(', ')}: add it to the contact, then retry.`;
        return failedOutcome(message, { signers: contract.signers });
      }
      // The bytes the approvers saw: read back from Salesforce and checked against the recorded hash.
      const approvedPdf = async (): Promise<Buffer> => {
        if (contract.pdfBase64) return Buffer.from(contract.pdfBase64, 'base64');
        const pdf = await deps.crm.readFile(contract.fileKey, contract.contentHash);
        if (!pdf)
          throw new Error(
            `The contract file ${contract.fileName} is no longer attached to the opportunity; generate the contract again.`,
          );
        return pdf;
      };
      const send = (r: number) =>
        // Round 0 keeps the plain key: System Integration reads its sentAt for the cycle time.
        ctx.memo(r === 0 ? 'envelope' : `envelope.${r}`, async () =>
          deps.esign.createEnvelope({
            // The first envelope of a run keeps the run id as its key; later ones (a resend, a
            // retry after the rep fixed data) get their own, so the provider sends them anew.
            idempotencyKey: generation === 0 && r === 0 ? ctx.run.id : `${ctx.run.id}:g${generation}:r${r}`,
            subject: `Please sign: ${deal.account?.name ?? deal.opportunity.name} — ${contract.templateTitle ?? 'Agreement'}`,
            message: `The agreement for ${deal.opportunity.name} is ready for your signature.`,
            documents: [{ documentId: '1', name: contract.fileName, pdf: await approvedPdf() }],
            recipients: recipients().map((r) => ({ ...r, email: r.email! })),
          }),
        );

      const writes: CrmWrite[] = [];
      // A retry after the rep fixed data starts a new generation with a new envelope; an
      // envelope of an earlier generation still out for signature is voided first, once, so
      // nobody signs a superseded copy.
      if (generation > 0) {
        for (const { key, value } of ctx.earlier<TrackedEnvelope>('tracked.*', 'state')) {
          if (!/^tracked\.\d+$/.test(key)) continue;
          const old = value;
          if (ENDED.has(old.status) || old.status === 'completed') continue;
          await ctx.memo(`superseded.${old.envelopeId}`, async () => {
            try {
              await deps.esign.voidEnvelope(old.envelopeId, 'Superseded by a new envelope for the same deal');
              return true;
            } catch (err) {
              // Already completed, declined or voided at the provider: nothing left to stop.
              ctx.logger.warn({ err, envelopeId: old.envelopeId }, 'could not void the superseded envelope');
              return false;
            }
          });
          writes.push(envelopeWrite(ctx.run.id, { ...old, status: 'voided' }));
        }
      }
      let sent = await send(round);
      await ctx.index(sent.envelopeId, 'envelope');
      const providerEvents = ctx.events
        .filter((e) => e.kind.startsWith('esign:'))
        .map((e) => e.payload as EsignEvent);
      let tracked = fold(
        ctx.load<TrackedEnvelope>(`tracked.${round}`) ?? startTracking(sent),
        providerEvents,
      );
      const done: string[] = [];

      // The rep's actions: correct a recipient (in place when the envelope is live and the
      // provider supports it), or send a fresh envelope for one that ended.
      let replace: string | null = null;
      for (const e of ctx.events.filter((x) => x.kind === 'rep:signature')) {
        const action = e.payload as SignatureAction;
        if (action.action === 'correct') {
          const change = { email: action.email, ...(action.name ? { name: action.name } : {}) };
          corrections[action.recipientKey] = change;
          const r = tracked.recipients.find((x) => x.recipientKey === action.recipientKey);
          const live = !ENDED.has(tracked.status) && tracked.status !== 'completed';
          if (r && live && r.status !== 'signed' && deps.esign.correctRecipient) {
            await deps.esign.correctRecipient(tracked.envelopeId, action.recipientKey, change);
            tracked = corrected(tracked, action.recipientKey, change, action.at);
            done.push(`corrected ${r.name}'s address to ${action.email} on the live envelope`);
          } else replace = `recipient ${action.recipientKey} corrected`;
        } else if (ENDED.has(tracked.status)) replace = `resend after the envelope was ${tracked.status}`;
        else if (deps.esign.resend) {
          await deps.esign.resend(tracked.envelopeId);
          done.push('resent the envelope to the current signers');
        }
      }
      await ctx.save('corrections', corrections);
      if (replace) {
        const previous = tracked;
        if (!ENDED.has(previous.status)) {
          // The provider cannot correct in place: the old envelope is voided, once.
          await ctx.memo(`void.${round}`, async () => {
            await deps.esign.voidEnvelope(previous.envelopeId, 'Replaced by a corrected envelope');
            return true;
          });
          previous.status = 'voided';
        }
        writes.push(envelopeWrite(ctx.run.id, previous));
        // Together: the voided envelope of this round and the move to the next.
        await ctx.saveAll({ [`tracked.${round}`]: previous, round: round + 1 });
        round += 1;
        sent = await send(round);
        await ctx.index(sent.envelopeId, 'envelope');
        tracked = startTracking(sent);
        done.push(`sent a new envelope ${sent.envelopeId} (${replace})`);
      }

      // Timers only act when nothing happened since they were set.
      const progress = `${tracked.envelopeId}:${tracked.seen.length}:${Object.keys(tracked.correctedAt).length}`;
      for (const e of ctx.events.filter((x) => x.kind.startsWith('timer:signature-'))) {
        const timer = e.payload as { envelopeId: string; progress: string };
        if (timer.progress !== progress) continue;
        if (e.kind === 'timer:signature-reconcile') {
          if (deps.reconcileBudget && !(await deps.reconcileBudget.take())) {
            await ctx.schedule([
              { kind: 'signature-reconcile', dueAt: new Date(ctx.now().getTime() + HOUR), payload: timer },
            ]);
            continue;
          }
          tracked = merge(tracked, await deps.esign.getEnvelope(tracked.envelopeId));
          done.push('checked the silent envelope with the provider');
        } else if (e.kind === 'timer:signature-reminder') {
          for (const r of currentSigners(tracked).filter((x) => x.status !== 'auto_responded')) {
            await notifyOnce(`${tracked.envelopeId}:${r.recipientKey}:reminder:${progress}`, {
              audience: 'signer',
              email: r.email,
              recordId: deal.opportunity.id,
              subject: `Reminder: ${contract.fileName} is waiting for your signature`,
              body: `${r.name}, the agreement for ${deal.opportunity.name} is waiting for your signature.${r.signingUrl ? ` Sign here: ${r.signingUrl}` : ' Open the DocuSign email to sign.'}`,
              kind: 'reminder',
            });
          }
          if (deps.esign.resend) await deps.esign.resend(tracked.envelopeId);
          done.push('reminded the current signer');
        }
      }

      if (tracked.status === 'completed')
        tracked = merge(tracked, await deps.esign.getEnvelope(tracked.envelopeId));
      await ctx.save(`tracked.${round}`, tracked);
      writes.push(envelopeWrite(ctx.run.id, tracked));
      const envelope = tracked;

      async function notifyOnce(key: string, n: Omit<Notification, 'key'>): Promise<void> {
        if (!deps.notifier || notified.has(key)) return;
        try {
          await deps.notifier.notify({ ...n, key });
          notified.add(key);
        } catch (err) {
          ctx.logger.warn({ err, key }, 'notification not delivered');
        }
      }
      const toRep = (key: string, subject: string, body: string) =>
        notifyOnce(key, {
          audience: 'rep',
          userId: deal.opportunity.ownerId,
          recordId: deal.opportunity.id,
          subject: subject.slice(0, 255),
          body,
          kind: 'signature',
        });

      const who = envelope.recipients
        .map(
          (r) =>
            `${r.name} (${r.role}, order ${r.routingOrder}): ${r.status}${r.signedAt ? ` at ${r.signedAt}` : ''}${r.declineReason ? `, reason "${r.declineReason}"` : ''}`,
        )
        .join('; ');
      const actionsDone = done.length > 0 ? ` This time: ${done.join('; ')}.` : '';
      const output = {
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
      const finish = async (outcome: StageOutcome): Promise<StageOutcome> => {
        await ctx.save('notified', [...notified]);
        return outcome;
      };

      if (envelope.status === 'completed') {
        const keys = [`${ctx.run.id}:signed:combined`, `${ctx.run.id}:signed:certificate`];
        const existing = ctx.attempt > 1 ? await deps.crm.existingKeys('file', keys) : new Set<string>();
        const docs = await deps.esign.downloadSigned(envelope.envelopeId);
        const name = (deal.account?.name ?? 'contract').replace(/[^A-Za-z0-9]+/g, '-');
        if (!existing.has(keys[0]!))
          writes.push({
            kind: 'file',
            key: keys[0]!,
            title: `${deal.opportunity.name} — signed agreement`,
            fileName: `${name}-MSA-signed.pdf`,
            data: docs.combined,
            linkedTo: deal.opportunity.id,
          });
        if (!existing.has(keys[1]!))
          writes.push({
            kind: 'file',
            key: keys[1]!,
            title: `${deal.opportunity.name} — certificate of completion`,
            fileName: `${name}-certificate-of-completion.pdf`,
            data: docs.certificate,
            linkedTo: deal.opportunity.id,
          });
        return finish({
          status: 'succeeded',
          reasoning: `Signed by all ${envelope.recipients.length} recipients in order through ${envelope.provider}; the signed agreement and the certificate of completion are attached to the opportunity. ${who}.`,
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
        });
      }

      const closure = `/v1/closures/${ctx.run.id}`;
      if (ENDED.has(envelope.status)) {
        const decliner = envelope.recipients.find((r) => r.status === 'declined');
        if (envelope.status === 'declined')
          await toRep(
            `${envelope.envelopeId}:declined`,
            `${decliner?.name ?? 'A signer'} declined to sign ${deal.opportunity.name}`,
            `${decliner?.name ?? 'A signer'} declined the agreement: "${decliner?.declineReason ?? 'no reason given'}". ` +
              `Name another signer (POST ${closure}/signers/${decliner?.recipientKey ?? '<recipientKey>'} with their email), send it again (POST ${closure}/signature/resend), or, if the contract must change, cancel (POST ${closure}/cancel) and start a new closure once the opportunity is updated.`,
          );
        else
          await toRep(
            `${envelope.envelopeId}:${envelope.status}`,
            `The signature envelope for ${deal.opportunity.name} ${envelope.status === 'expired' ? 'expired' : 'was voided'}`,
            `The envelope ${envelope.envelopeId} ${envelope.status === 'expired' ? 'expired before everyone signed' : 'was voided'}. One action sends a fresh one: POST ${closure}/signature/resend.`,
          );
        return finish({
          status: 'waiting',
          waitingFor: 'rep',
          reasoning: `The envelope was ${envelope.status}${decliner ? ` by ${decliner.name}: "${decliner.declineReason ?? 'no reason given'}"` : ''}. The rep decides how to proceed: another signer, a resend, or a new closure with a revised contract.${actionsDone} ${who}.`,
          confidence: null,
          facts: { envelope: output },
          message: `Signature ${envelope.status}${decliner ? ` by ${decliner.name}` : ''}`,
          writes,
          output,
        });
      }

      const bounced = envelope.recipients.filter((r) => r.status === 'auto_responded');
      for (const r of bounced)
        await toRep(
          `${envelope.envelopeId}:${r.recipientKey}:bounced:${r.email}`,
          `Email to ${r.name} bounced or auto-replied: give the right address`,
          `The signing email to ${r.name} <${r.email}> bounced or got an automatic reply, so they may never see it. ` +
            `Send the right address: POST ${closure}/signers/${r.recipientKey} {"email": "..."}; the envelope stays as it is.`,
        );
      if (bounced.length > 0)
        return finish({
          status: 'waiting',
          waitingFor: 'rep',
          reasoning: `The email to ${bounced.map((r) => `${r.name} <${r.email}>`).join(', ')} bounced or was auto-answered; the rep was asked for a correct address, which corrects the recipient without restarting the envelope.${actionsDone} ${who}.`,
          confidence: null,
          facts: { envelope: output },
          message: `Email to ${bounced.map((r) => r.name).join(', ')} bounced: correct address needed`,
          writes,
          output,
        });

      // Still signing: remind the current signer after the idle time, and check with the
      // provider once if the envelope stays silent much longer. One pair of timers per state.
      if (ctx.load<string>('timersFor') !== progress) {
        const base = ctx.now().getTime();
        const payload = { envelopeId: envelope.envelopeId, progress };
        await ctx.schedule([
          { kind: 'signature-reminder', dueAt: new Date(base + policy.idleReminderHours * HOUR), payload },
          { kind: 'signature-reconcile', dueAt: new Date(base + policy.reconcileAfterHours * HOUR), payload },
        ]);
        await ctx.save('timersFor', progress);
      }
      const next = currentSigners(envelope)[0];
      return finish({
        status: 'waiting',
        waitingFor: 'signature',
        reasoning: `Envelope ${envelope.envelopeId} sent through ${deps.esign.provider}; ${next ? `waiting for ${next.name} (${next.role})` : 'waiting for completion'}.${actionsDone} ${who}.`,
        confidence: null,
        facts: { envelopeId: envelope.envelopeId, provider: deps.esign.provider, checkedAt: now },
        message: next ? `Waiting for ${next.name} to sign` : 'Waiting for signatures',
        writes,
        output,
      });
    },
  };
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

function envelopeWrite(runId: string, e: Envelope): CrmWrite {
  return {
    kind: 'envelope',
    envelopeId: e.envelopeId,
    provider: e.provider,
    status: ENVELOPE_STATUS[e.status] ?? 'Sent',
    sentAt: e.sentAt ?? null,
    completedAt: e.completedAt ?? null,
    recipients: e.recipients.map((r) => ({
      key: `${runId}:envelope:${e.envelopeId}:${r.recipientKey}`,
      name: r.name,
      email: r.email,
      role: r.role,
      routingOrder: r.routingOrder,
      status: RECIPIENT_STATUS[r.status] ?? 'Sent',
      signedAt: r.signedAt ?? null,
    })),
  };
}

/**
 * Signature Management Agent (first version): sends the contract for signature with a signing
 * order (customer signer first, then the provider's countersignature), keeps every recipient's
 * status in Salesforce, and on completion attaches the signed documents and moves on.
 */
import type { CrmPort, CrmWrite } from '../../ports/crm.ts';
import type { EsignEvent, EsignPort, Envelope } from '../../ports/esign.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';

export interface SignatureAgentDeps {
  esign: EsignPort;
  crm: CrmPort;
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

export function createSignatureAgent(deps: SignatureAgentDeps): Stage {
  return {
    key: 'signature_management',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract } = earlierResults(ctx);
      const missingEmail = contract.signers.filter((s) => !s.email);
      if (missingEmail.length > 0) {
        const message = `No email address for ${missingEmail.map((s) => s.name).join(', ')}: add it to the contact, then retry.`;
        return failedOutcome(message, { signers: contract.signers });
      }
      const sent = await ctx.memo('envelope', async () => {
        const envelope = await deps.esign.createEnvelope({
          idempotencyKey: ctx.run.id,
          subject: `Please sign: ${deal.account?.name ?? deal.opportunity.name} — Master Subscription Agreement`,
          message: `The agreement for ${deal.opportunity.name} is ready for your signature.`,
          documents: [
            { documentId: '1', name: contract.fileName, pdf: Buffer.from(contract.pdfBase64, 'base64') },
          ],
          recipients: contract.signers.map((s, i) => ({
            recipientKey: s.contactId ?? `provider-${i + 1}`,
            name: s.name,
            email: s.email!,
            role:
              s.role === 'Customer'
                ? `Customer signer${s.title ? ` (${s.title})` : ''}`
                : 'Provider countersignature',
            routingOrder: i + 1,
          })),
        });
        return envelope;
      });
      await ctx.index(sent.envelopeId, 'envelope');
      const events = ctx.events
        .filter((e) => e.kind.startsWith('esign:'))
        .map((e) => e.payload as EsignEvent);
      const envelope: Envelope =
        events.length > 0 || ctx.attempt > 1 ? await deps.esign.getEnvelope(sent.envelopeId) : sent;
      const completed = envelope.status === 'completed';
      const writes: CrmWrite[] = [envelopeWrite(ctx.run.id, envelope)];
      if (completed) {
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
      }
      const who = envelope.recipients
        .map(
          (r) =>
            `${r.name} (${r.role}, order ${r.routingOrder}): ${r.status}${r.signedAt ? ` at ${r.signedAt}` : ''}${r.declineReason ? `, reason "${r.declineReason}"` : ''}`,
        )
        .join('; ');
      if (envelope.status === 'declined' || envelope.status === 'voided' || envelope.status === 'expired') {
        const decliner = envelope.recipients.find((r) => r.status === 'declined');
        return {
          status: 'waiting',
          waitingFor: 'rep',
          reasoning: `The envelope was ${envelope.status}${decliner ? ` by ${decliner.name}: "${decliner.declineReason ?? 'no reason given'}"` : ''}. The rep decides how to proceed. ${who}.`,
          confidence: null,
          facts: { envelope },
          message: `Signature ${envelope.status}${decliner ? ` by ${decliner.name}` : ''}`,
          writes,
          output: { envelopeId: envelope.envelopeId, status: envelope.status },
        };
      }
      if (completed) {
        return {
          status: 'succeeded',
          reasoning: `Signed by all ${envelope.recipients.length} recipients in order; the signed agreement and the certificate of completion are attached to the opportunity. ${who}.`,
          confidence: null,
          facts: {
            envelopeId: envelope.envelopeId,
            completedAt: envelope.completedAt ?? null,
            recipients: envelope.recipients.map(({ signingUrl: _u, ...r }) => r),
          },
          message: 'Contract signed by all parties',
          writes,
          output: {
            envelopeId: envelope.envelopeId,
            status: envelope.status,
            completedAt: envelope.completedAt ?? null,
            signedAt: envelope.recipients.map((r) => r.signedAt ?? null),
          },
        };
      }
      const next = envelope.recipients
        .filter((r) => r.status !== 'signed' && r.status !== 'completed')
        .sort((a, b) => a.routingOrder - b.routingOrder)[0];
      return {
        status: 'waiting',
        waitingFor: 'signature',
        reasoning: `Envelope ${envelope.envelopeId} sent through ${deps.esign.provider}; ${next ? `waiting for ${next.name} (${next.role})` : 'waiting for completion'}. ${who}.`,
        confidence: null,
        facts: { envelopeId: envelope.envelopeId, provider: deps.esign.provider },
        message: next ? `Waiting for ${next.name} to sign` : 'Waiting for signatures',
        writes,
        output: {
          envelopeId: envelope.envelopeId,
          status: envelope.status,
          recipients: envelope.recipients.map((r) => ({
            name: r.name,
            status: r.status,
            signingUrl: r.signingUrl ?? null,
          })),
        },
      };
    },
  };
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

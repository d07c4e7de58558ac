/**
 * The local e-signature provider: the EsignPort in local mode, with real signing pages served
 * by the middleware itself (no keys, no network). It follows DocuSign's model closely enough
 * that the orchestrator runs the same path in both modes: envelopes sent on creation, routing
 * order enforced, events for each state change, a signed PDF and a certificate of completion.
 *
 * Everything lives in SQLite (store.ts); events go through a transactional outbox
 * (event-outbox.ts), so a restart loses neither state nor undelivered events.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import {
  RecipientInputSchema,
  type CreateEnvelopeInput,
  type Envelope,
  type EnvelopeRecipient,
  type EsignEvent,
  type EsignPort,
  type SignedDocuments,
} from '../../ports/esign.ts';
import { createEventOutbox, type DeliveryWarnings } from './event-outbox.ts';
import type { PageState } from './pages.ts';
import type { SignedPdfInput } from './signed-pdfs.ts';
import {
  createSigningRouter,
  type SigningContext,
  type SigningDesk,
  type SigningOutcome,
} from './signing-router.ts';
import { EsignStore, type EnvelopeRow, type RecipientRow } from './store.ts';

export interface LocalEsignDeps {
  dbPath: string | ':memory:';
  /** The middleware's externally reachable base URL; signing URLs hang off it. */
  publicUrl: () => string;
  clock?: () => Date;
  /** How often undelivered events are retried. Default 5 s. */
  redeliverEveryMs?: number;
  /** Where listener failures are reported (a pino logger fits). */
  logger?: DeliveryWarnings;
}

export interface LocalEsign extends EsignPort {
  readonly provider: 'Local';
  /** The signing pages; mount at the app root. */
  router(): Router;
  /** Delivers pending events now; resolves when done. Useful at start-up and in tests. */
  deliverPending(): Promise<void>;
  close(): void;
}

export type LocalEsignErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'INVALID_STATE';

/** What the port's methods throw for the caller's mistakes. */
export class LocalEsignError extends Error {
  readonly code: LocalEsignErrorCode;

  constructor(code: LocalEsignErrorCode, message: string) {
    super(message);
    this.name = 'LocalEsignError';
    this.code = code;
  }
}

const PDF_MAGIC = '%PDF-';

const CreateEnvelopeInputSchema = z
  .object({
    idempotencyKey: z.string().min(1).max(255),
    subject: z.string().trim().min(1).max(500),
    message: z.string().max(10_000),
    documents: z
      .array(
        z.object({
          documentId: z.string().min(1).max(100),
          name: z.string().trim().min(1).max(255),
          pdf: z
            .instanceof(Uint8Array)
            .refine((b) => Buffer.from(b.subarray(0, PDF_MAGIC.length)).toString('latin1') === PDF_MAGIC, {
              message: 'is not a PDF',
            }),
        }),
      )
      .min(1),
    recipients: z.array(RecipientInputSchema).min(1),
  })
  .superRefine((input, ctx) => {
    const dup = (values: string[]) => values.find((v, i) => values.indexOf(v) !== i);
    const doc = dup(input.documents.map((d) => d.documentId));
    if (doc !== undefined)
      ctx.addIssue({ code: 'custom', path: ['documents'], message: `duplicate documentId ${doc}` });
    const rec = dup(input.recipients.map((r) => r.recipientKey));
    if (rec !== undefined)
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: `duplicate recipientKey ${rec}` });
  });

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Names compare like people read them: case, spacing and Unicode forms do not matter. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Stable per state change: a state change happens once, so its event id is derived from it. */
function eventId(envelopeId: string, kind: EsignEvent['kind'], recipientKey?: string): string {
  return recipientKey === undefined ? `${envelopeId}:${kind}` : `${envelopeId}:${kind}:${recipientKey}`;
}

/** Recipients still to sign whose routing order comes before `order`. */
function blockers(recipients: RecipientRow[], order: number): RecipientRow[] {
  return recipients.filter((r) => r.status !== 'signed' && r.routingOrder < order);
}

function stateOf(envelope: EnvelopeRow, recipient: RecipientRow, recipients: RecipientRow[]): PageState {
  if (envelope.status === 'voided') return { kind: 'voided', reason: envelope.voidReason ?? '' };
  if (envelope.status === 'completed') return { kind: 'completed', completedAt: envelope.completedAt ?? '' };
  if (recipient.status === 'declined') {
    return {
      kind: 'declined-by-you',
      declinedAt: recipient.declinedAt ?? '',
      reason: recipient.declineReason ?? '',
    };
  }
  if (envelope.status === 'declined') return { kind: 'declined' };
  if (recipient.status === 'signed') return { kind: 'signed', signedAt: recipient.signedAt ?? '' };
  const waiting = blockers(recipients, recipient.routingOrder);
  if (waiting.length > 0) return { kind: 'waiting', waitingFor: waiting.map((r) => r.name) };
  return { kind: 'open' };
}

// eslint-disable-next-line max-lines-per-function -- a factory whose body is the e-sign port's methods over one store and outbox, each a short function
export function createLocalEsign(deps: LocalEsignDeps): LocalEsign {
  const clock = deps.clock ?? (() => new Date());
  const store = new EsignStore(deps.dbPath);
  const outbox = createEventOutbox({
    store,
    clock,
    redeliverEveryMs: deps.redeliverEveryMs ?? 5000,
    logger: deps.logger,
  });
  let router: Router | undefined;

  const now = () => clock().toISOString();
  const signingUrl = (token: string) => `${deps.publicUrl().replace(/\/+$/, '')}/esign/sign/${token}`;

  function record(event: Omit<EsignEvent, 'eventId'>): void {
    store.appendEvent({ eventId: eventId(event.envelopeId, event.kind, event.recipientKey), ...event });
  }

  function toEnvelope(row: EnvelopeRow): Envelope {
    const recipients: EnvelopeRecipient[] = store.recipients(row.envelopeId).map((r) => ({
      recipientKey: r.recipientKey,
      name: r.name,
      email: r.email,
      role: r.role,
      routingOrder: r.routingOrder,
      status: r.status,
      ...(r.signedAt !== undefined ? { signedAt: r.signedAt } : {}),
      ...(r.declineReason !== undefined ? { declineReason: r.declineReason } : {}),
      signingUrl: signingUrl(r.token),
    }));
    return {
      envelopeId: row.envelopeId,
      provider: 'Local',
      status: row.status,
      sentAt: row.sentAt,
      ...(row.completedAt !== undefined ? { completedAt: row.completedAt } : {}),
      recipients,
    };
  }

  function requireEnvelope(envelopeId: string): EnvelopeRow {
    const row = store.envelope(envelopeId);
    if (!row) throw new LocalEsignError('NOT_FOUND', `No local envelope ${envelopeId}`);
    return row;
  }

  function contextFor(tokenHash: string): SigningContext | undefined {
    const recipient = store.recipientByTokenHash(tokenHash);
    if (!recipient) return undefined;
    const envelope = store.envelope(recipient.envelopeId);
    if (!envelope) return undefined;
    const recipients = store.recipients(envelope.envelopeId);
    return {
      envelope,
      recipient,
      recipients,
      documents: store.documents(envelope.envelopeId),
      state: stateOf(envelope, recipient, recipients),
    };
  }

  /** Shared preamble of sign and decline: the token must lead to a recipient who may act now. */
  function actionable(tokenHash: string): { context: SigningContext } | { refusal: SigningOutcome } {
    const context = contextFor(tokenHash);
    if (!context)
      return {
        refusal: { ok: false, status: 404, code: 'NOT_FOUND', message: 'This signing link is not valid.' },
      };
    const state = context.state;
    if (state.kind === 'open') return { context };
    const message =
      state.kind === 'waiting'
        ? `Waiting for ${state.waitingFor.join(', ')} to sign first.`
        : 'This envelope can no longer be acted on from this link.';
    return {
      refusal: {
        ok: false,
        status: 409,
        code: state.kind === 'waiting' ? 'OUT_OF_ORDER' : 'NOT_ACTIONABLE',
        message,
        context,
      },
    };
  }

  const desk: SigningDesk = {
    open(token) {
      return contextFor(sha256(token));
    },

    documentPdf(context, documentId) {
      return store.documentPdf(context.envelope.envelopeId, documentId);
    },

    sign(token, input) {
      const tokenHash = sha256(token);
      const outcome = store.transaction((): SigningOutcome => {
        // Re-checked inside the transaction: the page the signer saw may be stale.
        const checked = actionable(tokenHash);
        if ('refusal' in checked) return checked.refusal;
        const { envelope, recipient, documents } = checked.context;
        if (normalizeName(input.typedSignature) !== normalizeName(recipient.name)) {
          return {
            ok: false,
            status: 400,
            code: 'SIGNATURE_MISMATCH',
            field: 'signature',
            message: `The typed name must match ${recipient.name}.`,
          };
        }
        const at = now();
        const envelopeId = envelope.envelopeId;
        store.insertSignature({
          envelopeId,
          recipientKey: recipient.recipientKey,
          signerName: recipient.name,
          typedSignature: input.typedSignature,
          signedAt: at,
          ip: input.ip,
          userAgent: input.userAgent,
          // Hashed from the stored bytes, not copied from creation, so the record proves what
          // was actually on offer when this person signed.
          documents: documents.map((d) => ({
            documentId: d.documentId,
            name: d.name,
            sha256: sha256(store.documentPdf(envelopeId, d.documentId) ?? new Uint8Array()),
          })),
        });
        store.markRecipientSigned(envelopeId, recipient.recipientKey, at);
        record({
          envelopeId,
          kind: 'recipient-signed',
          recipientKey: recipient.recipientKey,
          occurredAt: at,
        });
        const remaining = store.recipients(envelopeId).filter((r) => r.status !== 'signed');
        if (remaining.length === 0) {
          store.updateEnvelopeStatus(envelopeId, 'completed', at);
          record({ envelopeId, kind: 'envelope-completed', occurredAt: at });
        } else {
          // The next routing order's turn comes once everyone before it has signed.
          const next = Math.min(...remaining.map((r) => r.routingOrder));
          const due = remaining.filter((r) => r.routingOrder === next);
          store.markRecipientsSent(
            envelopeId,
            due.map((r) => r.recipientKey),
          );
        }
        const context = contextFor(tokenHash);
        if (!context) throw new Error('local-esign: recipient vanished while signing');
        return { ok: true, context };
      });
      if (outcome.ok) void outbox.deliverPending();
      return outcome;
    },

    decline(token, input) {
      const tokenHash = sha256(token);
      const outcome = store.transaction((): SigningOutcome => {
        const checked = actionable(tokenHash);
        if ('refusal' in checked) return checked.refusal;
        const { envelope, recipient } = checked.context;
        const at = now();
        const envelopeId = envelope.envelopeId;
        const recipientKey = recipient.recipientKey;
        store.markRecipientDeclined(envelopeId, recipientKey, at, input.reason);
        store.updateEnvelopeStatus(envelopeId, 'declined', at);
        record({
          envelopeId,
          kind: 'recipient-declined',
          recipientKey,
          occurredAt: at,
          reason: input.reason,
        });
        record({ envelopeId, kind: 'envelope-declined', recipientKey, occurredAt: at, reason: input.reason });
        const context = contextFor(tokenHash);
        if (!context) throw new Error('local-esign: recipient vanished while declining');
        return { ok: true, context };
      });
      if (outcome.ok) void outbox.deliverPending();
      return outcome;
    },
  };

  function signedPdfInput(envelope: EnvelopeRow): SignedPdfInput {
    const envelopeId = envelope.envelopeId;
    const documents = store.documents(envelopeId);
    const recipients = store.recipients(envelopeId);
    const byKey = new Map(recipients.map((r) => [r.recipientKey, r]));
    const signatures = new Map(store.signatures(envelopeId).map((s) => [s.recipientKey, s]));
    const original = (id: string) => documents.find((d) => d.documentId === id)?.sha256;
    return {
      envelopeId,
      subject: envelope.subject,
      sentAt: envelope.sentAt,
      completedAt: envelope.completedAt ?? '',
      documents: documents.map((d) => ({ documentId: d.documentId, name: d.name, sha256: d.sha256 })),
      // Routing order, not signing time, so parallel signers always print in the same order.
      signers: recipients.flatMap((r) => {
        const s = signatures.get(r.recipientKey);
        if (!s) return [];
        return [
          {
            name: r.name,
            email: r.email,
            role: r.role,
            routingOrder: r.routingOrder,
            typedSignature: s.typedSignature,
            signedAt: s.signedAt,
            ip: s.ip,
            userAgent: s.userAgent,
            documentsMatch:
              s.documents.length === documents.length &&
              s.documents.every((h) => original(h.documentId) === h.sha256),
          },
        ];
      }),
      history: [
        { occurredAt: envelope.sentAt, kind: 'envelope-sent' },
        ...store.events(envelopeId).map(({ event }) => ({
          occurredAt: event.occurredAt,
          kind: event.kind,
          actor: event.recipientKey === undefined ? undefined : byKey.get(event.recipientKey)?.name,
          reason: event.reason,
        })),
      ],
    };
  }

  return {
    provider: 'Local',

    async createEnvelope(input: CreateEnvelopeInput): Promise<Envelope> {
      const parsed = CreateEnvelopeInputSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new LocalEsignError(
          'INVALID_INPUT',
          `Invalid envelope: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
        );
      }
      const valid = parsed.data;
      const row = store.transaction(() => {
        // Same key, same envelope, even if the retried input differs (for example a PDF
        // re-rendered with a new timestamp): a retry must never send a second envelope.
        const existing = store.envelopeByIdempotencyKey(valid.idempotencyKey);
        if (existing) return existing;
        const envelopeId = randomUUID();
        const first = Math.min(...valid.recipients.map((r) => r.routingOrder));
        const tokens = valid.recipients.map(() => randomBytes(32).toString('base64url'));
        store.insertEnvelope({
          envelope: {
            envelopeId,
            idempotencyKey: valid.idempotencyKey,
            subject: valid.subject,
            message: valid.message,
            sentAt: now(),
          },
          documents: valid.documents.map((d) => ({
            documentId: d.documentId,
            name: d.name,
            sha256: sha256(d.pdf),
            pdf: d.pdf,
          })),
          // DocuSign's model: later routing orders stay 'created' until their turn comes.
          recipients: valid.recipients.map((r, position) => ({
            recipientKey: r.recipientKey,
            position,
            name: r.name,
            email: r.email,
            role: r.role,
            routingOrder: r.routingOrder,
            status: r.routingOrder === first ? 'sent' : 'created',
            token: tokens[position] ?? '',
          })),
          tokenHashes: tokens.map((t) => sha256(t)),
        });
        return requireEnvelope(envelopeId);
      });
      return toEnvelope(row);
    },

    async getEnvelope(envelopeId: string): Promise<Envelope> {
      return toEnvelope(requireEnvelope(envelopeId));
    },

    async downloadSigned(envelopeId: string): Promise<SignedDocuments> {
      const envelope = requireEnvelope(envelopeId);
      if (envelope.status !== 'completed') {
        throw new LocalEsignError(
          'INVALID_STATE',
          `Envelope ${envelopeId} is ${envelope.status}, not completed`,
        );
      }
      const input = signedPdfInput(envelope);
      // pdfkit loads with the first completed envelope, not with every middleware that has parked runs.
      const { renderCertificate, renderSignaturePage } = await import('./signed-pdfs.ts');
      const [combined, certificate] = await Promise.all([
        renderSignaturePage(input),
        renderCertificate(input),
      ]);
      return { combined, certificate };
    },

    async voidEnvelope(envelopeId: string, reason: string): Promise<void> {
      const trimmed = reason.trim();
      if (trimmed.length === 0) throw new LocalEsignError('INVALID_INPUT', 'A void reason is required');
      const changed = store.transaction(() => {
        const envelope = requireEnvelope(envelopeId);
        // Voiding twice is a retry, not an error; a finished envelope cannot be voided.
        if (envelope.status === 'voided') return false;
        if (envelope.status !== 'sent') {
          throw new LocalEsignError(
            'INVALID_STATE',
            `Envelope ${envelopeId} is ${envelope.status} and cannot be voided`,
          );
        }
        const at = now();
        store.updateEnvelopeStatus(envelopeId, 'voided', at, trimmed);
        record({ envelopeId, kind: 'envelope-voided', occurredAt: at, reason: trimmed });
        return true;
      });
      if (changed) void outbox.deliverPending();
    },

    onEvent(listener) {
      outbox.setListener(listener);
    },

    deliverPending() {
      return outbox.deliverPending();
    },

    router() {
      router ??= createSigningRouter(desk);
      return router;
    },

    close() {
      outbox.close();
      store.close();
    },
  };
}

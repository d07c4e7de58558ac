/**
 * The EsignPort on DocuSign eSignature REST v2.1, through the official `docusign-esign` SDK.
 *
 * Authentication is the JWT grant (integration key, impersonated user, RSA key), the account's
 * REST base URI comes from `/oauth/userinfo`. Envelopes carry their own Connect subscription
 * (`eventNotification`, JSON SIM with HMAC) pointing at this service, so progress arrives as
 * webhooks and nothing polls: the only reads are the ones the signature agent asks for
 * (completion, and a rate-bounded reconciliation of envelopes that went quiet).
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../logger.ts';
import type {
  CreateEnvelopeInput,
  Envelope,
  EsignEvent,
  EsignPort,
  RecipientCorrection,
  SignedDocuments,
} from '../../ports/esign.ts';
import { ENVELOPE_KEY_FIELD, envelopeDefinition, toEnvelope, type Json } from './docusign-envelope.ts';
import { DocusignApiError } from './docusign-errors.ts';
import { createDocusignSession, type DocusignCall } from './docusign-session.ts';

export { DocusignApiError } from './docusign-errors.ts';

export interface DocusignEsignDeps {
  integrationKey: string;
  userId: string;
  /** PEM; held in memory only, never logged or put in an error. */
  privateKey: Buffer;
  /** OAuth host: account-d.docusign.com (developer) or account.docusign.com. */
  authServer: string;
  /** The account to use; the user's default account when unset. */
  accountId?: string;
  /** Where Connect should deliver this service's webhook. */
  publicUrl: () => string;
  notification: {
    reminderDelayDays: number;
    reminderFrequencyDays: number;
    expireAfterDays: number;
    expireWarnDays: number;
  };
  logger: Logger;
  clock?: () => Date;
  /** Reports each REST call by operation and outcome (metrics). */
  onRequest?: (operation: string, outcome: 'ok' | 'error') => void;
}

/** The JWT grant's settings from the validated config; the key file is read here, once. */
export function docusignCredentials(
  config: Config,
): Pick<DocusignEsignDeps, 'integrationKey' | 'userId' | 'privateKey' | 'authServer' | 'accountId'> {
  const d = config.docusign;
  let privateKey: Buffer;
  if (d.privateKey) privateKey = Buffer.from(d.privateKey.replace(/\\n/g, '\n'));
  else {
    try {
      privateKey = readFileSync(d.privateKeyFile!);
    } catch (err) {
      throw new Error(
        `DOCUSIGN_PRIVATE_KEY_FILE: cannot read ${d.privateKeyFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        { cause: err },
      );
    }
  }
  return {
    integrationKey: d.integrationKey!,
    userId: d.userId!,
    privateKey,
    authServer: d.authServer,
    ...(d.accountId ? { accountId: d.accountId } : {}),
  };
}

export interface DocusignEsign extends EsignPort {
  readonly provider: 'DocuSign';
  /** Called by the Connect webhook route; the wiring routes events to the orchestrator instead. */
  close(): void;
}

export function createDocusignEsign(deps: DocusignEsignDeps): DocusignEsign {
  const clock = deps.clock ?? (() => new Date());
  const session = createDocusignSession(deps);
  const call = session.call;

  async function findByKey(key: string): Promise<string | undefined> {
    // A crash between DocuSign accepting the envelope and our memo would send it twice on retry:
    // look for an envelope already carrying this key first.
    const from = new Date(clock().getTime() - 30 * 86_400_000).toISOString();
    const found = await call('envelopes.list', (api, accountId) =>
      api.listStatusChanges(accountId, { fromDate: from, customField: `${ENVELOPE_KEY_FIELD}=${key}` }),
    );
    const live = ((found as Json).envelopes as Json[] | undefined)?.find(
      (e) => String(e.status) !== 'voided',
    );
    return live ? String(live.envelopeId) : undefined;
  }

  async function getEnvelope(envelopeId: string): Promise<Envelope> {
    const raw = await call('envelopes.get', (api, accountId) =>
      api.getEnvelope(accountId, envelopeId, { include: 'recipients' }),
    );
    return toEnvelope(raw as unknown as Json);
  }

  return {
    provider: 'DocuSign',

    async createEnvelope(input: CreateEnvelopeInput): Promise<Envelope> {
      const existing = await findByKey(input.idempotencyKey);
      if (existing) return getEnvelope(existing);
      const definition = envelopeDefinition(input, deps.notification, deps.publicUrl());
      const summary = (await call('envelopes.create', (api, accountId) =>
        api.createEnvelope(accountId, { envelopeDefinition: definition }),
      )) as unknown as Json;
      const envelopeId = String(summary.envelopeId ?? '');
      if (!envelopeId)
        throw new DocusignApiError('envelopes.create', undefined, undefined, 'no envelopeId in the response');
      deps.logger.info({ envelopeId, recipients: input.recipients.length }, 'DocuSign envelope sent');
      return {
        envelopeId,
        provider: 'DocuSign',
        status: String(summary.status) === 'sent' ? 'sent' : 'created',
        ...(summary.statusDateTime ? { sentAt: String(summary.statusDateTime) } : {}),
        recipients: input.recipients.map((r, i) => ({ ...r, recipientId: String(i + 1), status: 'sent' })),
      };
    },

    getEnvelope,

    downloadSigned: (envelopeId: string) => downloadSigned(call, envelopeId),

    async voidEnvelope(envelopeId: string, reason: string): Promise<void> {
      await call('envelopes.void', (api, accountId) =>
        api.update(accountId, envelopeId, {
          envelope: { status: 'voided', voidedReason: reason.slice(0, 200) },
        }),
      );
    },

    async correctRecipient(envelopeId: string, recipientKey: string, change: RecipientCorrection) {
      await correctRecipient(call, await getEnvelope(envelopeId), envelopeId, recipientKey, change);
    },

    async resend(envelopeId: string): Promise<void> {
      await call('envelopes.resend', (api, accountId) =>
        api.update(accountId, envelopeId, { envelope: {}, resendEnvelope: 'true' }),
      );
    },

    onEvent(_listener: (event: EsignEvent) => Promise<void>): void {
      // DocuSign's events arrive through the Connect webhook, which stores them with their run.
    },

    close(): void {
      session.reset();
    },
  };
}

/** The signed documents without the certificate appended, then the certificate on its own. */
async function downloadSigned(call: DocusignCall, envelopeId: string): Promise<SignedDocuments> {
  const pdf = (documentId: 'combined' | 'certificate', options: Json) =>
    call(`documents.${documentId}`, async (api, accountId) => {
      const data: unknown = await api.getDocument(accountId, envelopeId, documentId, options);
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'binary');
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-')
        throw new DocusignApiError(
          `documents.${documentId}`,
          undefined,
          undefined,
          'the response is not a PDF',
        );
      return new Uint8Array(bytes);
    });
  const combined = await pdf('combined', { certificate: 'false' });
  return { combined, certificate: await pdf('certificate', {}) };
}

/** Corrects a live envelope's recipient in place; DocuSign resends to the new address. */
async function correctRecipient(
  call: DocusignCall,
  envelope: Envelope,
  envelopeId: string,
  recipientKey: string,
  change: RecipientCorrection,
): Promise<void> {
  const recipient = envelope.recipients.find((r) => r.recipientKey === recipientKey);
  if (!recipient?.recipientId)
    throw new DocusignApiError(
      'recipients.update',
      404,
      'RECIPIENT_NOT_IN_ENVELOPE',
      `no recipient ${recipientKey}`,
    );
  const result = (await call('recipients.update', (api, accountId) =>
    api.updateRecipients(accountId, envelopeId, {
      recipients: {
        signers: [
          {
            recipientId: recipient.recipientId,
            email: change.email,
            ...(change.name ? { name: change.name } : {}),
          },
        ],
      },
      resendEnvelope: 'true',
    }),
  )) as unknown as {
    recipientUpdateResults?: {
      recipientId?: string;
      errorDetails?: { errorCode?: string; message?: string };
    }[];
  };
  const failed = result.recipientUpdateResults?.find(
    (r) => r.errorDetails?.errorCode && r.errorDetails.errorCode !== 'SUCCESS',
  );
  if (failed)
    throw new DocusignApiError(
      'recipients.update',
      400,
      failed.errorDetails?.errorCode,
      failed.errorDetails?.message ?? 'rejected',
    );
}

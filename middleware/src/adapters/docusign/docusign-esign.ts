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
import docusign from 'docusign-esign';
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
import { DocusignApiError, errorOf } from './docusign-errors.ts';

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

interface Session {
  accessToken: string;
  expiresAt: number;
  accountId: string;
  basePath: string;
}

function hostOf(authServer: string): string {
  return authServer.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

export interface DocusignEsign extends EsignPort {
  readonly provider: 'DocuSign';
  /** Called by the Connect webhook route; the wiring routes events to the orchestrator instead. */
  close(): void;
}

export function createDocusignEsign(deps: DocusignEsignDeps): DocusignEsign {
  const clock = deps.clock ?? (() => new Date());
  const host = hostOf(deps.authServer);
  let session: Session | undefined;
  let pending: Promise<Session> | undefined;

  async function login(): Promise<Session> {
    const client = new docusign.ApiClient();
    client.setOAuthBasePath(host);
    let token: { body?: { access_token?: string; expires_in?: number | string } };
    try {
      token = (await client.requestJWTUserToken(
        deps.integrationKey,
        deps.userId,
        ['signature', 'impersonation'],
        deps.privateKey,
        3600,
      )) as typeof token;
      deps.onRequest?.('oauth.token', 'ok');
    } catch (err) {
      deps.onRequest?.('oauth.token', 'error');
      const wrapped = errorOf('JWT grant', err);
      if (wrapped.docusignErrorCode === 'consent_required')
        wrapped.message += ` — grant consent once at https://${host}/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=${deps.integrationKey}&redirect_uri=<your redirect URI>`;
      throw wrapped;
    }
    const accessToken = token.body?.access_token;
    if (!accessToken)
      throw new DocusignApiError('JWT grant', undefined, undefined, 'the token response has no access_token');
    let info: { accounts?: { accountId?: string; isDefault?: string; baseUri?: string }[] };
    try {
      info = (await client.getUserInfo(accessToken)) as typeof info;
      deps.onRequest?.('oauth.userinfo', 'ok');
    } catch (err) {
      deps.onRequest?.('oauth.userinfo', 'error');
      throw errorOf('userinfo', err);
    }
    const accounts = info.accounts ?? [];
    const account = deps.accountId
      ? accounts.find((a) => a.accountId === deps.accountId)
      : (accounts.find((a) => a.isDefault === 'true') ?? accounts[0]);
    if (!account?.accountId || !account.baseUri)
      throw new DocusignApiError(
        'userinfo',
        undefined,
        undefined,
        deps.accountId
          ? `the user has no access to account ${deps.accountId}`
          : 'the user has no DocuSign account',
      );
    const expiresIn = Number(token.body?.expires_in ?? 3600);
    deps.logger.info(
      { accountId: account.accountId, baseUri: account.baseUri },
      'DocuSign JWT grant: logged in',
    );
    return {
      accessToken,
      // Renew five minutes early so no call goes out with a token about to expire.
      expiresAt: clock().getTime() + Math.max(60, expiresIn - 300) * 1000,
      accountId: account.accountId,
      basePath: `${account.baseUri.replace(/\/+$/, '')}/restapi`,
    };
  }

  async function currentSession(): Promise<Session> {
    if (session && session.expiresAt > clock().getTime()) return session;
    pending ??= login().finally(() => (pending = undefined));
    session = await pending;
    return session;
  }

  /** Runs one REST call with a fresh client; a 401 (token revoked early) logs in again once. */
  async function call<T>(
    operation: string,
    fn: (api: docusign.EnvelopesApi, accountId: string) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const s = await currentSession();
      const client = new docusign.ApiClient();
      client.setBasePath(s.basePath);
      client.addDefaultHeader('Authorization', `Bearer ${s.accessToken}`);
      try {
        const result = await fn(new docusign.EnvelopesApi(client), s.accountId);
        deps.onRequest?.(operation, 'ok');
        return result;
      } catch (err) {
        deps.onRequest?.(operation, 'error');
        const status = (err as { response?: { status?: number } }).response?.status;
        if (status === 401 && attempt === 1) {
          session = undefined;
          continue;
        }
        throw errorOf(operation, err);
      }
    }
  }

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

    async downloadSigned(envelopeId: string): Promise<SignedDocuments> {
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
      // The signed documents without the certificate appended, then the certificate on its own.
      const combined = await pdf('combined', { certificate: 'false' });
      return { combined, certificate: await pdf('certificate', {}) };
    },

    async voidEnvelope(envelopeId: string, reason: string): Promise<void> {
      await call('envelopes.void', (api, accountId) =>
        api.update(accountId, envelopeId, {
          envelope: { status: 'voided', voidedReason: reason.slice(0, 200) },
        }),
      );
    },

    async correctRecipient(
      envelopeId: string,
      recipientKey: string,
      change: RecipientCorrection,
    ): Promise<void> {
      const envelope = await getEnvelope(envelopeId);
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
      session = undefined;
    },
  };
}

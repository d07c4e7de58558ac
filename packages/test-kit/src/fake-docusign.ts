/**
 * A local stand-in for the few DocuSign endpoints the adapter uses, over HTTPS (the SDK always
 * calls the OAuth host with https://) with a throw-away self-signed certificate. Request and
 * response shapes follow DocuSign's eSignature REST v2.1 reference and OpenAPI definitions
 * (envelopeDefinition, envelopeSummary, envelopeUpdateSummary, recipientsUpdateSummary,
 * errorDetails) and the OAuth JWT grant and userinfo documentation. It checks what DocuSign
 * checks where a mistake would otherwise pass silently: the JWT assertion's signature and
 * claims, required fields, and that every anchor string occurs in the documents. This file
 * holds the server, OAuth and the test controls; the envelope endpoints are in
 * `fake-docusign-envelopes.ts`.
 */
import { execFileSync } from 'node:child_process';
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https, { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import {
  docusignError,
  envelopesRouter,
  envelopeView,
  type FakeEnvelope,
  type FakeSigner,
} from './fake-docusign-envelopes.ts';

export type { FakeEnvelope, FakeSigner };

export interface FakeDocusignOptions {
  integrationKey: string;
  userId: string;
  publicKeyPem: string;
  accountId?: string;
}

export interface FakeDocusign {
  /** host:port for DOCUSIGN_AUTH_SERVER. */
  authServer: string;
  accountId: string;
  /** The certificate to trust (https.globalAgent.options.ca). */
  ca: Buffer;
  envelopes: Map<string, FakeEnvelope>;
  /** Every REST and OAuth call, as `METHOD /path`. */
  calls: string[];
  /** Makes the next calls fail with this DocuSign error. */
  failNext(status: number, errorCode: string, message: string, times?: number): void;
  /** The signer signs (DocuSign moves the envelope on and completes it after the last one). */
  sign(envelopeId: string, recipientId: string): void;
  decline(envelopeId: string, recipientId: string, reason: string): void;
  bounce(envelopeId: string, recipientId: string): void;
  /**
   * The envelope reaches its expiry date unsigned: DocuSign voids it with the reason "Envelope has
   * expired." (DocuSign Support, "How can I differentiate between Expired and Voided envelopes?").
   */
  expire(envelopeId: string): void;
  /** A Connect JSON SIM message for an event, as DocuSign would post it, with its HMAC header. */
  connectMessage(
    envelopeId: string,
    event: string,
    secret: string,
    options?: { recipientId?: string; at?: Date },
  ): { body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

function makeCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docusign-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const b64url = (s: string) => Buffer.from(s, 'base64url');

export async function startFakeDocusign(options: FakeDocusignOptions): Promise<FakeDocusign> {
  const publicKey: KeyObject = createPublicKey(options.publicKeyPem);
  const accountId = options.accountId ?? randomUUID();
  const tokens = new Set<string>();
  const envelopes = new Map<string, FakeEnvelope>();
  const calls: string[] = [];
  const failures: { status: number; errorCode: string; message: string }[] = [];
  let authServer = '';
  const now = () => new Date().toISOString();

  const app = express();
  app.use((req, _res, next) => {
    calls.push(`${req.method} ${req.path}`);
    next();
  });
  const error = docusignError;

  app.post('/oauth/token', express.urlencoded({ extended: false }), (req: Request, res: Response) => {
    const body = req.body as Record<string, string>;
    if (body.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return void res.status(400).json({ error: 'unsupported_grant_type' });
    const [h, p, s] = String(body.assertion ?? '').split('.');
    if (!h || !p || !s) return void res.status(400).json({ error: 'invalid_request' });
    const header = JSON.parse(b64url(h).toString()) as { alg?: string };
    const ok = header.alg === 'RS256' && verify('RSA-SHA256', Buffer.from(`${h}.${p}`), publicKey, b64url(s));
    if (!ok)
      return void res
        .status(400)
        .json({ error: 'invalid_grant', error_description: 'no_valid_keys_or_signatures' });
    const claims = JSON.parse(b64url(p).toString()) as Record<string, unknown>;
    const nowS = Date.now() / 1000;
    if (claims.iss !== options.integrationKey)
      return void res.status(400).json({ error: 'invalid_grant', error_description: 'issuer_not_found' });
    if (claims.sub !== options.userId)
      return void res.status(400).json({ error: 'invalid_grant', error_description: 'user_not_found' });
    if (claims.aud !== authServer)
      return void res.status(400).json({ error: 'invalid_grant', error_description: 'invalid_audience' });
    if (
      typeof claims.exp !== 'number' ||
      claims.exp < nowS ||
      typeof claims.iat !== 'number' ||
      claims.iat > nowS + 60
    )
      return void res.status(400).json({ error: 'invalid_grant', error_description: 'expired' });
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.includes('signature') || !scopes.includes('impersonation'))
      return void res.status(400).json({ error: 'consent_required' });
    const token = `eyJ0-${randomUUID()}`;
    tokens.add(token);
    res.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });

  const authorized = (req: Request, res: Response): boolean => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !tokens.has(token)) {
      error(
        res,
        401,
        'USER_AUTHENTICATION_FAILED',
        'One or both of Username and Password are invalid. Invalid access token',
      );
      return false;
    }
    const failure = failures.shift();
    if (failure) {
      error(res, failure.status, failure.errorCode, failure.message);
      return false;
    }
    return true;
  };

  app.get('/oauth/userinfo', (req, res) => {
    if (!authorized(req, res)) return;
    res.json({
      sub: options.userId,
      name: 'Integration User',
      email: 'integration@northbeam.example',
      accounts: [
        {
          account_id: randomUUID(),
          is_default: false,
          account_name: 'Other',
          base_uri: 'https://other.invalid',
        },
        {
          account_id: accountId,
          is_default: true,
          account_name: 'Meridian',
          base_uri: `https://${authServer}`,
        },
      ],
    });
  });
  app.use('/restapi/v2.1', envelopesRouter({ accountId, envelopes, authorized, now }));

  const { key, cert } = makeCertificate();
  const server: Server = createServer({ key, cert }, app);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  authServer = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const envelope = (id: string) => {
    const e = envelopes.get(id);
    if (!e) throw new Error(`no envelope ${id}`);
    return e;
  };
  const signer = (e: FakeEnvelope, recipientId: string) => {
    const s = e.signers.find((x) => x.recipientId === recipientId);
    if (!s) throw new Error(`no recipient ${recipientId}`);
    return s;
  };

  return {
    authServer,
    accountId,
    ca: cert,
    envelopes,
    calls,
    failNext(status, errorCode, message, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ status, errorCode, message });
    },
    sign(envelopeId, recipientId) {
      const e = envelope(envelopeId);
      const s = signer(e, recipientId);
      if (e.signers.some((x) => Number(x.routingOrder) < Number(s.routingOrder) && x.status !== 'completed'))
        throw new Error(`recipient ${recipientId} signs out of order`);
      s.status = 'completed';
      s.signedDateTime = now();
      const open = e.signers.filter((x) => x.status !== 'completed');
      if (open.length === 0) {
        e.status = 'completed';
        e.completedDateTime = now();
        return;
      }
      const next = Math.min(...open.map((x) => Number(x.routingOrder)));
      for (const x of open) if (Number(x.routingOrder) === next && x.status === 'created') x.status = 'sent';
    },
    decline(envelopeId, recipientId, reason) {
      const e = envelope(envelopeId);
      const s = signer(e, recipientId);
      s.status = 'declined';
      s.declinedReason = reason;
      e.status = 'declined';
    },
    bounce(envelopeId, recipientId) {
      signer(envelope(envelopeId), recipientId).status = 'autoresponded';
    },
    expire(envelopeId) {
      const e = envelope(envelopeId);
      if (e.status === 'completed' || e.status === 'declined' || e.status === 'voided')
        throw new Error(`envelope ${envelopeId} has already ended (${e.status})`);
      e.status = 'voided';
      e.voidedReason = 'Envelope has expired.';
    },
    connectMessage(envelopeId, event, secret, messageOptions = {}) {
      const e = envelope(envelopeId);
      const message = {
        event,
        apiVersion: 'v2.1',
        uri: `/restapi/v2.1/accounts/${accountId}/envelopes/${envelopeId}`,
        retryCount: 0,
        configurationId: 10418725,
        generatedDateTime: (messageOptions.at ?? new Date()).toISOString().replace('Z', '0000Z'),
        data: {
          accountId,
          userId: options.userId,
          envelopeId,
          ...(messageOptions.recipientId ? { recipientId: messageOptions.recipientId } : {}),
          envelopeSummary: envelopeView(e, true),
        },
      };
      const body = JSON.stringify(message);
      return {
        body,
        headers: {
          'Content-Type': 'application/json',
          'X-DocuSign-Signature-1': createHmac('sha256', secret).update(body).digest('base64'),
        },
      };
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/**
 * A fake DocuSign the SDK trusts, with a fresh RSA key pair for the JWT grant: its certificate
 * authority is installed on `https.globalAgent` (the SDK always calls https) until `close`.
 */
export async function startTrustedFakeDocusign(
  ids: Pick<FakeDocusignOptions, 'integrationKey' | 'userId'>,
): Promise<{ fake: FakeDocusign; privateKeyPem: string; close(): Promise<void> }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const fake = await startFakeDocusign({ ...ids, publicKeyPem: publicKey });
  const savedCa = https.globalAgent.options.ca;
  https.globalAgent.options.ca = [fake.ca];
  return {
    fake,
    privateKeyPem: privateKey,
    async close() {
      https.globalAgent.options.ca = savedCa;
      await fake.close();
    },
  };
}

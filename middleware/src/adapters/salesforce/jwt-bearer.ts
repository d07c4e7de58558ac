/**
 * The OAuth 2.0 JWT bearer flow (RFC 7523) as Salesforce implements it: the connected app's
 * consumer key as `iss`, the integration user as `sub`, the login URL as `aud`, an expiry of at
 * most three minutes, signed RS256 with the key whose certificate is on the connected app.
 * No refresh token is issued, so the connection re-runs the flow when the session expires.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
// The core entry: Connection, OAuth2 and the REST resources, without the Bulk, Metadata, Streaming
// (Faye) and other API modules the package's index loads that dealdesk never calls (3.4 MB of heap).
import { Connection } from '@jsforce/jsforce-node/lib/core.js';
import { z } from 'zod';

export interface JwtBearerConfig {
  loginUrl: string;
  clientId: string;
  username: string;
  /** PEM text, or a path to read it from. */
  privateKey?: string;
  privateKeyFile?: string;
  apiVersion: string;
  /** The time the assertion's expiry counts from; the local org's clock when a test controls it. */
  clock?: () => Date;
}

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  instance_url: z.url(),
  id: z.string().optional(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});
const TokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export class SalesforceAuthError extends Error {
  readonly error: string;
  constructor(error: string, description: string) {
    super(`Salesforce refused the JWT bearer login (${error}): ${description}`);
    this.name = 'SalesforceAuthError';
    this.error = error;
  }
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function loadPrivateKey(config: Pick<JwtBearerConfig, 'privateKey' | 'privateKeyFile'>): KeyObject {
  const pem =
    config.privateKey ?? (config.privateKeyFile ? readFileSync(config.privateKeyFile, 'utf8') : undefined);
  if (!pem) throw new Error('no private key: set SF_PRIVATE_KEY_FILE or SF_PRIVATE_KEY');
  try {
    return createPrivateKey(pem);
  } catch {
    // Never echo the key material itself.
    throw new Error('the private key could not be read as a PEM private key');
  }
}

export function jwtAssertion(
  config: Pick<JwtBearerConfig, 'loginUrl' | 'clientId' | 'username'>,
  key: KeyObject,
  now = new Date(),
): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({
      iss: config.clientId,
      sub: config.username,
      aud: config.loginUrl.replace(/\/$/, ''),
      exp: Math.floor(now.getTime() / 1000) + 180,
    }),
  );
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), key);
  return `${header}.${claims}.${b64url(signature)}`;
}

export async function requestToken(
  config: JwtBearerConfig,
  key: KeyObject,
): Promise<z.infer<typeof TokenResponseSchema>> {
  const res = await fetch(`${config.loginUrl.replace(/\/$/, '')}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: jwtAssertion(config, key, config.clock?.() ?? new Date()),
    }).toString(),
  });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = TokenErrorSchema.safeParse(body);
    throw new SalesforceAuthError(
      err.success ? err.data.error : `http_${res.status}`,
      err.success ? (err.data.error_description ?? '') : 'unexpected response',
    );
  }
  const token = TokenResponseSchema.safeParse(body);
  if (!token.success)
    throw new SalesforceAuthError(
      'invalid_response',
      'the token response has no access_token or instance_url',
    );
  return token.data;
}

/** A jsforce connection that logs in with the JWT bearer flow and logs in again when the session expires. */
export async function createJwtConnection(config: JwtBearerConfig): Promise<Connection> {
  const key = loadPrivateKey(config);
  const token = await requestToken(config, key);
  return new Connection({
    instanceUrl: token.instance_url,
    accessToken: token.access_token,
    version: config.apiVersion,
    refreshFn: (_conn, callback) => {
      requestToken(config, key).then(
        (fresh) => callback(null, fresh.access_token),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
}

/**
 * The DocuSign session: the JWT grant, the account's REST base URI from `/oauth/userinfo`, and
 * one REST call at a time with a fresh SDK client. The token is renewed before it expires, and a
 * 401 (a token revoked early) logs in again once.
 */
import docusign from 'docusign-esign';
import type { DocusignEsignDeps } from './docusign-esign.ts';
import { DocusignApiError, errorOf } from './docusign-errors.ts';

interface Session {
  accessToken: string;
  expiresAt: number;
  accountId: string;
  basePath: string;
}

function hostOf(authServer: string): string {
  return authServer.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

/** Runs one REST call against the account's envelopes API, as `operation` in metrics and errors. */
export type DocusignCall = <T>(
  operation: string,
  fn: (api: docusign.EnvelopesApi, accountId: string) => Promise<T>,
) => Promise<T>;

export interface DocusignSession {
  call: DocusignCall;
  /** Forgets the token, so the next call logs in again. */
  reset(): void;
}

async function login(deps: DocusignEsignDeps, host: string, clock: () => Date): Promise<Session> {
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

export function createDocusignSession(deps: DocusignEsignDeps): DocusignSession {
  const clock = deps.clock ?? (() => new Date());
  const host = hostOf(deps.authServer);
  let session: Session | undefined;
  let pending: Promise<Session> | undefined;

  async function currentSession(): Promise<Session> {
    if (session && session.expiresAt > clock().getTime()) return session;
    pending ??= login(deps, host, clock).finally(() => (pending = undefined));
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

  return { call, reset: () => (session = undefined) };
}

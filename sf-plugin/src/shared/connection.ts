/**
 * What `doctor` and `setup` do first: ask the org who it is. A broken connection (a bad or
 * expired token, an instance that does not answer, a URL that is not an org's REST API) is
 * reported as that, so no later check blames missing metadata for it. The answer also says
 * whether the org is the local org of the middleware's local mode, which serves the data API but
 * has no Metadata API, Apex or External Credentials.
 */
import type { Connection } from '@salesforce/core';
import { Messages } from '@salesforce/core';
import { z } from 'zod';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.connection');

/**
 * The local org's Organization.InstanceName. Salesforce sets InstanceName to the pod an org runs
 * on (NA135, CS89, EU45, USA570S: letters and digits, always with a number) and no admin can
 * change it, so a real org never answers this.
 */
export const LOCAL_ORG_INSTANCE = 'LOCAL';

const OrganizationSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  InstanceName: z.string().nullable(),
  OrganizationType: z.string().nullable(),
});

export type OrgIdentity = {
  id: string;
  name: string;
  instanceName: string | null;
  organizationType: string | null;
  /** The local org of the middleware's local mode. */
  local: boolean;
  username: string | null;
  instanceUrl: string;
};

export type ConnectionProblem = {
  /** session: the org refused the token; unreachable: nothing answered; api: an answer that is not the org's data API. */
  kind: 'session' | 'unreachable' | 'api';
  message: string;
  fix: string;
};

export type ConnectionResult = { ok: true; org: OrgIdentity } | { ok: false; problem: ConnectionProblem };

/** The instance URL as people write it: the sf CLI stores it with a trailing slash. */
function baseUrl(conn: Pick<Connection, 'instanceUrl'>): string {
  return conn.instanceUrl.replace(/\/+$/, '');
}

export function isLocalOrg(instanceName: string | null): boolean {
  return instanceName === LOCAL_ORG_INSTANCE;
}

export async function connectOrg(conn: Connection): Promise<ConnectionResult> {
  let rows: unknown[];
  try {
    rows = (await conn.query('SELECT Id, Name, InstanceName, OrganizationType FROM Organization')).records;
  } catch (err) {
    return { ok: false, problem: connectionProblem(err, conn) };
  }
  const org = OrganizationSchema.safeParse(rows[0]);
  if (!org.success)
    return {
      ok: false,
      problem: {
        kind: 'api',
        message: messages.getMessage('problem.noOrganization', [baseUrl(conn)]),
        fix: messages.getMessage('fix.instanceUrl'),
      },
    };
  return {
    ok: true,
    org: {
      id: org.data.Id,
      name: org.data.Name,
      instanceName: org.data.InstanceName,
      organizationType: org.data.OrganizationType,
      local: isLocalOrg(org.data.InstanceName),
      username: conn.getUsername() ?? null,
      instanceUrl: baseUrl(conn),
    },
  };
}

const NETWORK_CODES =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|UND_ERR|socket hang up/;

/** Sorts a failed request into a refused session, an instance that did not answer, or another API answer. */
export function connectionProblem(err: unknown, conn: Pick<Connection, 'instanceUrl'>): ConnectionProblem {
  const e = (err ?? {}) as { name?: unknown; errorCode?: unknown; message?: unknown; cause?: unknown };
  const cause = (e.cause ?? {}) as { code?: unknown; message?: unknown };
  // jsforce puts Salesforce's errorCode in both errorCode and name; a plain Error is named Error.
  const code = [e.errorCode, e.name].find((c) => typeof c === 'string' && /^[A-Z][A-Z0-9_]+$/.test(c)) as
    string | undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const url = baseUrl(conn);
  if (
    /INVALID_SESSION_ID|INVALID_AUTH_HEADER|ERROR_HTTP_401|invalid_grant|invalid_token/i.test(
      `${String(e.errorCode ?? '')} ${String(e.name ?? '')} ${message}`,
    )
  )
    return {
      kind: 'session',
      message: messages.getMessage('problem.session', [url, message]),
      fix: messages.getMessage('fix.session', [url]),
    };
  const causeCode = typeof cause.code === 'string' ? cause.code : undefined;
  if (
    NETWORK_CODES.test(`${causeCode ?? ''} ${String(cause.message ?? '')} ${message}`) ||
    /fetch failed/i.test(message)
  )
    return {
      kind: 'unreachable',
      message: messages.getMessage('problem.unreachable', [url, causeCode ?? message]),
      fix: messages.getMessage('fix.unreachable', [url]),
    };
  return {
    kind: 'api',
    message: messages.getMessage('problem.api', [url, code ? `${message} (${code})` : message]),
    fix: messages.getMessage('fix.instanceUrl'),
  };
}

/** The connection check's message when it passes. */
export function connectedMessage(org: OrgIdentity): string {
  const who = org.username ?? 'an unknown user';
  return org.local
    ? messages.getMessage('check.passLocal', [org.instanceUrl, who])
    : messages.getMessage('check.pass', [
        org.instanceUrl,
        who,
        org.name,
        org.organizationType ?? 'unknown edition',
      ]);
}

const SKIP_REASON: Record<ConnectionProblem['kind'], string> = {
  session: 'the org refused the session',
  unreachable: 'the org did not answer',
  api: 'the org did not answer like Salesforce',
};

/** Why a check that needs the org was not run. */
export function skippedMessage(problem: ConnectionProblem): string {
  return messages.getMessage('check.skipped', [SKIP_REASON[problem.kind]]);
}

/**
 * `sf dealdesk setup`, stage by stage. Each stage first reads what the org has, then changes only
 * what differs, so a second run reports "unchanged" everywhere; `plan` runs the reads alone
 * (--dry-run). Stages:
 *  1 deploy   force-app through SDR, with the DealDesk_Middleware Named Credential pointed at the
 *             middleware; the default approval matrix only while the org has no rules, so a rerun
 *             never overwrites rules an admin changed.
 *  2 assign   permission sets to users (PermissionSetAssignment records).
 *  3 key      the External Credential principal's ApiKey (Connect REST API, named-credentials/credential).
 *  4 doctor   the same checks as `sf dealdesk doctor`.
 * Against the local org of local mode (connection.ts says which org it is), deploy and key are
 * skipped with the reason: it has no Metadata API or External Credentials, and needs neither.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@salesforce/core';
import { Messages, SfError } from '@salesforce/core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import { z } from 'zod';
import { soqlString, soqlStringList } from '@dealdesk/contracts';
import { queryAll } from './soql.ts';
import { NAMED_CREDENTIAL } from './middleware.ts';
import { PERMISSION_SETS } from './source.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.setup');

export const EXTERNAL_CREDENTIAL = 'DealDesk_Middleware_Auth';
export const PRINCIPAL = 'Middleware';
export const KEY_PARAMETER = 'ApiKey';

export type StageName = 'deploy' | 'assign' | 'key' | 'doctor';
export type StageOutcome = 'changed' | 'unchanged' | 'planned' | 'skipped' | 'failed';

export type StageReport = {
  stage: StageName;
  outcome: StageOutcome;
  detail: string;
};

export type Assignment = { username: string; permissionSet: (typeof PERMISSION_SETS)[number] };

// ---------- 1 deploy ----------

/** A copy of force-app with the Named Credential's URL set, and without the default rules when the org has its own. */
export async function prepareSource(
  sourceDir: string,
  middlewareUrl: string,
  includeDefaultRules: boolean,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dealdesk-setup-'));
  const target = join(dir, 'force-app');
  await cp(sourceDir, target, { recursive: true, filter: (src) => !src.includes('__tests__') });
  const ncFile = join(
    target,
    'main',
    'default',
    'namedCredentials',
    `${NAMED_CREDENTIAL}.namedCredential-meta.xml`,
  );
  const xml = await readFile(ncFile, 'utf8');
  const pointed = xml.replace(
    /(<parameterName>Url<\/parameterName>\s*<parameterType>Url<\/parameterType>\s*<parameterValue>)[^<]*(<\/parameterValue>)/,
    `$1${escapeXml(middlewareUrl)}$2`,
  );
  if (pointed === xml && !xml.includes(`<parameterValue>${escapeXml(middlewareUrl)}</parameterValue>`))
    throw new SfError(`Cannot find the Url parameter in ${ncFile}`, 'NamedCredentialFormat');
  await writeFile(ncFile, pointed);
  if (!includeDefaultRules) {
    const cmd = join(target, 'main', 'default', 'customMetadata');
    for (const f of await readdir(cmd)) if (f.startsWith('Approval_Rule.')) await rm(join(cmd, f));
  }
  return dir;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function orgHasRules(conn: Connection): Promise<boolean> {
  return (await countRules(conn)) > 0;
}

async function countRules(conn: Connection): Promise<number> {
  try {
    return (await conn.query('SELECT COUNT() FROM Approval_Rule__mdt')).totalSize;
  } catch {
    return 0; // not deployed yet
  }
}

export type SourceDeploy = (
  conn: Connection,
  dir: string,
) => Promise<{ id?: string; states: Record<string, number> }>;

export const sdrDeploy: SourceDeploy = async (conn, dir) => {
  const deploy = await ComponentSet.fromSource(dir).deploy({ usernameOrConnection: conn });
  const result = await deploy.pollStatus();
  const files = result.getFileResponses();
  const failures = files.filter((f) => f.state === 'Failed');
  if (!result.response.success || failures.length > 0)
    throw new SfError(
      `The deploy ${result.response.id} failed: ${
        failures
          .slice(0, 10)
          .map((f) => `${f.type} ${f.fullName}: ${'error' in f ? f.error : 'failed'}`)
          .join('; ') ||
        result.response.errorMessage ||
        result.response.status
      }`,
      'DeployFailed',
    );
  const states: Record<string, number> = {};
  for (const f of files) states[f.state] = (states[f.state] ?? 0) + 1;
  return { id: result.response.id, states };
};

export async function deployStage(
  conn: Connection,
  sourceDir: string,
  middlewareUrl: string,
  options: { dryRun: boolean; deploy?: SourceDeploy; localOrg?: boolean },
): Promise<StageReport> {
  if (options.localOrg)
    // Its schema and approval matrix are force-app itself, read when the middleware starts.
    return {
      stage: 'deploy',
      outcome: 'skipped',
      detail: messages.getMessage('skip.deployLocal', [await countRules(conn)]),
    };
  const hasRules = await orgHasRules(conn);
  const rulesNote = hasRules ? 'keeping the org’s approval rules' : 'with the default approval matrix';
  if (options.dryRun)
    return {
      stage: 'deploy',
      outcome: 'planned',
      detail: `deploy ${sourceDir} (${rulesNote}), Named Credential → ${middlewareUrl}`,
    };
  const dir = await prepareSource(sourceDir, middlewareUrl, !hasRules);
  try {
    const { id, states } = await (options.deploy ?? sdrDeploy)(conn, join(dir, 'force-app'));
    const changed = (states.Created ?? 0) + (states.Changed ?? 0) + (states.Deleted ?? 0);
    const summary = Object.entries(states)
      .map(([s, n]) => `${n} ${s.toLowerCase()}`)
      .join(', ');
    return {
      stage: 'deploy',
      outcome: changed > 0 ? 'changed' : 'unchanged',
      detail: `deploy ${id ?? '-'}: ${summary} (${rulesNote}); Named Credential → ${middlewareUrl}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------- 2 assign ----------

export async function assignStage(
  conn: Connection,
  wanted: Assignment[],
  options: { dryRun: boolean },
): Promise<StageReport> {
  if (wanted.length === 0) return { stage: 'assign', outcome: 'skipped', detail: 'no users given' };
  const usernames = [...new Set(wanted.map((w) => w.username.toLowerCase()))];
  const users = await queryAll(
    conn,
    `SELECT Id, Username, IsActive FROM User WHERE Username IN ${soqlStringList(usernames)}`,
    z.object({ Id: z.string(), Username: z.string(), IsActive: z.boolean() }),
    'User',
  );
  const byName = new Map(users.map((u) => [u.Username.toLowerCase(), u]));
  const problems = usernames.flatMap((u) => {
    const user = byName.get(u);
    return !user ? [`no user ${u}`] : !user.IsActive ? [`user ${u} is inactive`] : [];
  });
  if (problems.length > 0)
    throw new SfError(`Cannot assign permission sets: ${problems.join('; ')}`, 'UnknownUser');
  const sets = await queryAll(
    conn,
    `SELECT Id, Name FROM PermissionSet WHERE Name IN ${soqlStringList(PERMISSION_SETS)}`,
    z.object({ Id: z.string(), Name: z.string() }),
    'PermissionSet',
  );
  const setId = new Map(sets.map((s) => [s.Name, s.Id]));
  const existing = sets.length
    ? await queryAll(
        conn,
        `SELECT AssigneeId, PermissionSetId FROM PermissionSetAssignment WHERE PermissionSetId IN (${sets.map((s) => soqlString(s.Id)).join(', ')})`,
        z.object({ AssigneeId: z.string(), PermissionSetId: z.string() }),
        'PermissionSetAssignment',
      )
    : [];
  const have = new Set(existing.map((a) => `${a.AssigneeId}|${a.PermissionSetId}`));
  const todo: { AssigneeId: string; PermissionSetId: string; label: string }[] = [];
  const missingSets = new Set<string>();
  for (const w of wanted) {
    const psId = setId.get(w.permissionSet);
    const user = byName.get(w.username.toLowerCase())!;
    if (!psId) {
      missingSets.add(w.permissionSet);
      continue;
    }
    const key = `${user.Id}|${psId}`;
    if (have.has(key)) continue;
    have.add(key);
    todo.push({ AssigneeId: user.Id, PermissionSetId: psId, label: `${w.permissionSet} → ${user.Username}` });
  }
  if (missingSets.size > 0 && !options.dryRun)
    throw new SfError(
      `Permission set(s) not in the org: ${[...missingSets].join(', ')}; the deploy stage must run first`,
      'NoPermissionSet',
    );
  if (todo.length === 0)
    return {
      stage: 'assign',
      outcome: 'unchanged',
      detail: `all ${wanted.length} assignment(s) already in place`,
    };
  if (options.dryRun)
    return { stage: 'assign', outcome: 'planned', detail: `assign ${todo.map((t) => t.label).join(', ')}` };
  const results = await conn
    .sobject('PermissionSetAssignment')
    .create(todo.map(({ label: _l, ...rec }) => rec));
  const failed = results.filter((r) => !r.success);
  if (failed.length > 0)
    throw new SfError(
      `Could not assign: ${failed.map((f) => JSON.stringify(f.errors)).join('; ')}`,
      'AssignFailed',
    );
  return { stage: 'assign', outcome: 'changed', detail: `assigned ${todo.map((t) => t.label).join(', ')}` };
}

// ---------- 3 key ----------

const CredentialSchema = z.object({
  credentials: z
    .record(z.string(), z.object({ value: z.string().nullable().optional() }).passthrough())
    .optional(),
});

export function credentialPath(conn: Connection): string {
  return `/services/data/v${conn.getApiVersion()}/named-credentials/credential`;
}

/** Whether the principal already holds an ApiKey (Salesforce never returns the value itself). */
export async function keyIsSet(conn: Connection): Promise<boolean | 'unsupported'> {
  // An org without the NamedCredential object (the local org) has no credentials API either;
  // in a real org a 404 from the API only means no key was stored for the principal yet.
  try {
    await conn.query('SELECT Id FROM NamedCredential LIMIT 1');
  } catch (err) {
    if (
      /INVALID_TYPE|not supported/i.test(
        `${(err as { errorCode?: string }).errorCode ?? ''} ${(err as Error).message}`,
      )
    )
      return 'unsupported';
    throw err;
  }
  const q = new URLSearchParams({
    externalCredential: EXTERNAL_CREDENTIAL,
    principalName: PRINCIPAL,
    principalType: 'NamedPrincipal',
  });
  try {
    const res = CredentialSchema.parse(
      await conn.request({ method: 'GET', url: `${credentialPath(conn)}?${q.toString()}` }),
    );
    return Boolean(res.credentials?.[KEY_PARAMETER]);
  } catch (err) {
    const e = err as { errorCode?: string; name?: string; message?: string };
    if (/NOT_FOUND/i.test(`${e.errorCode ?? ''} ${e.name ?? ''}`)) return false;
    throw err;
  }
}

export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

export async function keyStage(
  conn: Connection,
  provided: string | undefined,
  options: { dryRun: boolean; localOrg?: boolean },
): Promise<StageReport & { generatedKey: string | null }> {
  if (options.localOrg)
    return {
      stage: 'key',
      outcome: 'skipped',
      detail: messages.getMessage('skip.keyLocal'),
      generatedKey: null,
    };
  const isSet = await keyIsSet(conn);
  if (isSet === 'unsupported')
    return {
      stage: 'key',
      outcome: 'skipped',
      detail: 'this org has no Named Credentials API (named-credentials/credential); set the key in Setup',
      generatedKey: null,
    };
  // A key already set is kept unless one is given: Salesforce cannot tell us whether it matches.
  if (isSet && !provided)
    return {
      stage: 'key',
      outcome: 'unchanged',
      detail: `${EXTERNAL_CREDENTIAL}.${PRINCIPAL} already holds an API key`,
      generatedKey: null,
    };
  if (options.dryRun)
    return {
      stage: 'key',
      outcome: 'planned',
      detail: `${isSet ? 'replace' : 'set'} ${EXTERNAL_CREDENTIAL}.${PRINCIPAL}.${KEY_PARAMETER} (${provided ? 'from --api-key-file' : 'generated'})`,
      generatedKey: null,
    };
  const key = provided ?? generateApiKey();
  await conn.request({
    method: isSet ? 'PUT' : 'POST',
    url: credentialPath(conn),
    body: JSON.stringify({
      externalCredential: EXTERNAL_CREDENTIAL,
      principalName: PRINCIPAL,
      principalType: 'NamedPrincipal',
      credentials: { [KEY_PARAMETER]: { value: key, encrypted: true } },
    }),
    headers: { 'content-type': 'application/json' },
  });
  return {
    stage: 'key',
    outcome: 'changed',
    detail: `${isSet ? 'replaced' : 'set'} the API key of ${EXTERNAL_CREDENTIAL}.${PRINCIPAL}${provided ? '' : ' (generated)'}`,
    generatedKey: provided ? null : key,
  };
}

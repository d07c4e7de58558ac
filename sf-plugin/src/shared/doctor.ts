/**
 * The health checks behind `sf dealdesk doctor` (and the end of `sf dealdesk setup`). Each check
 * passes, fails with a fix, or is skipped with the reason — an org without an API the check
 * needs (the local org has no Named Credentials or Apex) is reported as skipped, never as passing.
 * The connection is checked first: when the org refuses the session or does not answer, the
 * checks that read it are skipped with that reason rather than failed as missing metadata.
 */
import type { Connection } from '@salesforce/core';
import { z } from 'zod';
import { connectedMessage, connectOrg, skippedMessage, type ConnectionResult } from './connection.ts';
import { MiddlewareClient, type MiddlewareTarget } from './middleware.ts';
import { soqlString, soqlStringList } from '@dealdesk/contracts';
import { queryAll } from './soql.ts';
import { APPROVAL_PROCESS, expectedSchema, PERMISSION_SETS } from './source.ts';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export type DoctorCheck = {
  name: string;
  status: CheckStatus;
  message: string;
  fix: string | null;
};

export interface DoctorOptions {
  sourceDir: string;
  /** The middleware to probe, or why there is none. */
  middleware: MiddlewareTarget | { unavailable: string };
  /** How many of the latest closures to judge. */
  recentClosures?: number;
  now?: () => Date;
  fetchImpl?: typeof fetch;
}

const STUCK_QUEUED_MS = 15 * 60_000;

/** An org that lacks an object (INVALID_TYPE / NOT_FOUND) cannot answer a check: skip it, with why. */
function unsupported(err: unknown): boolean {
  const e = err as { errorCode?: string; name?: string; message?: string };
  return /INVALID_TYPE|NOT_FOUND|not supported/i.test(
    `${e.errorCode ?? ''} ${e.name ?? ''} ${e.message ?? ''}`,
  );
}

const pass = (name: string, message: string): DoctorCheck => ({ name, status: 'pass', message, fix: null });
const fail = (name: string, message: string, fix: string): DoctorCheck => ({
  name,
  status: 'fail',
  message,
  fix,
});
const skip = (name: string, message: string): DoctorCheck => ({ name, status: 'skip', message, fix: null });

export async function checkMetadata(conn: Connection, dir: string): Promise<DoctorCheck> {
  const name = 'metadata';
  const expected = expectedSchema(dir);
  const missing: string[] = [];
  let fields = 0;
  for (const [object, wanted] of expected) {
    let present: Set<string>;
    try {
      // Activity fields are defined once and appear on Task and Event; Activity has no describe.
      present = new Set(
        (await conn.describe(object === 'Activity' ? 'Task' : object)).fields.map((f) => f.name),
      );
    } catch (err) {
      if (!unsupported(err)) throw err;
      missing.push(object);
      continue;
    }
    for (const f of wanted) {
      fields++;
      if (!present.has(f)) missing.push(`${object}.${f}`);
    }
  }
  if (missing.length > 0)
    return fail(
      name,
      `${missing.length} object(s)/field(s) of force-app are missing or not visible: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}`,
      'Deploy the current force-app: sf dealdesk setup --target-org <org> --middleware-url <url> (or sf project deploy start -d force-app), and check field-level security in the DealDesk permission sets.',
    );
  return pass(
    name,
    `all ${expected.size} objects and ${fields} custom fields of this force-app version are deployed`,
  );
}

export async function checkApex(conn: Connection): Promise<DoctorCheck> {
  const name = 'apex';
  try {
    const rows = await queryAll(
      conn,
      "SELECT Name, Status FROM ApexClass WHERE Name IN ('DealDeskController', 'DealClosureService', 'DealDeskMiddlewareClient')",
      z.object({ Name: z.string(), Status: z.string() }),
      'ApexClass',
    );
    if (rows.length < 3)
      return fail(
        name,
        `only ${rows.length} of 3 core Apex classes are in the org`,
        'Deploy force-app (sf dealdesk setup).',
      );
    return pass(name, 'the core Apex classes are deployed');
  } catch (err) {
    if (unsupported(err))
      return skip(name, 'this org does not expose ApexClass (the local org has no Apex); not checked');
    throw err;
  }
}

export async function checkPermissionSets(conn: Connection): Promise<DoctorCheck> {
  const name = 'permission-sets';
  const sets = await queryAll(
    conn,
    `SELECT Id, Name FROM PermissionSet WHERE Name IN ${soqlStringList(PERMISSION_SETS)}`,
    z.object({ Id: z.string(), Name: z.string() }),
    'PermissionSet',
  );
  const missing = PERMISSION_SETS.filter((p) => !sets.some((s) => s.Name === p));
  if (missing.length > 0)
    return fail(
      name,
      `permission set(s) not in the org: ${missing.join(', ')}`,
      'Deploy force-app (sf dealdesk setup).',
    );
  const assignments = await queryAll(
    conn,
    `SELECT PermissionSetId, AssigneeId FROM PermissionSetAssignment WHERE PermissionSetId IN (${sets.map((s) => soqlString(s.Id)).join(', ')})`,
    z.object({ PermissionSetId: z.string(), AssigneeId: z.string() }),
    'PermissionSetAssignment',
  );
  const count = (set: string) =>
    assignments.filter((a) => a.PermissionSetId === sets.find((s) => s.Name === set)?.Id).length;
  // Without these nothing works: the middleware's writes (Integration) and the reps' Close Deal (User).
  const unassigned = (['DealDesk_Integration', 'DealDesk_User'] as const).filter((s) => count(s) === 0);
  if (unassigned.length > 0)
    return fail(
      name,
      `nobody has ${unassigned.join(', ')}`,
      `Assign them: sf dealdesk setup --target-org <org> --middleware-url <url> --user <username> (DealDesk_Integration goes to the middleware's integration user).`,
    );
  return pass(name, PERMISSION_SETS.map((s) => `${s}: ${count(s)}`).join(', '));
}

export async function checkNamedCredential(
  conn: Connection,
  middleware: DoctorOptions['middleware'],
): Promise<DoctorCheck> {
  const name = 'named-credential';
  let rows: { Endpoint: string | null }[];
  try {
    rows = await queryAll(
      conn,
      "SELECT Endpoint FROM NamedCredential WHERE DeveloperName = 'DealDesk_Middleware'",
      z.object({ Endpoint: z.string().nullable() }),
      'NamedCredential',
    );
  } catch (err) {
    if (unsupported(err))
      return skip(
        name,
        'this org does not expose NamedCredential (the local org has no Named Credentials); not checked',
      );
    throw err;
  }
  const endpoint = rows[0]?.Endpoint ?? null;
  if (!endpoint)
    return fail(
      name,
      'the DealDesk_Middleware Named Credential is not in the org',
      'Run sf dealdesk setup --middleware-url <url>.',
    );
  if (/example\.com/.test(endpoint))
    return fail(
      name,
      `the Named Credential still points at the placeholder ${endpoint}`,
      'Run sf dealdesk setup --middleware-url <url>.',
    );
  if (
    'url' in middleware &&
    middleware.urlSource !== 'named-credential' &&
    endpoint.replace(/\/+$/, '') !== middleware.url
  )
    return fail(
      name,
      `the Named Credential points at ${endpoint}, not at ${middleware.url}`,
      `Run sf dealdesk setup --middleware-url ${middleware.url} to repoint it.`,
    );
  return pass(name, `DealDesk_Middleware points at ${endpoint}`);
}

const ReadySchema = z.object({
  status: z.string(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

export async function checkMiddleware(options: DoctorOptions): Promise<DoctorCheck[]> {
  const ready = 'middleware-ready';
  const back = 'middleware-reaches-org';
  if ('unavailable' in options.middleware)
    return [skip(ready, options.middleware.unavailable), skip(back, 'no middleware to ask')];
  const client = new MiddlewareClient(options.middleware, options.fetchImpl);
  let res: Awaited<ReturnType<MiddlewareClient['readiness']>>;
  try {
    res = await client.readiness();
  } catch (err) {
    return [
      fail(
        ready,
        (err as Error).message,
        `Start the middleware or fix its URL; check ${client.url}/healthz.`,
      ),
      skip(back, 'the middleware did not answer'),
    ];
  }
  const body = ReadySchema.safeParse(res.body);
  if (!body.success)
    return [
      fail(
        ready,
        `${client.url}/readyz answered HTTP ${res.status} without the dealdesk readiness body`,
        'Check that the URL is the dealdesk middleware.',
      ),
      skip(back, 'unknown'),
    ];
  const orgCheck = body.data.checks.find((c) => c.name === 'salesforce' || c.name === 'local-org');
  const others = body.data.checks.filter((c) => c !== orgCheck && !c.ok);
  const readyCheck =
    others.length === 0
      ? pass(
          ready,
          `${client.url}/readyz: ${body.data.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'failing'}`).join(', ')}`,
        )
      : fail(
          ready,
          others.map((c) => `${c.name}: ${c.error ?? 'failing'}`).join('; '),
          'See the middleware logs for the failing dependency.',
        );
  const backCheck = !orgCheck
    ? skip(back, 'the middleware reports no org check')
    : orgCheck.ok
      ? pass(
          back,
          `the middleware's ${orgCheck.name === 'salesforce' ? 'integration user session' : 'local org'} works`,
        )
      : fail(
          back,
          `the middleware cannot reach the org: ${orgCheck.error ?? 'failing'}`,
          'Renew the integration user credentials (connected app certificate / JWT key, user active, DealDesk_Integration assigned); expired integration credentials are the usual cause of silent sync failures.',
        );
  return [readyCheck, backCheck];
}

export async function checkApprovalProcess(conn: Connection): Promise<DoctorCheck> {
  const name = 'approval-process';
  try {
    const rows = await queryAll(
      conn,
      `SELECT DeveloperName, State FROM ProcessDefinition WHERE DeveloperName = ${soqlString(APPROVAL_PROCESS)}`,
      z.object({ DeveloperName: z.string(), State: z.string().nullable() }),
      'ProcessDefinition',
    );
    const state = rows[0]?.State;
    if (!rows[0])
      return fail(
        name,
        `the approval process ${APPROVAL_PROCESS} is not in the org`,
        'Deploy force-app (sf dealdesk setup).',
      );
    if (state !== 'Active')
      return fail(
        name,
        `${APPROVAL_PROCESS} is ${state ?? 'not active'}`,
        'Activate it in Setup > Approval Processes > Deal Approval.',
      );
    return pass(name, `${APPROVAL_PROCESS} is active`);
  } catch (err) {
    if (unsupported(err)) return skip(name, 'this org does not expose ProcessDefinition; not checked');
    throw err;
  }
}

export async function checkRecentClosures(conn: Connection, options: DoctorOptions): Promise<DoctorCheck> {
  const name = 'recent-closures';
  const limit = options.recentClosures ?? 20;
  const now = (options.now ?? (() => new Date()))().getTime();
  const rows = await queryAll(
    conn,
    `SELECT Name, Status__c, Run_Id__c, Error__c, CreatedDate FROM Deal_Closure__c ORDER BY CreatedDate DESC LIMIT ${limit}`,
    z.object({
      Name: z.string(),
      Status__c: z.string().nullable(),
      Run_Id__c: z.string().nullable(),
      Error__c: z.string().nullable().optional(),
      CreatedDate: z.string(),
    }),
    'Deal_Closure__c',
  );
  if (rows.length === 0) return pass(name, 'no closures yet');
  const failed = rows.filter((r) => r.Status__c === 'Failed');
  const stuck = rows.filter(
    (r) =>
      r.Status__c === 'Queued' &&
      !r.Run_Id__c &&
      now - Date.parse(r.CreatedDate.replace(/\+0000$/, 'Z')) > STUCK_QUEUED_MS,
  );
  const problems = [
    ...failed.map((r) => `${r.Name} failed${r.Error__c ? `: ${r.Error__c.slice(0, 120)}` : ''}`),
    ...stuck.map((r) => `${r.Name} queued for over 15 minutes and never reached the middleware`),
  ];
  if (problems.length > 0)
    return fail(
      name,
      `${problems.length} of the last ${rows.length} closures need attention: ${problems.slice(0, 5).join('; ')}`,
      'Inspect one with sf dealdesk closure show --opportunity <id>; a closure stuck in Queued means the callout failed (check the Named Credential and middleware-ready).',
    );
  const byStatus = new Map<string, number>();
  for (const r of rows) byStatus.set(r.Status__c ?? 'none', (byStatus.get(r.Status__c ?? 'none') ?? 0) + 1);
  return pass(name, `last ${rows.length}: ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}`);
}

/** The connection check, from what connectOrg found. */
export function checkConnection(connection: ConnectionResult): DoctorCheck {
  return connection.ok
    ? pass('connection', connectedMessage(connection.org))
    : fail('connection', connection.problem.message, connection.problem.fix);
}

export async function runDoctor(conn: Connection, options: DoctorOptions): Promise<DoctorCheck[]> {
  const guard = async (
    name: string,
    check: () => Promise<DoctorCheck | DoctorCheck[]>,
  ): Promise<DoctorCheck[]> => {
    try {
      const r = await check();
      return Array.isArray(r) ? r : [r];
    } catch (err) {
      return [
        fail(
          name,
          `the check itself failed: ${(err as Error).message}`,
          'Check the org connection and your access (sf org display).',
        ),
      ];
    }
  };
  const connection = await connectOrg(conn);
  // The middleware checks ask the middleware, not the org: they run whatever the connection.
  const middleware = guard('middleware-ready', () => checkMiddleware(options));
  const org = (name: string, check: () => Promise<DoctorCheck>): Promise<DoctorCheck[]> =>
    connection.ok ? guard(name, check) : Promise.resolve([skip(name, skippedMessage(connection.problem))]);
  const results = await Promise.all([
    org('metadata', () => checkMetadata(conn, options.sourceDir)),
    org('apex', () => checkApex(conn)),
    org('permission-sets', () => checkPermissionSets(conn)),
    org('named-credential', () => checkNamedCredential(conn, options.middleware)),
    middleware,
    org('approval-process', () => checkApprovalProcess(conn)),
    org('recent-closures', () => checkRecentClosures(conn, options)),
  ]);
  return [checkConnection(connection), ...results.flat()];
}

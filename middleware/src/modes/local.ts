/**
 * Local mode: the middleware hosts the org it works against. The local org is served on the
 * middleware's own port (ahead of its HTTP layer), the middleware logs in to it with the same JWT
 * bearer flow as to a real org, and the package's Apex triggers are done by the org itself.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJwtConnection } from '../adapters/salesforce/jwt-bearer.ts';
import { createConsoleNotifier } from '../adapters/notify/console-notifier.ts';
import { FORCE_APP_DIR } from '../paths.ts';
import type { LocalOrg } from '@dealdesk/local-org';
import type { OrgFaultOptions } from '@dealdesk/local-org';
import type { PackageAutomation } from '../local/package-automation.ts';
import { orgReachable, type LocalAdminLogin, type Mode, type ModeDeps } from './mode.ts';

/** Where local mode keeps the admin's token, in the data dir beside the API key. */
export const ADMIN_TOKEN_FILE = 'local-org-admin-token';

export async function openLocalMode({ config, runtime, dataDir }: ModeDeps): Promise<Mode> {
  const { logger, metrics } = runtime;
  // Loaded here, not at the top: a middleware against a real org does not carry the local org's
  // SOQL engine, seed data or package automation.
  const [
    { LocalOrg },
    { createLocalOrgRouter },
    { demoCompany },
    { installPackageAutomation },
    { createLightningLocal },
  ] = await Promise.all([
    import('@dealdesk/local-org'),
    import('@dealdesk/local-org'),
    import('@dealdesk/local-org'),
    import('../local/package-automation.ts'),
    import('../local/lightning/router.ts'),
  ]);
  const org = new LocalOrg({
    dbPath: join(dataDir, 'local-org.sqlite'),
    forceAppDir: FORCE_APP_DIR,
    connectedApps: [localConnectedApp().app],
    token: config.localOrg.token,
    clock: runtime.clock,
  });
  if (config.localOrg.seed === 'demo' && org.store.count('Opportunity') === 0) {
    const seeded = org.seed(demoCompany);
    logger.info({ created: seeded.created }, 'seeded the local org with the demo company');
  }
  const localAdmin = adminLogin(org, dataDir);
  const orgFaults: OrgFaultOptions = {
    ...config.localOrg.faults,
    onFault: (kind, method, path) => {
      metrics.faultsInjected.inc({ target: 'local-org', kind });
      logger.debug({ kind, method, path }, 'injected org fault');
    },
  };
  // Close Deal in Lightning Local enqueues the start as the Apex does; the automation that carries
  // it out exists once the system runs.
  let automation: PackageAutomation | undefined;
  const lightning = await createLightningLocal({
    localOrg: org,
    dataDir,
    logger,
    enqueueStart: (id) => automation?.startClosure(id),
    loginHint: localAdmin
      ? `Log in with the admin's access token: it is in the banner and in ${localAdmin.tokenFile}.`
      : 'Log in with an access token of the local org (the banner shows it).',
  });
  return {
    standIns: [createLocalOrgRouter(org, { latencyMs: config.localOrg.latencyMs ?? 0, faults: orgFaults })],
    mounts: [lightning.router],
    readiness: [{ name: 'local-org', check: () => void org.query('SELECT COUNT() FROM Organization') }],
    async connect(url) {
      // The same login as against a real org (JWT bearer, again when the session expires), at the
      // local org's token endpoint.
      const conn = await createJwtConnection({
        loginUrl: url,
        clientId: LOCAL_CLIENT_ID,
        username: String(org.store.get(org.integrationUserId)?.fields.Username),
        privateKey: localConnectedApp().privateKeyPem,
        apiVersion: config.salesforce.apiVersion,
        clock: runtime.clock,
      });
      return {
        conn,
        // Reachability over the same HTTP path and session the agents use.
        readiness: orgReachable(conn, config.salesforce.apiVersion, 5_000),
        notifier: { name: 'console', notifier: createConsoleNotifier(logger) },
      };
    },
    started: ({ url, apiKey }) => {
      automation = installPackageAutomation({ org, middlewareUrl: () => url, apiKey, logger });
      return { localOrg: org, localAdmin, orgFaults, automation, closeStreams: () => lightning.close() };
    },
    dispose: () => org.close(),
  };
}

/** The banner's lines for the local org: how to reach it, log in to it and call the middleware. */
export function localBannerLines(
  running: { url: string; apiKey: string; localOrg: LocalOrg; localAdmin?: LocalAdminLogin | undefined },
  apiVersion: string,
): string[] {
  const { url, localOrg, localAdmin: admin } = running;
  return [
    `  local org:  ${url}/services/data/v${apiVersion}  (Salesforce REST API)`,
    `  lightning:  ${url}/lightning  (the package's components over the local org)`,
    ...(admin
      ? [
          `  admin:      ${admin.username}`,
          // The first `token:` line is the one to use: the quick start and its test read it.
          `  token:      ${admin.accessToken}  (the admin's; also in ${admin.tokenFile})`,
          `  sf login:   SF_ACCESS_TOKEN="$(cat ${shellQuote(admin.tokenFile)})" sf org login access-token --instance-url ${url} --alias local --no-prompt`,
        ]
      : [`  token:      ${localOrg.token}  (the integration user's: this org has no admin user)`]),
    `  try it:     new Connection({ instanceUrl: '${url}', accessToken: '<token>' })`,
    ...(admin ? [`  integration user's token (the middleware's own user): ${localOrg.token}`] : []),
    `  API calls:  ${url}/local/stats`,
    `  API key:    ${running.apiKey}  (Authorization: Bearer … for ${url}/v1)`,
  ];
}

/** A path as one shell word, for a command the person copies from the banner. */
function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * The admin's session and its token file. The file is rewritten on each start (the token is
 * kept across restarts) and removed when the org has no administrator, so it never names a
 * token that does not sign in.
 */
function adminLogin(org: LocalOrg, dataDir: string): LocalAdminLogin | undefined {
  const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
  const session = org.adminSession();
  if (!session) {
    rmSync(tokenFile, { force: true });
    return undefined;
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(tokenFile, `${session.accessToken}\n`, { mode: 0o600 });
  return { username: session.username, accessToken: session.accessToken, tokenFile };
}

const LOCAL_CLIENT_ID = 'dealdesk-local-middleware';
let localApp: { app: { clientId: string; publicKey: string }; privateKeyPem: string } | undefined;

/** The middleware's connected app in the local org; one key pair per process. */
function localConnectedApp(): NonNullable<typeof localApp> {
  if (!localApp) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    localApp = {
      app: {
        clientId: LOCAL_CLIENT_ID,
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
  return localApp;
}

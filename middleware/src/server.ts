/**
 * The middleware process: configuration, logging, the local org in local mode, the HTTP app,
 * and a graceful shutdown that finishes in-flight requests before closing the stores.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, secretValues, type Config } from './config/config.ts';
import { createApp, type ReadinessCheck } from './http/app.ts';
import { createLogger, type Logger } from './logger.ts';
// Mode-specific parts (the local org, Postgres mode, the package automation) load only in the
// mode that uses them: a middleware against a real org does not carry the local org's SOQL engine.
import type { LocalOrg } from './local/org/local-org.ts';
import type { OrgFaultOptions } from './local/org/faults.ts';
import { FORCE_APP_DIR, REPO_ROOT } from './paths.ts';
import express, { type Router } from 'express';
import type { Connection } from '@jsforce/jsforce-node';
import { buildSystem, resolveApiKeys, type System } from './wiring.ts';
import { createApiRouter } from './http/api-router.ts';
import { createDocusignWebhookRouter } from './http/docusign-webhook.ts';
import { sendError } from './http/errors.ts';
import { createMetrics } from './metrics.ts';
import { setupTracing, TracingConfigError } from './tracing.ts';
import { createJwtConnection } from './adapters/salesforce/jwt-bearer.ts';
import type { PackageAutomation } from './local/package-automation.ts';
import type { PostgresMode } from './adapters/postgres/postgres-mode.ts';

const SHUTDOWN_GRACE_MS = 10_000;

/** Local mode: how the person at the terminal logs in to the local org as its administrator. */
export interface LocalAdminLogin {
  username: string;
  accessToken: string;
  /** The token, also kept in this file (mode 600), so a login can be scripted without pasting it. */
  tokenFile: string;
}

/** Where local mode keeps the admin's token, in the data dir beside the API key. */
export const ADMIN_TOKEN_FILE = 'local-org-admin-token';

export interface RunningServer {
  url: string;
  localOrg?: LocalOrg;
  /** Local mode: the admin login, absent when the org has no administrator (LOCAL_ORG_SEED=none). */
  localAdmin?: LocalAdminLogin;
  system: System;
  apiKey: string;
  automation?: PackageAutomation;
  /** Local mode: the injected-fault settings, live (tests and soak runs change the rate). */
  orgFaults?: OrgFaultOptions;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: () => Date;
  timerPollMs?: number;
}

export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const dataDir = resolve(REPO_ROOT, config.dataDir);
  const readiness: ReadinessCheck[] = [];
  // Metrics exist from the start; the system registers into the same registry once built.
  const metrics = createMetrics();
  const apiKeys = resolveApiKeys(config, dataDir);
  let localOrg: LocalOrg | undefined;
  let localAdmin: LocalAdminLogin | undefined;
  let orgFaults: OrgFaultOptions | undefined;
  const mounts: Router[] = [];
  const standIns: Router[] = [];
  if (config.mode === 'local') {
    const [{ LocalOrg }, { createLocalOrgRouter }, { demoCompany }] = await Promise.all([
      import('./local/org/local-org.ts'),
      import('./local/org/rest-router.ts'),
      import('./local/org/seed/demo-company.ts'),
    ]);
    localOrg = new LocalOrg({
      dbPath: join(dataDir, 'local-org.sqlite'),
      forceAppDir: FORCE_APP_DIR,
      connectedApps: [localConnectedApp().app],
      ...(config.localOrg.token ? { token: config.localOrg.token } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const org = localOrg;
    if (config.localOrg.seed === 'demo' && org.store.count('Opportunity') === 0) {
      const seeded = org.seed(demoCompany);
      logger.info({ created: seeded.created }, 'seeded the local org with the demo company');
    }
    localAdmin = adminLogin(org, dataDir);
    orgFaults = {
      ...config.localOrg.faults,
      onFault: (kind, method, path) => {
        metrics.faultsInjected.inc({ target: 'local-org', kind });
        logger.debug({ kind, method, path }, 'injected org fault');
      },
    };
    standIns.push(
      createLocalOrgRouter(org, { latencyMs: config.localOrg.latencyMs ?? 0, faults: orgFaults }),
    );
    readiness.push({ name: 'local-org', check: () => void org.query('SELECT COUNT() FROM Organization') });
  }
  // Routes that need the running system are added once the port (and so the org URL) is known.
  const late = express.Router();
  mounts.push(late);
  // Until the system runs, its routes answer 503 (retry), never 404: a callout that arrives while
  // a replica restarts must be retried, not dropped as "no such endpoint".
  let serving = false;
  late.use((_req, res, next) => {
    if (serving) return next();
    res.set('Retry-After', '1');
    sendError(res, 503, 'STARTING', 'The middleware is starting; retry shortly');
  });
  const app = createApp({
    logger,
    mounts,
    standIns,
    readiness,
    metrics: () => metrics,
    version: process.env.npm_package_version,
  });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((ok, fail) => {
    server.once('listening', ok);
    server.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  const publicUrl = config.publicUrl ?? url;
  let conn: Connection;
  if (localOrg) {
    // The same login as against a real org (JWT bearer, again when the session expires), at the
    // local org's token endpoint.
    const integrationUser = localOrg.store.get(localOrg.integrationUserId)?.fields;
    try {
      conn = await createJwtConnection({
        loginUrl: url,
        clientId: LOCAL_CLIENT_ID,
        username: String(integrationUser?.Username),
        privateKey: localConnectedApp().privateKeyPem,
        apiVersion: config.salesforce.apiVersion,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    } catch (err) {
      await new Promise<void>((ok) => server.close(() => ok()));
      localOrg.close();
      throw err;
    }
  } else {
    try {
      conn = await createJwtConnection({
        ...config.salesforce,
        clientId: config.salesforce.clientId!,
        username: config.salesforce.username!,
      });
    } catch (err) {
      await new Promise<void>((ok) => server.close(() => ok()));
      throw err;
    }
    logger.info(
      { instanceUrl: conn.instanceUrl, username: config.salesforce.username },
      'logged in to Salesforce with the JWT bearer flow',
    );
    readiness.push({
      name: 'salesforce',
      check: cachedCheck(
        60_000,
        async () => void (await conn.request(`/services/data/v${config.salesforce.apiVersion}/limits`)),
      ),
    });
  }
  let postgres: PostgresMode | undefined;
  if (config.databaseUrl) {
    try {
      const { openPostgresMode } = await import('./adapters/postgres/postgres-mode.ts');
      postgres = await openPostgresMode({
        databaseUrl: config.databaseUrl,
        schema: config.databaseSchema ?? 'dealdesk',
        logger,
      });
    } catch (err) {
      await new Promise<void>((ok) => server.close(() => ok()));
      throw err;
    }
  }
  const system = await buildSystem({
    ...(postgres ? { store: postgres.store, scheduler: postgres.scheduler } : {}),
    metrics,
    config,
    logger,
    dataDir,
    conn,
    publicUrl: () => publicUrl,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timerPollMs !== undefined ? { timerPollMs: options.timerPollMs } : {}),
  });
  if (system.localEsign) late.use(system.localEsign.router());
  late.use(
    createDocusignWebhookRouter({
      secrets: config.docusign.connectSecrets ?? [],
      maxAgeMinutes: config.docusign.connectMaxAgeMinutes,
      store: system.store,
      deliver: (...args) => system.orchestrator.deliver(...args),
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  );
  late.use(
    createApiRouter({
      orchestrator: system.orchestrator,
      store: system.store,
      apiKeys,
      ...(options.clock ? { clock: options.clock } : {}),
      rateLimitPerMinute: config.rateLimitPerMinute,
      onRateLimited: () => metrics.rateLimited.inc({ route: '/v1' }),
    }),
  );
  readiness.push({
    name: 'salesforce-circuit',
    check: () => {
      if (system.salesforceCircuit() === 'open')
        throw new Error('Salesforce calls are paused after repeated failures (circuit open)');
    },
  });
  if (localOrg) {
    // Reachability over the same HTTP path and session the agents use.
    readiness.push({
      name: 'salesforce',
      check: cachedCheck(
        5_000,
        async () => void (await conn.request(`/services/data/v${config.salesforce.apiVersion}/limits`)),
      ),
    });
  }
  readiness.push({
    name: 'run-store',
    check: async () => void (await system.store.getRun('readiness-probe')),
  });
  const automation = localOrg
    ? (await import('./local/package-automation.ts')).installPackageAutomation({
        org: localOrg,
        middlewareUrl: () => url,
        apiKey: apiKeys[0]!,
        logger,
      })
    : undefined;
  await system.orchestrator.start();
  serving = true;
  return {
    url,
    ...(localOrg ? { localOrg } : {}),
    ...(localAdmin ? { localAdmin } : {}),
    ...(orgFaults ? { orgFaults } : {}),
    system,
    apiKey: apiKeys[0]!,
    ...(automation ? { automation } : {}),
    close: async () => {
      automation?.stop();
      await new Promise<void>((ok) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          ok();
        }, SHUTDOWN_GRACE_MS);
        timer.unref();
        server.close(() => ok());
        server.closeIdleConnections();
      });
      await system.close();
      localOrg?.close();
    },
  };
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

/** A readiness check that calls out at most once per `ttlMs`, so probes do not spend API limits. */
function cachedCheck(ttlMs: number, check: () => Promise<void>): () => Promise<void> {
  let last: { at: number; error: unknown } | undefined;
  return async () => {
    if (!last || Date.now() - last.at > ttlMs) {
      let error: unknown = null;
      try {
        await check();
      } catch (err) {
        error = err;
      }
      last = { at: Date.now(), error };
    }
    if (last.error) throw last.error;
  };
}

export function banner(running: RunningServer, config: Config): string {
  const lines = [
    '',
    `dealdesk middleware (${config.mode} mode) listening on ${running.url}`,
    `  health:     ${running.url}/healthz   readiness: ${running.url}/readyz   metrics: ${running.url}/metrics`,
  ];
  if (running.localOrg) {
    const admin = running.localAdmin;
    lines.push(
      `  local org:  ${running.url}/services/data/v${config.salesforce.apiVersion}  (Salesforce REST API)`,
      ...(admin
        ? [
            `  admin:      ${admin.username}`,
            // The first `token:` line is the one to use: the quick start and its test read it.
            `  token:      ${admin.accessToken}  (the admin's; also in ${admin.tokenFile})`,
            `  sf login:   SF_ACCESS_TOKEN="$(cat ${shellQuote(admin.tokenFile)})" sf org login access-token --instance-url ${running.url} --alias local --no-prompt`,
          ]
        : [`  token:      ${running.localOrg.token}  (the integration user's: this org has no admin user)`]),
      `  try it:     new Connection({ instanceUrl: '${running.url}', accessToken: '<token>' })`,
      ...(admin ? [`  integration user's token (the middleware's own user): ${running.localOrg.token}`] : []),
      `  API calls:  ${running.url}/local/stats`,
      `  API key:    ${running.apiKey}  (Authorization: Bearer … for ${running.url}/v1)`,
    );
  }
  lines.push('  stop:       Ctrl+C', '');
  return lines.join('\n');
}

/** A path as one shell word, for a command the person copies from the banner. */
function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
  let stopTracing: (() => Promise<void>) | undefined;
  try {
    stopTracing = await setupTracing();
  } catch (err) {
    if (!(err instanceof TracingConfigError)) throw err;
    process.stderr.write(`Invalid configuration:\n  - ${err.message}\n`);
    process.exit(1);
  }
  const running = await startServer(config, logger);
  // The banner is for the person at the terminal; the token is theirs to use against their own local org.
  process.stdout.write(banner(running, config));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running
      .close()
      .then(() => stopTracing?.())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`dealdesk failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

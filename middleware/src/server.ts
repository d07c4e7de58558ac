/**
 * The middleware process: configuration, logging, the mode (the local org, or a real one), the
 * HTTP app and the system, all closed by one teardown stack: on a normal stop, after a start-up
 * that fails half way, and on a signal, in-flight requests finish before the stores close.
 */
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Router } from 'express';
import { ConfigError, loadConfig, secretValues, type Config } from './config/config.ts';
import { createApp, type ReadinessCheck } from './http/app.ts';
import { createLogger, type Logger } from './logger.ts';
import { REPO_ROOT } from './paths.ts';
import { buildSystem, resolveApiKeys, type System } from './wiring.ts';
import { createApiRouter } from './http/api-router.ts';
import { createDocusignWebhookRouter } from './http/docusign-webhook.ts';
import { sendError } from './http/errors.ts';
import { setupTracing, TracingConfigError } from './tracing.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import { once, Teardown, type Disposer } from './teardown.ts';
import type { Mode, ModeHandles } from './modes/mode.ts';
// The local mode module loads the local org itself only when opened: a middleware against a real
// org does not carry the local org's SOQL engine.
import { localBannerLines, openLocalMode } from './modes/local.ts';
import { openSalesforceMode } from './modes/salesforce.ts';
import type { PostgresMode } from './adapters/postgres/postgres-mode.ts';

export type { LocalAdminLogin } from './modes/mode.ts';
export { ADMIN_TOKEN_FILE } from './modes/local.ts';

const SHUTDOWN_GRACE_MS = 10_000;

/** The running middleware; in local mode also the local org, its admin login, fault settings and package automation. */
export interface RunningServer extends ModeHandles {
  url: string;
  system: System;
  apiKey: string;
  close(): Promise<void>;
}

export interface StartOptions {
  timerPollMs?: number;
}

/**
 * Starts the middleware on `runtime` (a test that moves time passes one with its clock), or on a
 * logger alone: the wall clock and a fresh metrics registry then.
 */
export async function startServer(
  config: Config,
  runtime: Runtime | Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const rt = isRuntime(runtime) ? runtime : createRuntime({ logger: runtime });
  const teardown = new Teardown();
  try {
    return await compose(config, rt, options, teardown);
  } catch (err) {
    // Whatever opened before the failure closes; the caller sees the failure itself.
    await teardown.run().catch((closeErr: unknown) => {
      rt.logger.error({ err: closeErr }, 'closing after a failed start failed');
    });
    throw err;
  }
}

function isRuntime(value: Runtime | Logger): value is Runtime {
  return 'clock' in value && 'metrics' in value;
}

/** Opens each part in order, pushing its disposer as soon as it is open. */
async function compose(
  config: Config,
  runtime: Runtime,
  options: StartOptions,
  teardown: Teardown,
): Promise<RunningServer> {
  const dataDir = resolve(REPO_ROOT, config.dataDir);
  const apiKeys = resolveApiKeys(config, dataDir);
  const modeDeps = { config, runtime, dataDir };
  const mode: Mode = config.mode === 'local' ? await openLocalMode(modeDeps) : openSalesforceMode(modeDeps);
  teardown.push('mode', () => mode.dispose());
  // Filled as parts come up; /readyz reads it live.
  const readiness: ReadinessCheck[] = [...mode.readiness];
  const gate = startingGate();
  const app = createApp({
    logger: runtime.logger,
    mounts: [gate.router],
    standIns: mode.standIns,
    readiness,
    metrics: () => runtime.metrics,
    version: process.env.npm_package_version,
  });
  const http = await listen(app, config);
  teardown.push('http', http.close);
  const org = await mode.connect(http.url);
  readiness.push(org.readiness);
  const postgres = config.databaseUrl ? await openPostgres(config, runtime.logger) : undefined;
  if (postgres) teardown.push('postgres', postgresDisposer(postgres));
  const publicUrl = config.publicUrl ?? http.url;
  const system = await buildSystem({
    config,
    runtime,
    dataDir,
    conn: org.conn,
    notifier: org.notifier,
    publicUrl: () => publicUrl,
    timerPollMs: options.timerPollMs,
    store: postgres?.store,
    scheduler: postgres?.scheduler,
  });
  teardown.push('system', () => system.close());
  // Again above the system: on a stop, in-flight requests finish before the system they call stops.
  teardown.push('http', http.close);
  mountSystemRoutes(gate.router, { config, runtime, system, apiKeys });
  for (const router of mode.mounts) gate.router.use(router);
  readiness.push(
    {
      name: 'salesforce-circuit',
      check: () => {
        if (system.salesforceCircuit() === 'open')
          throw new Error('Salesforce calls are paused after repeated failures (circuit open)');
      },
    },
    { name: 'run-store', check: async () => void (await system.store.getRun('readiness-probe')) },
  );
  const handles = mode.started({ url: http.url, apiKey: apiKeys[0]! });
  const automation = handles.automation;
  // First to stop: no callout starts while the rest closes.
  if (automation) teardown.push('package automation', () => automation.stop());
  // Open event streams would hold the HTTP server's close for its grace period.
  if (handles.closeStreams) teardown.push('lightning streams', handles.closeStreams);
  await system.orchestrator.start();
  gate.open();
  return { url: http.url, ...handles, system, apiKey: apiKeys[0]!, close: () => teardown.run() };
}

/**
 * Routes that need the running system, mounted once it runs. Until then they answer 503 (retry),
 * never 404: a callout that arrives while a replica restarts must be retried, not dropped as
 * "no such endpoint".
 */
function startingGate(): { router: Router; open(): void } {
  const router = express.Router();
  let serving = false;
  router.use((_req, res, next) => {
    if (serving) return next();
    res.set('Retry-After', '1');
    sendError(res, 503, 'STARTING', 'The middleware is starting; retry shortly');
  });
  return { router, open: () => void (serving = true) };
}

/** Listens on the configured port; its disposer stops accepting and waits for in-flight requests. */
async function listen(app: Express, config: Config): Promise<{ url: string; close: Disposer }> {
  const server = app.listen(config.port, config.host);
  await new Promise<void>((ok, fail) => {
    server.once('listening', ok);
    server.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  const close = once(
    () =>
      new Promise<void>((ok) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          ok();
        }, SHUTDOWN_GRACE_MS);
        timer.unref();
        server.close(() => ok());
        server.closeIdleConnections();
      }),
  );
  return { url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`, close };
}

async function openPostgres(config: Config, logger: Logger): Promise<PostgresMode> {
  const { openPostgresMode } = await import('./adapters/postgres/postgres-mode.ts');
  return openPostgresMode({
    databaseUrl: config.databaseUrl!,
    schema: config.databaseSchema ?? 'dealdesk',
    logger,
  });
}

/**
 * The shared store and the scheduler are opened here, so they close here, after the system. The
 * orchestrator has stopped the scheduler by then on a normal stop (pg-boss stops once); after a
 * failed start, nothing has.
 */
function postgresDisposer(postgres: PostgresMode): Disposer {
  return async () => {
    await postgres.scheduler.stop();
    await postgres.store.close();
  };
}

function mountSystemRoutes(
  router: Router,
  {
    config,
    runtime,
    system,
    apiKeys,
  }: { config: Config; runtime: Runtime; system: System; apiKeys: string[] },
): void {
  if (system.localEsign) router.use(system.localEsign.router());
  router.use(
    createDocusignWebhookRouter({
      secrets: config.docusign.connectSecrets ?? [],
      maxAgeMinutes: config.docusign.connectMaxAgeMinutes,
      store: system.store,
      deliver: (...args) => system.orchestrator.deliver(...args),
      logger: runtime.logger,
      clock: runtime.clock,
    }),
  );
  router.use(
    createApiRouter({
      orchestrator: system.orchestrator,
      store: system.store,
      playbook: system.playbook,
      apiKeys,
      clock: runtime.clock,
      rateLimitPerMinute: config.rateLimitPerMinute,
      onRateLimited: () => runtime.metrics.rateLimited.inc({ route: '/v1' }),
    }),
  );
}

export function banner(running: RunningServer, config: Config): string {
  const { url, localOrg } = running;
  return [
    '',
    `dealdesk middleware (${config.mode} mode) listening on ${url}`,
    `  health:     ${url}/healthz   readiness: ${url}/readyz   metrics: ${url}/metrics`,
    ...(localOrg ? localBannerLines({ ...running, localOrg }, config.salesforce.apiVersion) : []),
    '  stop:       Ctrl+C',
    '',
  ].join('\n');
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
  const teardown = new Teardown();
  try {
    const stopTracing = await setupTracing();
    if (stopTracing) teardown.push('tracing', stopTracing);
  } catch (err) {
    if (!(err instanceof TracingConfigError)) throw err;
    process.stderr.write(`Invalid configuration:\n  - ${err.message}\n`);
    process.exit(1);
  }
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    await teardown.run().catch(() => undefined);
    throw err;
  }
  teardown.push('server', () => running.close());
  // The banner is for the person at the terminal; the token is theirs to use against their own local org.
  process.stdout.write(banner(running, config));
  const stop = (signal: string) => {
    if (teardown.begun) return;
    logger.info({ signal }, 'shutting down');
    teardown.run().then(
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

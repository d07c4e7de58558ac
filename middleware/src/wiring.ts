/**
 * Builds the running system from configuration: the stores, the adapters for the configured
 * mode, the seven agents and the orchestrator. `server.ts` owns the process; tests and the demo
 * call `startServer` directly.
 */
import { readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import type { Config } from './config/config.ts';
import type { Logger } from './logger.ts';
import { CONFIG_DIR } from './paths.ts';
import { createSalesforceCrm } from './adapters/salesforce/salesforce-crm.ts';
import { createSalesforceApprovals } from './adapters/salesforce/salesforce-approvals.ts';
import { createSqliteRunStore } from './adapters/sqlite/sqlite-run-store.ts';
// Providers load only when configured (the DocuSign SDK alone is 20 MB of resident memory).
import type { LocalEsign } from './adapters/local-esign/local-esign.ts';
import { Orchestrator } from './orchestrator/orchestrator.ts';
import { createDealClosureAgent } from './agents/deal-closure/deal-closure-agent.ts';
import { createModelReader } from './language/model-reading.ts';
import { createContractAgent } from './agents/contract-generation/contract-agent.ts';
import { watchedContractLibrary } from './agents/contract-generation/clause-library.ts';
import { createApprovalAgent } from './agents/approval-orchestration/approval-agent.ts';
import { withHistorySnapshot } from './agents/approval-orchestration/history-snapshot.ts';
import { createSignatureAgent } from './agents/signature-management/signature-agent.ts';
import { createSystemIntegrationAgent } from './agents/system-integration/system-integration-agent.ts';
import {
  createHandoffAgent,
  HandoffChecklistsSchema,
  type HandoffChecklists,
} from './agents/handoff-coordination/handoff-agent.ts';
import { loadHandoffOwners } from './agents/handoff-coordination/handoff-owners.ts';
import { createLearningAgent } from './agents/learning-optimization/learning-agent.ts';
import type { RunStore } from './ports/store.ts';
import type { RunScheduler } from './orchestrator/scheduler.ts';
import type { CrmPort } from './ports/crm.ts';
import { createMetrics, watchQueue, type Metrics } from './metrics.ts';
import { createResilience } from './adapters/salesforce/resilience.ts';
import type { RequestListener } from './adapters/salesforce/request-counter.ts';
import { withEsignResilience } from './adapters/resilient-esign.ts';
import { traceCall } from './tracing.ts';
import type { Notifier } from './ports/notify.ts';
import { createConsoleNotifier } from './adapters/notify/console-notifier.ts';
import type { EsignPort } from './ports/esign.ts';
import { esignProviderOf } from './config/esign-config.ts';
import { storedHourlyBudget } from './agents/signature-management/routing.ts';
import { createWorkerPool, defaultWorkerThreads } from './adapters/workers/worker-pool.ts';
import { createSalesforceNotifier } from './adapters/notify/salesforce-notifier.ts';
import { createSlackNotifier } from './adapters/notify/slack-notifier.ts';
import { createFanOutNotifier } from './adapters/notify/fan-out-notifier.ts';
import { configuredLlm } from './adapters/llm/configured-llm.ts';

export function loadHandoffChecklists(file = join(CONFIG_DIR, 'handoff-checklists.json')): HandoffChecklists {
  const parsed = HandoffChecklistsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The key Salesforce presents; local mode generates one on first start and keeps it in the data dir. */
export function resolveApiKeys(config: Config, dataDir: string): string[] {
  if (config.apiKeys && config.apiKeys.length > 0) return config.apiKeys;
  const file = join(dataDir, 'api-key');
  if (existsSync(file)) return [readFileSync(file, 'utf8').trim()];
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return [key];
}

export interface SystemDeps {
  config: Config;
  logger: Logger;
  dataDir: string;
  /** The Salesforce connection (the local org's own URL in local mode). */
  conn: Connection;
  publicUrl: () => string;
  clock?: () => Date;
  timerPollMs?: number;
  metrics?: Metrics;
  /** Postgres mode: the shared run store and the scheduler; SQLite and in-process driving otherwise. */
  store?: RunStore;
  scheduler?: RunScheduler;
}

export interface System {
  metrics: Metrics;
  store: RunStore;
  crm: CrmPort;
  esign: EsignPort & { close(): void };
  /** The local signing service (its pages are mounted by the server), in local e-sign mode. */
  localEsign?: LocalEsign;
  /** Tells people what they must act on; the console in local mode. */
  notifier: Notifier;
  orchestrator: Orchestrator;
  /** Circuit state of the Salesforce connection, for readiness. */
  salesforceCircuit(): 'open' | 'half-open' | 'closed';
  close(): Promise<void>;
}

export async function buildSystem(deps: SystemDeps): Promise<System> {
  const { config, logger } = deps;
  const store = deps.store ?? createSqliteRunStore(join(deps.dataDir, 'dealdesk.sqlite'));
  const metrics = deps.metrics ?? createMetrics();
  const resilienceFor = (service: 'salesforce' | 'esign', what: string) =>
    createResilience(what, {
      ...config.resilience,
      onRetry: (kind, operation, attempt) => {
        metrics.dependencyRetries.inc({ service, kind, operation });
        logger.warn({ service, kind, operation, attempt }, `retrying a ${what} call`);
      },
      onCircuit: (state) => {
        metrics.circuitState.set({ service }, state === 'closed' ? 0 : state === 'half-open' ? 1 : 2);
        logger[state === 'open' ? 'error' : 'warn']({ service, circuit: state }, `${what} circuit ${state}`);
      },
    });
  const sfResilience = resilienceFor('salesforce', 'Salesforce');
  // Each Salesforce call at debug level: against the local org too, whose own requests are not in
  // the middleware's HTTP log.
  const salesforceRequest: RequestListener = (operation, outcome, ms) => {
    metrics.salesforceRequests.inc({ operation, outcome });
    logger.debug({ operation, outcome, ms: Math.round(ms) }, 'salesforce request');
  };
  const crm = createSalesforceCrm({
    conn: deps.conn,
    apiVersion: config.salesforce.apiVersion,
    onRequest: salesforceRequest,
    resilience: sfResilience,
    trace: traceCall,
  });
  const local =
    esignProviderOf(config) === 'local'
      ? {
          ...(await import('./adapters/local-esign/local-esign.ts')),
          ...(await import('./adapters/local-esign/faults.ts')),
        }
      : undefined;
  const localEsign = local
    ? local.createLocalEsign({
        dbPath: join(deps.dataDir, 'esign.sqlite'),
        publicUrl: deps.publicUrl,
        ...(deps.clock ? { clock: deps.clock } : {}),
        logger,
      })
    : undefined;
  const esignFaults = config.localEsign.faults;
  const providerEsign: EsignPort & { close(): void } = localEsign
    ? esignFaults.rate > 0
      ? local!.withEsignFaults(localEsign, {
          ...esignFaults,
          onFault: (kind, operation) => {
            metrics.faultsInjected.inc({ target: 'local-esign', kind });
            logger.debug({ kind, operation }, 'injected e-signature fault');
          },
        })
      : localEsign
    : await (async () => {
        const { createDocusignEsign, docusignCredentials } =
          await import('./adapters/docusign/docusign-esign.ts');
        return createDocusignEsign({
          ...docusignCredentials(config),
          publicUrl: deps.publicUrl,
          notification: config.signature,
          logger,
          ...(deps.clock ? { clock: deps.clock } : {}),
          onRequest: (operation, outcome) => metrics.docusignRequests.inc({ operation, outcome }),
        });
      })();
  const esign = withEsignResilience(providerEsign, resilienceFor('esign', 'The e-signature service'));
  // Counting, not loading: a scrape must not read every parked run's memo.
  watchQueue(metrics, () => store.countUnfinished());
  // The console in local mode, Chatter mentions / email in a real org, and the team's Slack
  // channel when a webhook is configured.
  const notifier = createFanOutNotifier([
    config.mode === 'local'
      ? { name: 'console', notifier: createConsoleNotifier(logger) }
      : {
          name: 'salesforce',
          notifier: createSalesforceNotifier({
            conn: deps.conn,
            apiVersion: config.salesforce.apiVersion,
            logger,
          }),
        },
    ...(config.notify.slackWebhookUrl
      ? [
          {
            name: 'slack',
            notifier: createSlackNotifier({
              webhookUrl: config.notify.slackWebhookUrl,
              logger,
              recordUrl: (id) => `${deps.conn.instanceUrl}/${id}`,
            }),
          },
        ]
      : []),
  ]);
  const workerThreads = config.workerThreads ?? defaultWorkerThreads();
  const workers = workerThreads > 0 ? createWorkerPool(workerThreads) : undefined;
  // Gemini, an OpenAI-compatible server (LLM_PROVIDER), or none: the offline reasoner alone.
  const model = await configuredLlm(config, { logger, metrics });
  const llm = model?.llm;
  // Checked at start (a broken clause library stops the process), then read again whenever its
  // files change, so an admin's edit or fix applies to the next contract or retry.
  const contractLibrary = watchedContractLibrary(join(CONFIG_DIR, 'contracts'));
  contractLibrary();
  const agents = [
    createDealClosureAgent({
      crm,
      ...(llm ? { modelReader: createModelReader(llm, logger) } : {}),
      // With a worker pool the threads read, and this thread never loads the model or its libraries.
      ...(workers ? {} : { language: (await import('./language/index.ts')).sharedLanguageReader() }),
      logger,
      activityDays: config.agents.activityDays,
      repDiscountAuthorityPercent: config.agents.repDiscountAuthorityPercent,
      ...(workers ? { offlineReasoner: workers.reasonOffline } : {}),
    }),
    createContractAgent({
      crm,
      ...(workers ? { generate: workers.generateContract } : {}),
      library: contractLibrary,
      seller: config.seller,
      defaultTermMonths: config.agents.defaultTermMonths,
      discountAuthorityPercent: config.agents.repDiscountAuthorityPercent,
      activityDays: config.agents.activityDays,
      ...(llm ? { llm } : {}),
      logger,
    }),
    createApprovalAgent({
      crm,
      approvals: withHistorySnapshot(
        createSalesforceApprovals({
          conn: deps.conn,
          apiVersion: config.salesforce.apiVersion,
          onRequest: salesforceRequest,
        }),
        {
          maxAgeMs: config.agents.approvalHistoryMaxAgeSeconds * 1000,
          ...(deps.clock ? { now: () => deps.clock!().getTime() } : {}),
        },
      ),
      notifier,
      repDiscountAuthorityPercent: config.agents.repDiscountAuthorityPercent,
    }),
    createSignatureAgent({
      esign,
      crm,
      notifier,
      policy: config.signature,
      reconcileBudget: storedHourlyBudget(
        store,
        'signature-reconcile',
        config.signature.reconcileMaxPerHour,
        deps.clock,
      ),
    }),
    createSystemIntegrationAgent({ crm, renewalLeadDays: config.agents.renewalLeadDays, store }),
    createHandoffAgent({ checklists: loadHandoffChecklists(), owners: loadHandoffOwners(), crm, store }),
    createLearningAgent({ store, crm, notifier }),
  ];
  // Model calls inside a stage count towards its closure's token use and cost.
  const stages = model ? agents.map((stage) => model.meter.meterStage(stage)) : agents;
  const orchestrator = new Orchestrator({
    store,
    crm,
    stages,
    logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
    timerPollMs: deps.timerPollMs ?? 1000,
    ...(config.maxActiveRuns ? { maxActiveRuns: config.maxActiveRuns } : {}),
    metrics,
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
  });
  esign.onEvent(async (event) => {
    const indexed = await store.runForRecord(event.envelopeId);
    if (!indexed) {
      logger.warn(
        { envelopeId: event.envelopeId, kind: event.kind },
        'e-signature event for an unknown envelope',
      );
      return;
    }
    const stored = await orchestrator.deliver(
      indexed.runId,
      `esign:${event.kind}`,
      `esign:${event.eventId}`,
      event,
    );
    metrics.webhookOutcomes.inc({ source: 'local-esign', outcome: stored ? 'delivered' : 'duplicate' });
  });
  return {
    metrics,
    store,
    crm,
    esign,
    ...(localEsign ? { localEsign } : {}),
    notifier,
    orchestrator,
    salesforceCircuit: () => sfResilience.circuit(),
    async close() {
      await orchestrator.stop();
      esign.close();
      await workers?.close();
      await store.close();
    },
  };
}

/**
 * Builds the running system from configuration and what the mode brings (the org connection and
 * its channel to people): the stores, the adapters, the seven agents and the orchestrator.
 * `server.ts` owns the process; tests and the demo call `startServer` directly.
 */
import { readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import type { Config } from './config/config.ts';
import type { Runtime } from './runtime.ts';
import { CONFIG_DIR } from './paths.ts';
import { createSalesforceCrm } from './adapters/salesforce/salesforce-crm.ts';
import { createSalesforcePlaybook } from './adapters/salesforce/salesforce-playbook.ts';
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
import type { PlaybookPort } from './ports/playbook.ts';
import { watchQueue, type Metrics } from './metrics.ts';
import { createResilience } from './adapters/salesforce/resilience.ts';
import type { RequestListener } from './adapters/salesforce/request-counter.ts';
import { withEsignResilience } from './adapters/resilient-esign.ts';
import { traceCall } from './tracing.ts';
import type { Notifier } from './ports/notify.ts';
import type { EsignEvent, EsignPort } from './ports/esign.ts';
import { esignProviderOf } from './config/esign-config.ts';
import { storedHourlyBudget } from './agents/signature-management/routing.ts';
import { createWorkerPool, defaultWorkerThreads, type WorkerPool } from './adapters/workers/worker-pool.ts';
import { createSlackNotifier } from './adapters/notify/slack-notifier.ts';
import { createFanOutNotifier } from './adapters/notify/fan-out-notifier.ts';
import { configuredLlm, type ConfiguredLlm } from './adapters/llm/configured-llm.ts';
import type { ApprovalsPort } from './ports/approvals.ts';
import type { Stage } from './orchestrator/stage.ts';

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
  /** The clock, logger and metrics every part shares. */
  runtime: Runtime;
  dataDir: string;
  /** The Salesforce connection (the local org's own URL in local mode). */
  conn: Connection;
  /** The mode's own channel to people (the console locally, Chatter in a real org); Slack joins it when configured. */
  notifier: { name: string; notifier: Notifier };
  publicUrl: () => string;
  timerPollMs?: number;
  /**
   * Postgres mode: the shared run store and the scheduler, opened and closed by the caller;
   * otherwise a SQLite store the system opens and closes, and runs driven in this process.
   */
  store?: RunStore;
  scheduler?: RunScheduler;
}

export interface System {
  metrics: Metrics;
  store: RunStore;
  crm: CrmPort;
  /** The Learning agent's playbook suggestions, as managers decide them. */
  playbook: PlaybookPort;
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
  const { config, runtime } = deps;
  const { logger, metrics } = runtime;
  const store = deps.store ?? createSqliteRunStore(join(deps.dataDir, 'dealdesk.sqlite'));
  const resilienceFor = resilienceOf(config, runtime);
  const { crm, approvals, playbook, salesforceCircuit } = salesforceAdapters(deps, resilienceFor);
  const { esign: providerEsign, localEsign } = await esignProvider(deps);
  const esign = withEsignResilience(providerEsign, resilienceFor('esign', 'The e-signature service'));
  // Counting, not loading: a scrape must not read every parked run's memo.
  watchQueue(metrics, () => store.countUnfinished());
  const notifier = notifierOf(deps);
  const workerThreads = config.workerThreads ?? defaultWorkerThreads();
  const workers = workerThreads > 0 ? createWorkerPool(workerThreads) : undefined;
  // Gemini, an OpenAI-compatible server (LLM_PROVIDER), or none: the offline reasoner alone.
  const model = await configuredLlm(config, runtime);
  const agents = await createAgents({
    config,
    runtime,
    crm,
    approvals,
    esign,
    notifier,
    store,
    workers,
    model,
  });
  // Model calls inside a stage count towards its closure's token use and cost.
  const stages = model ? agents.map((stage) => model.meter.meterStage(stage)) : agents;
  const orchestrator = new Orchestrator({
    store,
    crm,
    stages,
    logger,
    clock: runtime.clock,
    timerPollMs: deps.timerPollMs ?? 1000,
    maxActiveRuns: config.maxActiveRuns,
    metrics,
    scheduler: deps.scheduler,
  });
  esign.onEvent(deliverEsignEvents(store, orchestrator, runtime));
  return {
    metrics,
    store,
    crm,
    playbook,
    esign,
    localEsign,
    notifier,
    orchestrator,
    salesforceCircuit,
    async close() {
      await orchestrator.stop();
      esign.close();
      await workers?.close();
      // A store the caller brought (Postgres mode) is the caller's to close.
      if (!deps.store) await store.close();
    },
  };
}

/** The CRM and approval adapters over the mode's Salesforce connection. */
function salesforceAdapters(
  { config, runtime, conn }: SystemDeps,
  resilienceFor: ReturnType<typeof resilienceOf>,
): {
  crm: CrmPort;
  approvals: ApprovalsPort;
  playbook: PlaybookPort;
  salesforceCircuit: System['salesforceCircuit'];
} {
  const { logger, metrics } = runtime;
  const resilience = resilienceFor('salesforce', 'Salesforce');
  // Each Salesforce call at debug level: against the local org too, whose own requests are not in
  // the middleware's HTTP log.
  const onRequest: RequestListener = (operation, outcome, ms) => {
    metrics.salesforceRequests.inc({ operation, outcome });
    logger.debug({ operation, outcome, ms: Math.round(ms) }, 'salesforce request');
  };
  const apiVersion = config.salesforce.apiVersion;
  return {
    crm: createSalesforceCrm({ conn, apiVersion, onRequest, resilience, trace: traceCall }),
    playbook: createSalesforcePlaybook({ conn, apiVersion, onRequest, resilience, trace: traceCall }),
    approvals: withHistorySnapshot(createSalesforceApprovals({ conn, apiVersion, onRequest }), {
      maxAgeMs: config.agents.approvalHistoryMaxAgeSeconds * 1000,
      now: () => runtime.clock().getTime(),
    }),
    salesforceCircuit: () => resilience.circuit(),
  };
}

/** Retries and a circuit breaker per dependency, each retry and state change counted and logged. */
function resilienceOf(config: Config, { logger, metrics }: Runtime) {
  return (service: 'salesforce' | 'esign', what: string) =>
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
}

/** The configured e-signature provider: the local signing service (with its faults, if any) or DocuSign. */
async function esignProvider(
  deps: SystemDeps,
): Promise<{ esign: EsignPort & { close(): void }; localEsign?: LocalEsign }> {
  const { config, runtime } = deps;
  const { logger, metrics } = runtime;
  if (esignProviderOf(config) === 'docusign') {
    const { createDocusignEsign, docusignCredentials } =
      await import('./adapters/docusign/docusign-esign.ts');
    const esign = createDocusignEsign({
      ...docusignCredentials(config),
      publicUrl: deps.publicUrl,
      notification: config.signature,
      logger,
      clock: runtime.clock,
      onRequest: (operation, outcome) => metrics.docusignRequests.inc({ operation, outcome }),
    });
    return { esign };
  }
  const [{ createLocalEsign }, { withEsignFaults }] = await Promise.all([
    import('./adapters/local-esign/local-esign.ts'),
    import('./adapters/local-esign/faults.ts'),
  ]);
  const localEsign = createLocalEsign({
    dbPath: join(deps.dataDir, 'esign.sqlite'),
    publicUrl: deps.publicUrl,
    clock: runtime.clock,
    logger,
  });
  const faults = config.localEsign.faults;
  if (faults.rate === 0) return { esign: localEsign, localEsign };
  const faulty = withEsignFaults(localEsign, {
    ...faults,
    onFault: (kind, operation) => {
      metrics.faultsInjected.inc({ target: 'local-esign', kind });
      logger.debug({ kind, operation }, 'injected e-signature fault');
    },
  });
  return { esign: faulty, localEsign };
}

/** The mode's channel to people, and the team's Slack channel when a webhook is configured. */
function notifierOf(deps: SystemDeps): Notifier {
  const webhookUrl = deps.config.notify.slackWebhookUrl;
  const slack = webhookUrl
    ? createSlackNotifier({
        webhookUrl,
        logger: deps.runtime.logger,
        recordUrl: (id) => `${deps.conn.instanceUrl}/${id}`,
      })
    : undefined;
  return createFanOutNotifier([deps.notifier, ...(slack ? [{ name: 'slack', notifier: slack }] : [])]);
}

/** The seven agents, in stage order. */
async function createAgents(parts: {
  config: Config;
  runtime: Runtime;
  crm: CrmPort;
  approvals: ApprovalsPort;
  esign: EsignPort;
  notifier: Notifier;
  store: RunStore;
  workers: WorkerPool | undefined;
  model: ConfiguredLlm | undefined;
}): Promise<Stage[]> {
  const { config, runtime, crm, approvals, esign, notifier, store, workers } = parts;
  const { logger } = runtime;
  const llm = parts.model?.llm;
  // Checked at start (a broken clause library stops the process), then read again whenever its
  // files change, so an admin's edit or fix applies to the next contract or retry.
  const contractLibrary = watchedContractLibrary(join(CONFIG_DIR, 'contracts'));
  contractLibrary();
  return [
    createDealClosureAgent({
      crm,
      modelReader: llm ? createModelReader(llm, logger) : undefined,
      // With a worker pool the threads read, and this thread never loads the model or its libraries.
      offlineReasoner: workers?.reasonOffline,
      language: workers ? undefined : (await import('./language/index.ts')).sharedLanguageReader(),
      logger,
      activityDays: config.agents.activityDays,
      repDiscountAuthorityPercent: config.agents.repDiscountAuthorityPercent,
    }),
    createContractAgent({
      crm,
      generate: workers?.generateContract,
      library: contractLibrary,
      seller: config.seller,
      defaultTermMonths: config.agents.defaultTermMonths,
      discountAuthorityPercent: config.agents.repDiscountAuthorityPercent,
      activityDays: config.agents.activityDays,
      llm,
      logger,
    }),
    createApprovalAgent({
      crm,
      approvals,
      notifier,
      repDiscountAuthorityPercent: config.agents.repDiscountAuthorityPercent,
      queueThreshold: config.agents.approverQueueThreshold,
      llm,
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
        runtime.clock,
      ),
    }),
    createSystemIntegrationAgent({ crm, renewalLeadDays: config.agents.renewalLeadDays, store }),
    createHandoffAgent({ checklists: loadHandoffChecklists(), owners: loadHandoffOwners(), crm, store, llm }),
    createLearningAgent({ store, crm, notifier, llm }),
  ];
}

/** E-signature events reach the run that sent the envelope, once each. */
function deliverEsignEvents(store: RunStore, orchestrator: Orchestrator, { logger, metrics }: Runtime) {
  return async (event: EsignEvent): Promise<void> => {
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
  };
}

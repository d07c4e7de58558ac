/**
 * Builds the running system from configuration: the stores, the adapters for the configured
 * mode, the seven agents and the orchestrator. `server.ts` owns the process; tests and the demo
 * call `startServer` directly.
 */
import { readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Connection } from '@jsforce/jsforce-node';
import type { Config } from './config/config.ts';
import type { Logger } from './logger.ts';
import { CONFIG_DIR } from './paths.ts';
import { createSalesforceCrm } from './adapters/salesforce/salesforce-crm.ts';
import { createSqliteRunStore } from './adapters/sqlite/sqlite-run-store.ts';
import { createLocalEsign, type LocalEsign } from './adapters/local-esign/local-esign.ts';
import { createGeminiLlm } from './adapters/gemini/gemini-llm.ts';
import { Orchestrator } from './orchestrator/orchestrator.ts';
import { createDealClosureAgent } from './agents/deal-closure/deal-closure-agent.ts';
import { createContractAgent, type ContractLibrary } from './agents/contract-generation/contract-agent.ts';
import { createApprovalAgent } from './agents/approval-orchestration/approval-agent.ts';
import { createSignatureAgent } from './agents/signature-management/signature-agent.ts';
import { createSystemIntegrationAgent } from './agents/system-integration/system-integration-agent.ts';
import {
  createHandoffAgent,
  HandoffChecklistsSchema,
  type HandoffChecklists,
} from './agents/handoff-coordination/handoff-agent.ts';
import { createLearningAgent } from './agents/learning-optimization/learning-agent.ts';
import type { RunStore } from './ports/store.ts';
import type { CrmPort } from './ports/crm.ts';
import { createMetrics, watchQueue, type Metrics } from './metrics.ts';
import { createResilience } from './adapters/salesforce/resilience.ts';
import { withEsignResilience } from './adapters/resilient-esign.ts';
import { withEsignFaults } from './adapters/local-esign/faults.ts';
import { traceCall } from './tracing.ts';
import type { Notifier } from './ports/notify.ts';
import { createConsoleNotifier } from './adapters/notify/console-notifier.ts';

const ClauseLibrarySchema = z.object({
  version: z.string(),
  clauses: z.array(
    z.object({
      id: z.string().min(1),
      version: z.number().int().min(1),
      title: z.string().min(1),
      body: z.string().min(1),
      when: z.enum(['always', 'eu_customer', 'non_eu_customer', 'security_concern', 'custom_terms']),
    }),
  ),
});

export function loadHandoffChecklists(file = join(CONFIG_DIR, 'handoff-checklists.json')): HandoffChecklists {
  const parsed = HandoffChecklistsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function loadContractLibrary(dir = join(CONFIG_DIR, 'contracts')): ContractLibrary {
  const clausesPath = join(dir, 'clauses.json');
  const parsed = ClauseLibrarySchema.safeParse(JSON.parse(readFileSync(clausesPath, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${clausesPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return {
    version: parsed.data.version,
    template: readFileSync(join(dir, 'msa.mustache'), 'utf8'),
    templateName: 'MSA',
    clauses: parsed.data.clauses,
  };
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
}

export interface System {
  metrics: Metrics;
  store: RunStore;
  crm: CrmPort;
  esign: LocalEsign;
  /** Tells people what they must act on; the console in local mode. */
  notifier: Notifier;
  orchestrator: Orchestrator;
  /** Circuit state of the Salesforce connection, for readiness. */
  salesforceCircuit(): 'open' | 'half-open' | 'closed';
  close(): Promise<void>;
}

export function buildSystem(deps: SystemDeps): System {
  const { config, logger } = deps;
  const store = createSqliteRunStore(join(deps.dataDir, 'dealdesk.sqlite'));
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
  const crm = createSalesforceCrm({
    conn: deps.conn,
    apiVersion: config.salesforce.apiVersion,
    onRequest: (operation, outcome) => metrics.salesforceRequests.inc({ operation, outcome }),
    resilience: sfResilience,
    trace: traceCall,
  });
  const localEsign = createLocalEsign({
    dbPath: join(deps.dataDir, 'esign.sqlite'),
    publicUrl: deps.publicUrl,
    ...(deps.clock ? { clock: deps.clock } : {}),
    logger,
  });
  const esignFaults = config.localEsign.faults;
  const esign = withEsignResilience(
    esignFaults.rate > 0
      ? withEsignFaults(localEsign, {
          ...esignFaults,
          onFault: (kind, operation) => {
            metrics.faultsInjected.inc({ target: 'local-esign', kind });
            logger.debug({ kind, operation }, 'injected e-signature fault');
          },
        })
      : localEsign,
    resilienceFor('esign', 'The e-signature service'),
  );
  // Counting, not loading: a scrape must not read every parked run's memo.
  watchQueue(metrics, () => (store.countUnfinished ? store.countUnfinished() : store.unfinishedRuns()));
  const notifier = createConsoleNotifier(logger);
  const llm = config.gemini.apiKey
    ? createGeminiLlm({
        apiKey: config.gemini.apiKey,
        model: config.gemini.model,
        logger,
        ...(config.gemini.baseUrl ? { baseUrl: config.gemini.baseUrl } : {}),
        onUsage: (model, usage) => {
          metrics.llmTokens.inc({ model, kind: 'prompt' }, usage.promptTokens);
          metrics.llmTokens.inc({ model, kind: 'output' }, usage.outputTokens);
        },
      })
    : undefined;
  const stages = [
    createDealClosureAgent({
      crm,
      ...(llm ? { llm } : {}),
      logger,
      activityDays: config.agents.activityDays,
      repDiscountAuthorityPercent: config.agents.repDiscountAuthorityPercent,
    }),
    createContractAgent({
      crm,
      library: loadContractLibrary(),
      seller: config.seller,
      defaultTermMonths: config.agents.defaultTermMonths,
    }),
    createApprovalAgent({ crm }),
    createSignatureAgent({ esign, crm }),
    createSystemIntegrationAgent({ crm, renewalLeadDays: config.agents.renewalLeadDays, store }),
    createHandoffAgent({ checklists: loadHandoffChecklists() }),
    createLearningAgent({ store, crm }),
  ];
  const orchestrator = new Orchestrator({
    store,
    crm,
    stages,
    logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
    timerPollMs: deps.timerPollMs ?? 1000,
    metrics,
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
    notifier,
    orchestrator,
    salesforceCircuit: () => sfResilience.circuit(),
    async close() {
      await orchestrator.stop();
      esign.close();
      await store.close();
    },
  };
}

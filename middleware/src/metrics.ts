/**
 * Prometheus metrics (prom-client): what an operator watches — runs by status, step durations
 * per agent, Salesforce requests by operation, model tokens, HTTP requests — on `GET /metrics`.
 * One registry per running system, so tests and several servers in one process do not mix.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  runsStarted: Counter<'trigger'>;
  runsFinished: Counter<'status'>;
  stepDuration: Histogram<'agent' | 'status'>;
  salesforceRequests: Counter<'operation' | 'outcome'>;
  /** Model tokens by provider (gemini, openai), model and kind (prompt, output). */
  llmTokens: Counter<'provider' | 'model' | 'kind'>;
  /** What those tokens cost at the configured per-token prices (0 for a self-hosted model). */
  llmCost: Counter<'provider' | 'model'>;
  /** Tokens one closure used, observed when it finishes. */
  llmClosureTokens: Histogram<'provider' | 'model'>;
  /** What one closure's tokens cost, observed when it finishes. */
  llmClosureCost: Histogram<'provider' | 'model'>;
  docusignRequests: Counter<'operation' | 'outcome'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  /** Automatic retries of calls to Salesforce or the e-signature service, by failure kind. */
  dependencyRetries: Counter<'service' | 'kind' | 'operation'>;
  /** 0 closed, 1 half-open, 2 open. */
  circuitState: Gauge<'service'>;
  /** Provider callbacks (e-signature events, webhooks) by outcome. */
  webhookOutcomes: Counter<'source' | 'outcome'>;
  /** Unfinished runs by state; set by whoever owns the run store (see `watchQueue`). */
  queueDepth: Gauge<'status' | 'waiting_for'>;
  /** Requests refused by the per-caller rate limit. */
  rateLimited: Counter<'route'>;
  /** Local mode: faults injected into the local org and signing service. */
  faultsInjected: Counter<'target' | 'kind'>;
}

/** Fills the queue-depth gauge from the run store at scrape time. */
export function watchQueue(
  metrics: Metrics,
  unfinished: () => Promise<{ status: string; waitingFor: string | null; count?: number }[]>,
): void {
  const gauge = metrics.queueDepth as Gauge<'status' | 'waiting_for'> & {
    collect?: () => Promise<void>;
  };
  gauge.collect = async () => {
    const counts = new Map<string, number>();
    for (const r of await unfinished()) {
      const key = `${r.status}\u0000${r.waitingFor ?? 'none'}`;
      counts.set(key, (counts.get(key) ?? 0) + (r.count ?? 1));
    }
    gauge.reset();
    for (const status of ['queued', 'running', 'waiting']) gauge.set({ status, waiting_for: 'none' }, 0);
    for (const [key, n] of counts) {
      const [status, waitingFor] = key.split('\u0000') as [string, string];
      gauge.set({ status, waiting_for: waitingFor }, n);
    }
  };
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'dealdesk_' });
  return {
    registry,
    runsStarted: new Counter({
      name: 'dealdesk_runs_started_total',
      help: 'Closure runs started, by trigger',
      labelNames: ['trigger'],
      registers: [registry],
    }),
    runsFinished: new Counter({
      name: 'dealdesk_runs_finished_total',
      help: 'Closure runs finished, by final status',
      labelNames: ['status'],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'dealdesk_step_duration_seconds',
      help: 'Processing time of one stage attempt (human waits excluded), by agent and outcome',
      labelNames: ['agent', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    ...dependencyMetrics(registry),
    ...llmMetrics(registry),
    webhookOutcomes: new Counter({
      name: 'dealdesk_webhook_events_total',
      help: 'Provider callbacks and e-signature events, by source and outcome',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'dealdesk_runs_unfinished',
      help: 'Unfinished closure runs by status and what they wait for (the work queue)',
      labelNames: ['status', 'waiting_for'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'dealdesk_rate_limited_total',
      help: 'Requests refused by the per-caller rate limit',
      labelNames: ['route'],
      registers: [registry],
    }),
    faultsInjected: new Counter({
      name: 'dealdesk_local_faults_injected_total',
      help: 'Local mode: faults injected into the local org and the local signing service, by kind',
      labelNames: ['target', 'kind'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'dealdesk_http_requests_total',
      help: 'HTTP requests served, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
  };
}

/** The model's token use and cost, by provider and model, and per closure. */
function llmMetrics(
  registry: Registry,
): Pick<Metrics, 'llmTokens' | 'llmCost' | 'llmClosureTokens' | 'llmClosureCost'> {
  return {
    llmTokens: new Counter({
      name: 'dealdesk_llm_tokens_total',
      help: 'Model tokens used, by provider (gemini, openai), model and kind (prompt, output)',
      labelNames: ['provider', 'model', 'kind'],
      registers: [registry],
    }),
    llmCost: new Counter({
      name: 'dealdesk_llm_cost_usd_total',
      help: 'Cost of the model tokens used at LLM_PRICE_INPUT_PER_MTOK / LLM_PRICE_OUTPUT_PER_MTOK, by provider and model',
      labelNames: ['provider', 'model'],
      registers: [registry],
    }),
    llmClosureTokens: new Histogram({
      name: 'dealdesk_llm_closure_tokens',
      help: 'Model tokens (prompt and output) one closure used, observed when it finishes in the process that started it',
      labelNames: ['provider', 'model'],
      buckets: [0, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000],
      registers: [registry],
    }),
    llmClosureCost: new Histogram({
      name: 'dealdesk_llm_closure_cost_usd',
      help: 'Cost of the model tokens one closure used, observed when it finishes in the process that started it',
      labelNames: ['provider', 'model'],
      buckets: [0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}

/** Calls to the services the closures depend on: Salesforce and the e-signature provider. */
function dependencyMetrics(
  registry: Registry,
): Pick<Metrics, 'salesforceRequests' | 'docusignRequests' | 'dependencyRetries' | 'circuitState'> {
  return {
    salesforceRequests: new Counter({
      name: 'dealdesk_salesforce_requests_total',
      help: 'Salesforce API requests by operation and outcome',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    docusignRequests: new Counter({
      name: 'dealdesk_docusign_requests_total',
      help: 'DocuSign API requests by operation and outcome (the account has an hourly limit)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    dependencyRetries: new Counter({
      name: 'dealdesk_dependency_retries_total',
      help: 'Automatic retries of calls to Salesforce or the e-signature service, by failure kind and operation',
      labelNames: ['service', 'kind', 'operation'],
      registers: [registry],
    }),
    circuitState: new Gauge({
      name: 'dealdesk_circuit_state',
      help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open',
      labelNames: ['service'],
      registers: [registry],
    }),
  };
}

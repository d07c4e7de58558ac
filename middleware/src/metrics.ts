/**
 * Prometheus metrics (prom-client): what an operator watches — runs by status, step durations
 * per agent, Salesforce requests by operation, model tokens, HTTP requests — on `GET /metrics`.
 * One registry per running system, so tests and several servers in one process do not mix.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  runsStarted: Counter<'trigger'>;
  runsFinished: Counter<'status'>;
  stepDuration: Histogram<'agent' | 'status'>;
  salesforceRequests: Counter<'operation' | 'outcome'>;
  llmTokens: Counter<'model' | 'kind'>;
  docusignRequests: Counter<'operation' | 'outcome'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
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
    salesforceRequests: new Counter({
      name: 'dealdesk_salesforce_requests_total',
      help: 'Salesforce API requests by operation and outcome',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    llmTokens: new Counter({
      name: 'dealdesk_llm_tokens_total',
      help: 'Model tokens used, by model and kind (prompt, output)',
      labelNames: ['model', 'kind'],
      registers: [registry],
    }),
    docusignRequests: new Counter({
      name: 'dealdesk_docusign_requests_total',
      help: 'DocuSign API requests by operation and outcome (the account has an hourly limit)',
      labelNames: ['operation', 'outcome'],
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

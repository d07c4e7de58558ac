/**
 * OpenTelemetry: a closure's spans form the tree run → step → Salesforce call, recorded with an
 * in-memory exporter; and /readyz and /metrics say what an operator needs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import {
  loadConfig,
  createLogger,
  startServer,
  type RunningServer,
  setupTracing,
  TracingConfigError,
} from '@dealdesk/middleware';
import { closureView, startDemoClosure, targetOf } from '@dealdesk/middleware/demo';

describe('traces, readiness and metrics', function () {
  this.timeout(60_000);
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let dir: string;
  let server: RunningServer;

  before(async () => {
    provider.register();
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-tracing-'));
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('records run → step → Salesforce call for a closure', async () => {
    const started = await startDemoClosure(targetOf(server), () => undefined);
    for (let i = 0; i < 400; i++) {
      if ((await closureView(targetOf(server), started.closureId)).status === 'Waiting_Approval') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await server.system.orchestrator.idle();
    const spans = exporter
      .getFinishedSpans()
      .filter(
        (s) => s.attributes['dealdesk.run_id'] === started.closureId || s.name.startsWith('salesforce'),
      );
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parent = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '');
    const runs = spans.filter((s) => s.name === 'dealdesk.run');
    assert.ok(runs.length >= 1, 'a run span');
    const steps = spans.filter((s) => s.name === 'dealdesk.step');
    assert.deepEqual(
      steps.map((s) => s.attributes['dealdesk.stage']),
      ['deal_closure', 'contract_generation', 'approval_orchestration'],
    );
    for (const step of steps) assert.equal(parent(step)?.name, 'dealdesk.run', 'steps sit under the run');
    const calls = spans.filter(
      (s) => s.name.startsWith('salesforce ') && parent(s)?.name === 'dealdesk.step',
    );
    const callsOf = (stage: string) =>
      calls.filter((c) => parent(c)!.attributes['dealdesk.stage'] === stage).map((c) => c.name);
    assert.ok(callsOf('deal_closure').includes('salesforce composite read'), 'the deal is read in its step');
    assert.ok(callsOf('deal_closure').includes('salesforce composite write'), 'and written back');
    assert.ok(callsOf('approval_orchestration').includes('salesforce process/approvals'));
    for (const span of [...steps, ...calls])
      assert.equal(span.spanContext().traceId, parent(span)!.spanContext().traceId, 'one trace per pass');
  });

  it('refuses an unknown OTEL_TRACES_EXPORTER and registers nothing when tracing is off', async () => {
    await assert.rejects(setupTracing({ OTEL_TRACES_EXPORTER: 'zipkinish' }), TracingConfigError);
    assert.equal(await setupTracing({}), undefined);
  });

  it('reports readiness of the store, the org and the Salesforce circuit', async () => {
    const res = await fetch(`${server.url}/readyz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { checks: { name: string; ok: boolean }[] };
    assert.deepEqual(body.checks.map((c) => [c.name, c.ok]).sort(), [
      ['local-org', true],
      ['run-store', true],
      ['salesforce', true],
      ['salesforce-circuit', true],
    ]);
  });

  it('exposes runs, steps, Salesforce calls by operation, retries, queue depth and webhooks', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /dealdesk_runs_started_total\{trigger="Rep"\} 1/);
    assert.match(text, /dealdesk_step_duration_seconds_count\{agent="Deal_Closure",status="Succeeded"\} 1/);
    assert.match(text, /dealdesk_salesforce_requests_total\{operation="composite",outcome="ok"\} \d+/);
    assert.match(text, /dealdesk_runs_unfinished\{status="waiting",waiting_for="approval"\} 1/);
    assert.match(text, /# TYPE dealdesk_dependency_retries_total counter/);
    assert.match(text, /# TYPE dealdesk_webhook_events_total counter/);
    assert.match(text, /# TYPE dealdesk_circuit_state gauge/);
  });
});

/**
 * OpenTelemetry traces: a span per pass of a run (`dealdesk.run`, from resumption to the next
 * park), a child span per stage attempt (`dealdesk.step`), and under it a client span per
 * Salesforce or e-signature call including its retries. The code only uses `@opentelemetry/api`,
 * which is a no-op until `setupTracing` registers a provider; the exporter follows the standard
 * variables: OTEL_TRACES_EXPORTER (otlp | console | none, default none),
 * OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_SERVICE_NAME.
 *
 * The SDK and the exporters load only when tracing is on: they are ~4 MB of heap (and the code
 * behind it) that a middleware with tracing off would carry for nothing.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';

const TRACER = 'dealdesk-middleware';

/** Runs `fn` inside an active span; errors mark the span and propagate. */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return trace.getTracer(TRACER).startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** A call to Salesforce, with its retries, as a client span. */
export function traceCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  return withSpan(`salesforce ${operation}`, { 'dealdesk.operation': operation }, call, SpanKind.CLIENT);
}

export class TracingConfigError extends Error {}

/** Registers a tracer provider when OTEL_TRACES_EXPORTER asks for one; resolves to its shutdown. */
export async function setupTracing(
  env: NodeJS.ProcessEnv = process.env,
): Promise<(() => Promise<void>) | undefined> {
  const choice = (env.OTEL_TRACES_EXPORTER ?? 'none').trim().toLowerCase();
  if (choice === 'none' || choice === '') return undefined;
  if (choice !== 'otlp' && choice !== 'console')
    throw new TracingConfigError(
      `OTEL_TRACES_EXPORTER: expected otlp, console or none (got ${JSON.stringify(choice)})`,
    );
  const [{ BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider }, { resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/resources')]);
  const exporter: SpanExporter =
    choice === 'otlp'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
      : new ConsoleSpanExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? TRACER }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return () => provider.shutdown();
}

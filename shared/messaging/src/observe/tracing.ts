import { context, type Span, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { setting } from '../settings-schema.js';
import type { Logger } from './logger.js';
import { childTraceparent, parseTraceparent } from './trace-context.js';

/** Read by the OTLP exporter itself (with the other standard OTEL_* variables); checked and documented here. */
export const otlpEndpointSetting = setting.url('OTEL_EXPORTER_OTLP_ENDPOINT', {
  defaultDoc: '(off)',
  description: 'export a span per step over OTLP/HTTP (e.g. `http://127.0.0.1:4318`)',
});

/** Whether initTracing registered a provider: without one a span would be a no-op, and none is made. */
let exporting = false;

/**
 * Starts OpenTelemetry tracing with OTLP/HTTP export when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (the exporter reads the standard OTEL_* variables); otherwise the API stays a no-op.
 * Returns a function that flushes and stops it.
 */
export async function initTracing(service: string, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return async () => {};
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? `jetsaga-${service}` }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  exporting = true;
  log.info({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing: exporting spans over OTLP');
  return async () => {
    exporting = false;
    await provider.shutdown();
  };
}

export interface StepSpan {
  /** The traceparent to put on what this step emits: this span when recording, else a child id. */
  traceparent: string;
  end(error?: unknown): void;
}

const endNothing = (): void => {};

/**
 * A span for one step (a message handled, a timer fired), child of the incoming
 * traceparent, so a saga shows as one trace across services. Without export, only the
 * traceparent for what the step emits: no context, span or attributes made per message.
 */
export function startStepSpan(name: string, parent: string | null | undefined, attributes: () => Record<string, string | number>): StepSpan {
  const parsed = parseTraceparent(parent);
  if (!exporting) return { traceparent: childTraceparent(parsed), end: endNothing };
  const parentContext = parsed
    ? trace.setSpanContext(context.active(), { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parseInt(parsed.flags, 16) as TraceFlags, isRemote: true })
    : context.active();
  const span: Span = trace.getTracer('jetsaga').startSpan(name, { kind: SpanKind.CONSUMER, attributes: attributes() }, parentContext);
  const sc = span.spanContext();
  const traceparent = span.isRecording() ? `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}` : childTraceparent(parsed);
  return {
    traceparent,
    end(error?: unknown) {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
      span.end();
    },
  };
}

import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as HttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export type ExporterKind = 'protobuf' | 'json';

/**
 * Spans made by the real OpenTelemetry SDK (kept in memory once they end), to be sent by the real
 * OTLP exporters in whatever batches and order a test chooses.
 */
export function recordSpans(resource: Record<string, string>) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('evalstore-test', '1.0.0');
  return {
    /** Starts a span, a child of `parent` when given. */
    start(name: string, attributes: Record<string, string | number | boolean | string[]>, parent?: Span): Span {
      const parentContext = parent ? trace.setSpan(context.active(), parent) : context.active();
      return tracer.startSpan(name, { attributes }, parentContext);
    },
    finished(): ReadableSpan[] {
      return memory.getFinishedSpans();
    },
  };
}

export { SpanStatusCode };

/** Sends spans with the real exporter of `kind` to the receiver at `url` (`.../v1/traces`); resolves with the export's result. */
export async function exportSpans(kind: ExporterKind, url: string, key: string, spans: ReadableSpan[], options: { gzip?: boolean } = {}) {
  const config = { url, headers: { authorization: `Bearer ${key}` }, ...(options.gzip ? { compression: 'gzip' as never } : {}) };
  const exporter = kind === 'protobuf' ? new ProtoExporter(config) : new HttpExporter(config);
  try {
    const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(spans, resolve));
    return result;
  } finally {
    await exporter.shutdown();
  }
}

export { ExportResultCode };

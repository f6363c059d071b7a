import protobuf from 'protobufjs';
import { OTLP_DESCRIPTOR } from './proto/descriptor.js';

/**
 * The OTLP messages, from the official protos (opentelemetry-proto v1.7.0, kept in ./proto and
 * compiled to ./proto/descriptor.ts by `npm run proto:otlp`), read and written by protobufjs.
 */
const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);

export const TRACE_REQUEST = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const TRACE_RESPONSE = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
export const LOGS_REQUEST = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
export const LOGS_RESPONSE = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');
export const STATUS = root.lookupType('google.rpc.Status');

/** How decoded messages are read: 64-bit numbers as decimal strings, bytes as Buffers, every list present. */
export const READ_OPTIONS: protobuf.IConversionOptions = { longs: String, bytes: Buffer, arrays: true, defaults: false, enums: Number };

/** Where OTLP/JSON spells ids in hex (the specification's one departure from protobuf's JSON mapping): the fields of each item holding ids. */
export const JSON_ID_FIELDS: Record<'traces' | 'logs', { path: string[]; fields: string[] }[]> = {
  traces: [
    { path: ['resourceSpans', 'scopeSpans', 'spans'], fields: ['traceId', 'spanId', 'parentSpanId'] },
    { path: ['resourceSpans', 'scopeSpans', 'spans', 'links'], fields: ['traceId', 'spanId'] },
  ],
  logs: [{ path: ['resourceLogs', 'scopeLogs', 'logRecords'], fields: ['traceId', 'spanId'] }],
};

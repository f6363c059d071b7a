/**
 * The shapes of what the receiver reads: OTLP's export requests as protobufjs decodes them (with
 * READ_OPTIONS, proto.ts), whether they came as protobuf or as OTLP/JSON. OTLP bodies are not
 * validated by JSON schemas: the official protos are their schema.
 */

/** The OTLP values the receiver reads, as protobufjs's toObject gives them (see READ_OPTIONS). */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: Buffer;
}

export interface KeyValue {
  key: string;
  value?: AnyValue;
}

export interface Resource {
  attributes: KeyValue[];
}

export interface Scope {
  name?: string;
  version?: string;
}

export interface SpanEvent {
  timeUnixNano?: string;
  name?: string;
  attributes: KeyValue[];
}

export interface SpanLink {
  traceId?: Buffer;
  spanId?: Buffer;
  attributes: KeyValue[];
}

export interface Span {
  traceId?: Buffer;
  spanId?: Buffer;
  parentSpanId?: Buffer;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes: KeyValue[];
  events: SpanEvent[];
  links: SpanLink[];
  status?: { message?: string; code?: number };
}

export interface TraceRequest {
  resourceSpans: { resource?: Resource; scopeSpans: { scope?: Scope; spans: Span[] }[] }[];
}

export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  eventName?: string;
  body?: AnyValue;
  attributes: KeyValue[];
  traceId?: Buffer;
  spanId?: Buffer;
}

export interface LogsRequest {
  resourceLogs: { resource?: Resource; scopeLogs: { scope?: Scope; logRecords: LogRecord[] }[] }[];
}

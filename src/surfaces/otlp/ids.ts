import { createHash } from 'node:crypto';

/**
 * OTLP's ids as evalstore's. A span (a trace id and a span id, in hex) names its run by a UUID derived
 * from both (version 8, the name-based kind RFC 9562 leaves to applications), so that a span sent
 * again, or a child naming its parent before the parent arrives, lands on the same run. Trace ids stay
 * as OTLP spells them: 32 hex digits.
 */
export function spanRunId(traceId: string, spanId: string): string {
  return derivedUuid(`span:${traceId}:${spanId}`);
}

/** The id of the n-th score a span (or a log record about it) carries: sending it again records it once. */
export function spanScoreId(traceId: string, spanId: string, origin: string, index: number, name: string): string {
  return derivedUuid(`score:${traceId}:${spanId}:${origin}:${index}:${name}`);
}

/** An OTLP id's hex, or undefined when it is absent, of the wrong length, or all zeros (invalid, says the specification). */
export function hexId(bytes: Buffer | undefined, length: 8 | 16): string | undefined {
  if (!bytes || bytes.length !== length || bytes.every((byte) => byte === 0)) return undefined;
  return bytes.toString('hex');
}

function derivedUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

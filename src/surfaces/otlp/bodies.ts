import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../domain/errors.js';
import { JSON_ID_FIELDS, LOGS_REQUEST, READ_OPTIONS, TRACE_REQUEST } from './proto.js';
import type { LogsRequest, TraceRequest } from './schemas.js';

/** The two OTLP/HTTP encodings; a response is written in the request's. */
export type WireFormat = 'protobuf' | 'json';

export const PROTOBUF = 'application/x-protobuf';
export const JSON_TYPE = 'application/json';

const DECOMPRESS = { gzip: promisify(gunzip), deflate: promisify(inflate) } as const;

/** The encoding of a request (also what its answer, error or not, is written in): protobuf unless it says JSON. */
export function formatOf(request: FastifyRequest): WireFormat {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type === JSON_TYPE ? 'json' : 'protobuf';
}

/** An export request's body as sent: decompressed (gzip or deflate, at most `maxBytes` once inflated). */
export async function inflateBody(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  const body = request.body;
  if (!Buffer.isBuffer(body)) throw new UnsupportedMediaTypeError(`The body must be ${PROTOBUF} or ${JSON_TYPE}`);
  const encoding = String(request.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new UnsupportedMediaTypeError(`Content-Encoding ${JSON.stringify(encoding)} is not supported (gzip, deflate or none)`);
  }
  try {
    return await DECOMPRESS[encoding](body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(`The body is larger than ${maxBytes} bytes once decompressed`);
    }
    throw malformed(`is not valid ${encoding} data (${(error as Error).message})`);
  }
}

export function decodeTraces(body: Buffer, format: WireFormat): TraceRequest {
  return decode(TRACE_REQUEST, 'traces', body, format) as unknown as TraceRequest;
}

export function decodeLogs(body: Buffer, format: WireFormat): LogsRequest {
  return decode(LOGS_REQUEST, 'logs', body, format) as unknown as LogsRequest;
}

function decode(type: typeof TRACE_REQUEST, kind: 'traces' | 'logs', body: Buffer, format: WireFormat): Record<string, unknown> {
  let message: ReturnType<typeof type.decode>;
  if (format === 'protobuf') {
    try {
      message = type.decode(body);
    } catch (error) {
      throw malformed(`is not a valid ${type.name} message (${(error as Error).message})`);
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw malformed(`is not valid JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed(`must be a JSON object (an ${type.name})`);
    for (const place of JSON_ID_FIELDS[kind]) hexIdsToBase64(parsed as Record<string, unknown>, place.path, place.fields);
    try {
      message = type.fromObject(parsed);
    } catch (error) {
      // protobufjs names the field by its type's full name: the package is left out.
      throw malformed(`is not a valid ${type.name} (${(error as Error).message.replace(/\.?(?:[a-z]\w*\.)+(?=[A-Z])/g, '')})`);
    }
  }
  return type.toObject(message, READ_OPTIONS);
}

/**
 * OTLP/JSON spells trace and span ids in hex, where protobuf's JSON mapping (what protobufjs reads) has
 * base64: the ids are respelled in place. An id that is not hex becomes empty, so that its span is
 * rejected (as a partial success) rather than the whole request.
 */
function hexIdsToBase64(node: Record<string, unknown>, path: readonly string[], fields: readonly string[]): void {
  if (path.length === 0) {
    for (const field of fields) {
      const value = node[field];
      if (typeof value === 'string') node[field] = /^(?:[0-9a-f]{2})*$/i.test(value) ? Buffer.from(value, 'hex').toString('base64') : '';
    }
    return;
  }
  const [head, ...rest] = path as [string, ...string[]];
  const children = node[head];
  if (!Array.isArray(children)) return;
  for (const child of children) {
    if (typeof child === 'object' && child !== null) hexIdsToBase64(child as Record<string, unknown>, rest, fields);
  }
}

function malformed(detail: string): ValidationError {
  return new ValidationError(`The body ${detail}`, [{ pointer: '', detail, in: 'body' }]);
}

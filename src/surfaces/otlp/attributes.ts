import type { Json, JsonObject } from '../../domain/json.js';
import type { AnyValue, KeyValue } from './schemas.js';

/** An OTLP value as JSON: integers as numbers when exact (as decimal strings otherwise), bytes as base64. */
export function anyValueToJson(value: AnyValue | undefined): Json {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const number = Number(value.intValue);
    return Number.isSafeInteger(number) ? number : value.intValue;
  }
  if (value.doubleValue !== undefined) return Number.isFinite(value.doubleValue) ? value.doubleValue : String(value.doubleValue);
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValueToJson);
  if (value.kvlistValue !== undefined) return attributesToJson(value.kvlistValue.values ?? []);
  if (value.bytesValue !== undefined) return Buffer.from(value.bytesValue).toString('base64');
  return null;
}

/** Attributes as one JSON object, key by key (a key given twice keeps its last value). */
export function attributesToJson(attributes: readonly KeyValue[]): JsonObject {
  const object: JsonObject = {};
  for (const { key, value } of attributes) object[key] = anyValueToJson(value);
  return object;
}

/**
 * The list OpenInference flattens under `prefix` (`llm.input_messages.0.message.role`, ...): one object
 * per index, its keys the rest of each name below `inner` (`message.`), nested at the dots. The keys
 * read are added to `used`.
 */
export function flattenedList(attributes: JsonObject, prefix: string, inner: string, used: Set<string>): JsonObject[] {
  const items: JsonObject[] = [];
  const start = `${prefix}.`;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(start)) continue;
    const rest = key.slice(start.length);
    const dot = rest.indexOf('.');
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 0 || index > 10_000) continue;
    used.add(key);
    let path = dot < 0 ? '' : rest.slice(dot + 1);
    if (inner && path.startsWith(`${inner}.`)) path = path.slice(inner.length + 1);
    items[index] ??= {};
    setPath(items[index], path ? path.split('.') : ['value'], value);
  }
  return items.filter((item) => item !== undefined);
}

/** Sets a nested key; a segment that is a number under a list's prefix makes a list (`contents.0.message_content.text`). */
function setPath(target: JsonObject, path: readonly string[], value: Json): void {
  let node: JsonObject | Json[] = target;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    const key: string | number = Array.isArray(node) ? Number(segment) : segment;
    if (last) {
      (node as Record<string | number, Json>)[key] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(path[i + 1]!);
    const existing = (node as Record<string | number, Json>)[key];
    if (typeof existing === 'object' && existing !== null) {
      node = existing as JsonObject | Json[];
      continue;
    }
    const made: JsonObject | Json[] = nextIsIndex ? [] : {};
    (node as Record<string | number, Json>)[key] = made;
    node = made;
  }
}

/** A string attribute that holds JSON, parsed; other values as they are. */
export function parsedJson(value: Json | undefined): Json | undefined {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

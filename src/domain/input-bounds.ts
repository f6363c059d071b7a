import { ValidationError, type FieldIssue } from './errors.js';
import { LIMITS, MEASURE_BOUNDS, type Measure } from './limits.js';
import { formatCost } from './money.js';
import { escapePointer } from './validation.js';

/**
 * What every value must be before it is stored or compared in SQL, whichever surface it came in
 * through: text without NUL characters (PostgreSQL cannot hold U+0000 in text or jsonb, so both
 * databases refuse it alike) and without unpaired surrogates (which would be rewritten to U+FFFD on
 * the way in, so that two different values read back the same), finite numbers (1e400 parses as
 * Infinity, which no column holds), and JSON nested at most `LIMITS.jsonDepth` deep (deeper values
 * overflow the stack of everything recursive after: canonical JSON, hashing, the databases' parsers).
 * The walk is iterative, so checking a hostile value cannot overflow the stack itself.
 */

/** The fault in a string, or undefined when every database stores it as it is. */
export function textFault(text: string): string | undefined {
  for (let at = 0; at < text.length; at += 1) {
    const c = text.charCodeAt(at);
    if (c === 0) return 'must not contain NUL characters (\\u0000)';
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = c <= 0xdbff ? text.charCodeAt(at + 1) : Number.NaN;
      if (!(next >= 0xdc00 && next <= 0xdfff)) return 'must not contain unpaired surrogates (not valid Unicode)';
      at += 1;
    }
  }
  return undefined;
}

/** A fault found in a value: where it sits, relative to the value, and what is wrong. */
export interface ValueFault {
  pointer: string;
  detail: string;
}

/** The first thing in `value` no database can store as given, or undefined. Objects other than plain ones and arrays are not entered. */
export function findUnstorable(value: unknown, maxDepth: number = LIMITS.jsonDepth): ValueFault | undefined {
  const stack: { value: unknown; pointer: string; depth: number }[] = [{ value, pointer: '', depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, pointer, depth } = item;
    if (typeof current === 'string') {
      const fault = textFault(current);
      if (fault) return { pointer, detail: fault };
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { pointer, detail: 'must be a finite number' };
    } else if (Array.isArray(current) || isPlain(current)) {
      if (depth >= maxDepth) return { pointer, detail: `is nested deeper than ${maxDepth} levels` };
      if (Array.isArray(current)) {
        for (let index = current.length - 1; index >= 0; index -= 1) {
          stack.push({ value: current[index], pointer: `${pointer}/${index}`, depth: depth + 1 });
        }
      } else {
        const entries = Object.entries(current as Record<string, unknown>);
        for (let index = entries.length - 1; index >= 0; index -= 1) {
          const [key, child] = entries[index]!;
          const fault = textFault(key);
          if (fault) return { pointer, detail: `has a key that ${fault}` };
          stack.push({ value: child, pointer: `${pointer}/${escapePointer(key)}`, depth: depth + 1 });
        }
      }
    }
  }
  return undefined;
}

/** Throws a 400 naming the field (under `pointer`) when `value` holds something no database can store. */
export function checkStorable(value: unknown, pointer: string, extra: Partial<FieldIssue> = {}): void {
  const fault = findUnstorable(value);
  if (fault) throw ValidationError.field(`${pointer}${fault.pointer}`, fault.detail, extra);
}

function isPlain(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  // Query strings are parsed into objects whose prototype is itself an empty object without a prototype.
  return prototype === Object.prototype || prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** The fault in a run's measure or a score (see MEASURE_BOUNDS), or undefined when it fits. */
export function measureFault(measure: Measure, value: number): string | undefined {
  const { min, max, integer, unit } = MEASURE_BOUNDS[measure];
  if (!Number.isFinite(value)) return 'must be a finite number';
  if (integer && unit !== 'nano-dollars' && !Number.isInteger(value)) return 'must be an integer';
  if (value >= min && value <= max) return undefined;
  if (unit === 'nano-dollars') return `must be between ${formatCost(min)} and ${formatCost(max)} US dollars`;
  return `must be between ${min} and ${max}${unit ? ` ${unit}` : ''}`;
}

/** Throws a 400 naming `${pointer}/<measure>` for the first measure of `values` out of its bounds; null and absent pass. */
export function checkMeasures(values: Partial<Record<Measure, number | null>>, pointer: string): void {
  for (const measure of Object.keys(MEASURE_BOUNDS) as Measure[]) {
    const value = values[measure];
    if (value === undefined || value === null) continue;
    const fault = measureFault(measure, value);
    if (fault) throw ValidationError.field(`${pointer}/${measure}`, fault);
  }
}

/**
 * Names and descriptions within `LIMITS.nameLength` and `LIMITS.descriptionLength`, whichever surface
 * sent them: checked by the services on what a create or an update gives (stored values are not
 * rechecked, so an older, longer value does not block changing another field).
 */
export function checkTextLengths(fields: { name?: string | null; description?: string | null }, pointer = ''): void {
  const bounds = [
    ['name', fields.name, LIMITS.nameLength],
    ['description', fields.description, LIMITS.descriptionLength],
  ] as const;
  for (const [field, value, max] of bounds) {
    if (typeof value === 'string' && value.length > max) {
      throw ValidationError.field(`${pointer}/${field}`, `must be at most ${max} characters (got ${value.length})`);
    }
  }
}

import { ValidationError } from '../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import type { RecordContent } from '../../domain/records.js';
import { JsonObjectSchema, JsonValue, Tags } from '../../domain/record-schema.js';
import { compileChecker } from '../../domain/validation.js';
import type { NewRecord, RecordPatch } from '../../services/records.js';

/**
 * Arize AX dataset examples and evalstore records (docs/surfaces/arize.md has the table).
 *
 * An AX example is a flat row of user-defined columns; `id`, `created_at`, `updated_at` (and the
 * read-only `annotations`) are the server's. AX has no input/output split, so the whole row is the
 * record's `input` (a JSON object) and the record's other fields stay empty: the row reads back
 * exactly as written, and nothing is guessed from column names.
 *
 * A record written another way (through the native API, another surface) is shown as the same row
 * when it has that shape. Otherwise it is shown with one column per non-empty record field (`input`,
 * `expected_output`, `metadata`, `tags`, `splits`, `external_id`, `source`), and an update through AX
 * sets those fields: a row never silently turns a native record into a flat one.
 */

/** Columns the server owns: examples written through AX may not carry them. */
const SERVER_COLUMNS = ['id', 'created_at', 'updated_at', 'annotations'] as const;

/** Record fields a non-flat record shows as columns, and which an update through AX may set. */
const RECORD_COLUMNS = ['input', 'expected_output', 'metadata', 'tags', 'splits'] as const;
const SHOWN_ONLY = ['external_id', 'source'] as const;

/** The record's row when it is an AX row (an object input without server columns, every other field empty). */
function flatRowOf(record: RecordContent): JsonObject | undefined {
  const flat =
    isJsonObject(record.input) &&
    SERVER_COLUMNS.every((column) => !(column in (record.input as JsonObject))) &&
    record.expected_output === null &&
    Object.keys(record.metadata).length === 0 &&
    record.tags.length === 0 &&
    record.splits.length === 0 &&
    record.external_id === null &&
    record.source === null;
  return flat ? (record.input as JsonObject) : undefined;
}

/** The columns a record shows as, the server's apart. */
export function exampleColumns(record: RecordContent): JsonObject {
  const row = flatRowOf(record);
  if (row) return row;
  const columns: JsonObject = { input: record.input, expected_output: record.expected_output };
  if (Object.keys(record.metadata).length) columns.metadata = record.metadata;
  if (record.tags.length) columns.tags = record.tags;
  if (record.splits.length) columns.splits = record.splits;
  if (record.external_id !== null) columns.external_id = record.external_id;
  if (record.source !== null) columns.source = record.source;
  return columns;
}

/** Refuses server-owned columns (all but those in `allowed`), naming the first one found: a fault of the request as sent (400). */
function refuseServerColumns(row: JsonObject, pointer: string, allowed: readonly string[] = []): void {
  const column = SERVER_COLUMNS.find((name) => name in row && !allowed.includes(name));
  if (column) {
    throw ValidationError.field(`${pointer}/${column}`, `is set by the server and may not be sent (${SERVER_COLUMNS.join(', ')} are the server's)`, {
      in: 'body',
    });
  }
}

/** A new example as a record: the row is the record's input. */
export function toNewRecord(row: JsonObject, pointer: string): NewRecord {
  refuseServerColumns(row, pointer);
  return { input: row };
}

/**
 * An update of an example (its `id` and the columns to set) as a record patch. Columns are merged into
 * the row as it is when the update commits (AX: columns may be added, none removed); the merge runs
 * inside the service's transaction, so a concurrent change is never lost. A column the example as it
 * is cannot take is found there, by the service: a well-formed request naming what cannot be (422).
 */
export function toRecordPatch(row: JsonObject & { id: string }, pointer: string): RecordPatch {
  refuseServerColumns(row, pointer, ['id']);
  const { id, ...columns } = row;
  return {
    id,
    revise: (current) => {
      const currentRow = flatRowOf(current);
      if (currentRow) return { input: { ...currentRow, ...columns } };
      const fields: Partial<RecordContent> = {};
      for (const [column, value] of Object.entries(columns)) {
        if (!(RECORD_COLUMNS as readonly string[]).includes(column)) {
          const shownOnly = (SHOWN_ONLY as readonly string[]).includes(column);
          throw ValidationError.field(
            `${pointer}/${column}`,
            shownOnly
              ? 'cannot be changed through the Arize API'
              : `is not a column of this example: it was not written through the Arize API, and its columns are ${RECORD_COLUMNS.join(', ')}`,
          );
        }
        checkRecordColumn(column as (typeof RECORD_COLUMNS)[number], value, `${pointer}/${column}`);
        (fields as Record<string, Json>)[column] = value;
      }
      return fields;
    },
  };
}

/** Record fields are checked by the same schemas the native API uses. */
const RECORD_FIELD_CHECKS = {
  input: compileChecker(JsonValue),
  expected_output: compileChecker(JsonValue),
  metadata: compileChecker(JsonObjectSchema),
  tags: compileChecker(Tags),
  splits: compileChecker(Tags),
};

function checkRecordColumn(column: (typeof RECORD_COLUMNS)[number], value: Json, pointer: string): void {
  const fault = RECORD_FIELD_CHECKS[column](value)[0];
  if (fault) throw ValidationError.field(`${pointer}${fault.pointer}`, fault.detail);
}

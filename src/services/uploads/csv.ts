import { Parser } from 'csv-parse';
import { PayloadTooLargeError, ValidationError, type FieldIssue } from '../../domain/errors.js';
import { jsonOrText, type Json, type JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';
import type { NewRecord } from '../records.js';
import type { SourceRow } from './types.js';
import { Utf8Checker } from './utf8.js';

/** The fields of a record a CSV column can fill. */
export const CSV_FIELDS = ['input', 'expected_output', 'metadata', 'tags', 'splits', 'external_id'] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

/** Which column fills a field; a `required` column must be in the header, others are used when present. */
export interface CsvColumn {
  column: string;
  required?: boolean;
}

/**
 * Several columns filling one field as an object, each column's cell text under the column's name
 * (LangSmith's `input_keys`/`output_keys`). Every column named must be in the header.
 */
export interface CsvColumns {
  columns: readonly string[];
}

/**
 * Every column no other field uses (nor `ignoreColumns` names) filling the input as an object, each
 * column's cell text under its name (Humanloop's CSV datapoints, whose columns are their inputs).
 */
export interface CsvRest {
  rest: true;
}

/** The fields a set of columns can fill as an object. */
type ObjectField = 'input' | 'expected_output';

/** The column mapping of a CSV upload. `input` is always required. */
export type CsvMapping = { input: CsvColumn | CsvColumns | CsvRest; expected_output?: CsvColumn | CsvColumns } & Partial<
  Record<Exclude<CsvField, ObjectField>, CsvColumn>
>;

/** What the header row told: every column, the ones used for each field, the ones kept as metadata keys, the ones ignored. */
export interface CsvHeader {
  columns: string[];
  used: Partial<Record<CsvField, string>>;
  metadata: string[];
  ignored: string[];
}

/** What becomes of the columns no field uses: each one a key of the record's metadata, or nothing. */
export type OtherColumns = 'metadata' | 'ignore';

/** How cells become values: JSON where a cell parses as JSON (`42`, `true`, `{"a":1}`), else its text; or always the text as it is. */
export type CellValues = 'json' | 'text';

export interface CsvOptions {
  mapping: CsvMapping;
  /** Called once the header row has been read and checked, before any record is read. */
  onHeader?: (header: CsvHeader) => void | Promise<void>;
  /** A further rule for each tag (a surface's tag format): answers what is wrong, or undefined. */
  checkTag?: (tag: string) => string | undefined;
  /** The columns no field uses: `ignore` (the default) or `metadata`, one key each (empty cells left out). */
  otherColumns?: OtherColumns;
  /** Columns never read, whatever `otherColumns` says. */
  ignoreColumns?: readonly string[];
  /** How input, expected_output and other columns' cells are read (`json`, the default, or `text`). */
  cells?: CellValues;
}

/**
 * Records from CSV text, read as the bytes arrive (csv-parse, RFC 4180: quoted cells, multi-line cells,
 * LF or CRLF line ends, a leading byte-order mark). The first row names the columns. Memory holds one
 * chunk of input and the records parsed from it, whatever the file's size.
 *
 * Cells are read by these rules (the same whatever the surface):
 * - input, expected_output: the JSON value when the cell is JSON (`{"q": 1}`, `42`, `true`, `"text"`),
 *   else the cell's text (with `cells: 'text'`, always the text). An empty input is an error; an empty
 *   expected_output, or the JSON string `""`, is no expected output (null).
 * - metadata: must be a JSON object; an empty cell or `""` is `{}`. With `otherColumns: 'metadata'`, each
 *   other column's non-empty cell is a key of it too (read like input; the metadata cell's own keys win).
 * - tags, splits: a JSON array of strings, else a comma-separated list (each item trimmed; empty ones dropped).
 * - external_id: the cell's text; empty means none.
 *
 * Errors name the (1-based) line where the offending record starts and, for a cell, its column.
 */
export async function* csvRows(source: AsyncIterable<Buffer | string>, options: CsvOptions): AsyncGenerator<SourceRow> {
  /** The records parsed from the chunks written so far, not yet handed over. */
  const parsed: string[][] = [];
  const parser = new Parser({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: LIMITS.uploadLineBytes,
    record_delimiter: ['\r\n', '\n'],
    // Records are taken as csv-parse parses them, not read from the stream's readable side: a parse
    // error destroys the stream with what it buffered, yet the records before the error must be handed
    // over first (their own faults come first, and they tell the line the error is on). Passing none
    // on keeps the readable side empty, so no write waits for a reader.
    on_record: (record: string[]) => {
      parsed.push(record);
      return null;
    },
  });
  // A parse error comes back through the callback of the write or end that met it.
  parser.on('error', noop);

  const utf8 = new Utf8Checker();
  let reader: RecordReader | undefined;
  /** 1-based line where the next record starts. */
  let nextLine = 1;

  const drain = async function* (): AsyncGenerator<SourceRow> {
    for (let index = 0; index < parsed.length; index += 1) {
      const cells = parsed[index]!;
      const line = nextLine;
      nextLine += 1 + newlinesIn(cells);
      if (cells.length === 1 && cells[0] === '') continue; // a blank line
      if (!reader) {
        reader = readHeader(cells, line, options);
        await options.onHeader?.(reader.header);
        continue;
      }
      yield { line, record: reader.read(cells, line) };
    }
    parsed.length = 0;
  };

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    utf8.check(bytes);
    const error = await parseChunk(parser, bytes);
    yield* drain();
    if (error) throw parserError(error, nextLine);
  }
  utf8.finish();
  const error = await parseChunk(parser, undefined);
  yield* drain();
  if (error) throw parserError(error, nextLine);
  if (!reader) {
    throw new ValidationError('line 1: the file is empty; its first row must name the columns', [
      { pointer: '', detail: 'is empty: a header row naming the columns is required', in: 'line', line: 1 },
    ]);
  }
}

/** Writes a chunk to the parser (undefined: ends its input) once it has parsed it: answers the error it met, if any. */
function parseChunk(parser: Parser, chunk: Buffer | undefined): Promise<(Error & { code?: string }) | undefined> {
  return new Promise((resolve) => {
    const parsed = (error?: Error | null) => resolve(error ?? undefined);
    if (chunk) parser.write(chunk, parsed);
    else parser.end(parsed);
  });
}

function noop(): void {}

function newlinesIn(cells: string[]): number {
  let count = 0;
  for (const cell of cells) {
    for (let at = cell.indexOf('\n'); at >= 0; at = cell.indexOf('\n', at + 1)) count += 1;
  }
  return count;
}

/** csv-parse's errors, reworded, at the line where the record it was reading starts. */
function parserError(error: Error & { code?: string }, line: number): ValidationError | PayloadTooLargeError {
  const detail = (() => {
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return 'has a quoted cell that is never closed (unbalanced quotes)';
      case 'INVALID_OPENING_QUOTE':
        return 'has a quote inside an unquoted cell (quote the whole cell and double the quotes inside it)';
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        return 'has text after the closing quote of a cell';
      case 'CSV_MAX_RECORD_SIZE':
        return `is a record longer than ${LIMITS.uploadLineBytes} characters`;
      default:
        return `is not valid CSV (${error.message})`;
    }
  })();
  const issue: FieldIssue = { pointer: '', detail, in: 'line', line };
  if (error.code === 'CSV_MAX_RECORD_SIZE') return new PayloadTooLargeError(`line ${line} ${detail}`, [issue]);
  return new ValidationError(`line ${line} ${detail}`, [issue]);
}

function cellError(line: number, column: string, detail: string, tooLarge = false): ValidationError | PayloadTooLargeError {
  const issue: FieldIssue = { pointer: `/${escapePointer(column)}`, detail, in: 'line', line, column };
  const message = `line ${line}, column ${JSON.stringify(column)}: ${detail}`;
  return tooLarge ? new PayloadTooLargeError(message, [issue]) : new ValidationError(message, [issue]);
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

interface RecordReader {
  header: CsvHeader;
  read(cells: string[], line: number): NewRecord;
}

function readHeader(cells: string[], line: number, options: CsvOptions): RecordReader {
  const columns = cells.map((cell) => cell.trim());
  const seen = new Map<string, number>();
  columns.forEach((name, index) => {
    if (name !== '' && seen.has(name)) {
      throw new ValidationError(`line ${line}: the header names column ${JSON.stringify(name)} twice`, [
        { pointer: `/${escapePointer(name)}`, detail: 'appears twice in the header', in: 'line', line, column: name },
      ]);
    }
    seen.set(name, index);
  });
  const index: Partial<Record<CsvField, number>> = {};
  const used: Partial<Record<CsvField, string>> = {};
  /** The fields filled by several columns as an object: each column's name and index. */
  const objects: Partial<Record<ObjectField, [string, number][]>> = {};
  const missing = (column: string, field: CsvField) =>
    new ValidationError(
      `line ${line}: the header has no ${JSON.stringify(column)} column (for ${field}); it has ${columns.map((c) => JSON.stringify(c)).join(', ')}`,
      [{ pointer: `/${escapePointer(column)}`, detail: `is missing from the header (it holds ${field})`, in: 'line', line, column }],
    );
  for (const field of CSV_FIELDS) {
    const wanted = options.mapping[field];
    if (!wanted || 'rest' in wanted) continue;
    if ('columns' in wanted) {
      objects[field as ObjectField] = wanted.columns.map((column) => {
        const at = seen.get(column);
        if (at === undefined) throw missing(column, field);
        return [column, at];
      });
      used[field] = wanted.columns.join(',');
      continue;
    }
    const at = seen.get(wanted.column);
    if (at === undefined) {
      if (field === 'input' || wanted.required) throw missing(wanted.column, field);
      continue;
    }
    index[field] = at;
    used[field] = wanted.column;
  }
  const usedIndexes = new Set([...Object.values(index), ...Object.values(objects).flatMap((list) => list.map(([, at]) => at))]);
  const others = columns.map((name, at) => ({ name, at })).filter(({ name, at }) => name !== '' && !usedIndexes.has(at));
  const dropped = new Set(options.ignoreColumns ?? []);
  if ('rest' in options.mapping.input) {
    objects.input = others.filter(({ name }) => !dropped.has(name)).map(({ name, at }) => [name, at]);
    used.input = objects.input.map(([name]) => name).join(',');
    for (const [, at] of objects.input) usedIndexes.add(at);
  }
  const kept = options.otherColumns === 'metadata' ? others.filter(({ name, at }) => !dropped.has(name) && !usedIndexes.has(at)) : [];
  const keptIndexes = new Set(kept.map(({ at }) => at));
  const header: CsvHeader = {
    columns,
    used,
    metadata: kept.map(({ name }) => name),
    ignored: others.filter(({ at }) => !keptIndexes.has(at) && !usedIndexes.has(at)).map(({ name }) => name),
  };
  const cellValue = options.cells === 'text' ? (cell: string): Json => cell : jsonOrText;
  const width = columns.length;

  return {
    header,
    read(row, rowLine) {
      if (row.length !== width) {
        throw new ValidationError(`line ${rowLine} has ${row.length} cells; the header has ${width} columns`, [
          { pointer: '', detail: `has ${row.length} cells; the header has ${width} columns`, in: 'line', line: rowLine },
        ]);
      }
      for (let at = 0; at < width; at += 1) {
        const cell = row[at]!;
        if (cell.length > LIMITS.csvCellBytes / 4 && Buffer.byteLength(cell) > LIMITS.csvCellBytes) {
          throw cellError(rowLine, columns[at]!, `is a cell larger than ${LIMITS.csvCellBytes} bytes`, true);
        }
      }
      const cellOf = (field: CsvField): string | undefined => (index[field] === undefined ? undefined : row[index[field]!]);
      const name = (field: CsvField) => used[field]!;

      const objectOf = (list: [string, number][]): JsonObject => Object.fromEntries(list.map(([column, at]) => [column, row[at]!]));
      let record: NewRecord;
      if (objects.input) record = { input: objectOf(objects.input) };
      else {
        const inputCell = cellOf('input')!;
        if (inputCell === '') throw cellError(rowLine, name('input'), 'is empty; every record needs an input');
        record = { input: cellValue(inputCell) };
      }

      const expected = cellOf('expected_output');
      if (objects.expected_output) {
        if (objects.expected_output.length > 0) record.expected_output = objectOf(objects.expected_output);
      } else if (expected !== undefined && expected !== '') {
        const value = cellValue(expected);
        if (value !== '') record.expected_output = value;
      }
      if (kept.length > 0) {
        const fromColumns: JsonObject = {};
        for (const { name: column, at } of kept) {
          if (row[at] !== '') fromColumns[column] = cellValue(row[at]!);
        }
        if (Object.keys(fromColumns).length > 0) record.metadata = fromColumns;
      }
      const metadata = cellOf('metadata');
      if (metadata !== undefined && metadata !== '') {
        const value = jsonOrText(metadata);
        if (value !== '') {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            throw cellError(rowLine, name('metadata'), 'must be a JSON object (or empty)');
          }
          record.metadata = { ...record.metadata, ...(value as JsonObject) };
        }
      }
      for (const field of ['tags', 'splits'] as const) {
        const cell = cellOf(field);
        if (cell === undefined || cell === '') continue;
        const values = listOf(cell);
        if (!values) throw cellError(rowLine, name(field), 'must be a JSON array of strings or a comma-separated list');
        if (values.length > LIMITS.tagsPerRecord) {
          throw cellError(rowLine, name(field), `must hold at most ${LIMITS.tagsPerRecord} items`);
        }
        for (const value of values) {
          if (value.length > LIMITS.tagLength) {
            throw cellError(rowLine, name(field), `holds an item longer than ${LIMITS.tagLength} characters`);
          }
          const problem = field === 'tags' ? options.checkTag?.(value) : undefined;
          if (problem) throw cellError(rowLine, name(field), `holds ${JSON.stringify(value)}, which ${problem}`);
        }
        if (values.length > 0) record[field] = values;
      }
      const externalId = cellOf('external_id');
      if (externalId !== undefined && externalId !== '') {
        if (externalId.length > LIMITS.externalIdLength) {
          throw cellError(rowLine, name('external_id'), `must be at most ${LIMITS.externalIdLength} characters`);
        }
        record.external_id = externalId;
      }
      return record;
    },
  };
}

/** A JSON array of strings, else a comma-separated list; undefined when it is JSON but not strings. */
function listOf(cell: string): string[] | undefined {
  const trimmed = cell.trim();
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = undefined;
    }
    if (Array.isArray(value)) {
      return value.every((item) => typeof item === 'string') ? (value as string[]).filter((item) => item !== '') : undefined;
    }
  }
  return cell
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

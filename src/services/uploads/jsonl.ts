import { ValidationError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import { ImportLineSchema } from '../../domain/record-schema.js';
import { compileChecker } from '../../domain/validation.js';
import type { NewRecord } from '../records.js';
import { readLines } from './lines.js';
import type { SourceRow } from './types.js';

const checkLine = compileChecker(ImportLineSchema);

/** Records from JSONL text: one JSON object per line, blank lines ignored; a file of no record is refused, as an empty CSV is. */
export async function* jsonlRows(source: AsyncIterable<Buffer | string>): AsyncGenerator<SourceRow> {
  let records = 0;
  for await (const { number, text } of readLines(source, LIMITS.uploadLineBytes)) {
    if (text.trim() === '') continue;
    records += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw ValidationError.field('', `is not valid JSON (${(error as Error).message})`, { in: 'line', line: number });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw ValidationError.field('', 'must be a JSON object', { in: 'line', line: number });
    }
    const issue = checkLine(value)[0];
    if (issue) throw ValidationError.field(issue.pointer, issue.detail, { in: 'line', line: number });
    const { id: _id, created_at: _created, updated_at: _updated, ...record } = value as NewRecord & Record<string, unknown>;
    yield { line: number, record: record as NewRecord };
  }
  if (records === 0) {
    throw new ValidationError('line 1: the file is empty; a JSONL upload holds one record object per line', [
      { pointer: '', detail: 'is empty: at least one record object is required', in: 'line', line: 1 },
    ]);
  }
}

import { describe, expect, it } from 'vitest';
import { columnOptions, defaultRoles, parseCsvPreview } from '../../ui/src/lib/csv-preview.js';

describe('the preview of a CSV file read from its first bytes', () => {
  it('reads the header and rows, with quoted fields, "" inside quotes, CRLF and a BOM', () => {
    const text = '\uFEFFquestion,answer,topic\r\n"What is 1,2?","He said ""no""",math\r\n"two\nlines",b,\n\nlast,x,y';
    expect(parseCsvPreview(text, 10, true)).toEqual({
      header: ['question', 'answer', 'topic'],
      rows: [
        ['What is 1,2?', 'He said "no"', 'math'],
        ['two\nlines', 'b', ''],
        ['last', 'x', 'y'],
      ],
      more: false,
    });
  });

  it('leaves out a row cut by the end of the bytes read, and says more follow', () => {
    const preview = parseCsvPreview('a,b\n1,2\n3,"cut in', 10, false);
    expect(preview).toEqual({ header: ['a', 'b'], rows: [['1', '2']], more: true });
    expect(parseCsvPreview('a,b\n1,2\n3,4', 10, false).rows).toEqual([['1', '2']]);
  });

  it('stops at the rows asked for', () => {
    const text = `n\n${Array.from({ length: 100 }, (_, n) => n).join('\n')}\n`;
    const preview = parseCsvPreview(text, 5, true);
    expect(preview.rows).toEqual([['0'], ['1'], ['2'], ['3'], ['4']]);
    expect(preview.more).toBe(true);
  });
});

describe('mapping columns to the fields of records', () => {
  it('maps the columns named after fields to them, and keeps the others as metadata keys', () => {
    expect(defaultRoles(['input', 'expected_output', 'topic', 'tags'])).toEqual(['input', 'expected_output', 'metadata_key', 'tags']);
  });

  it('gives the upload its column options: the mapping and the columns dropped', () => {
    expect(columnOptions(['question', 'answer', 'topic', 'notes'], ['input', 'expected_output', 'metadata_key', 'drop'])).toEqual({
      ok: true,
      columns: { input: 'question', expected_output: 'answer' },
      ignoreColumns: ['notes'],
    });
  });

  it('refuses a mapping without an input, or with two columns for one field', () => {
    expect(columnOptions(['a', 'b'], ['metadata_key', 'drop'])).toEqual({ ok: false, problem: 'Map one column to the input.' });
    expect(columnOptions(['a', 'b'], ['input', 'input'])).toEqual({ ok: false, problem: 'Both “a” and “b” are mapped to input: choose one.' });
  });
});

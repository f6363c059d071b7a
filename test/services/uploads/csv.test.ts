import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '../../../src/domain/errors.js';
import { LIMITS } from '../../../src/domain/limits.js';
import { csvRows, type CsvHeader, type CsvMapping, type CsvOptions } from '../../../src/services/uploads/csv.js';
import type { SourceRow } from '../../../src/services/uploads/types.js';

/** The native API's mapping when the request names no column: every field by its own name. */
const BY_FIELD_NAME: CsvMapping = {
  input: { column: 'input' },
  expected_output: { column: 'expected_output' },
  metadata: { column: 'metadata' },
  tags: { column: 'tags' },
  splits: { column: 'splits' },
  external_id: { column: 'external_id' },
};

async function* stream(chunks: (string | Buffer)[]): AsyncGenerator<Buffer | string> {
  yield* chunks;
}

/** The rows read from `file` (given whole or as chunks) before it ended or failed, and the failure. */
async function read(file: string | Buffer | (string | Buffer)[], options: Partial<CsvOptions> = {}): Promise<{ rows: SourceRow[]; error?: unknown }> {
  const rows: SourceRow[] = [];
  try {
    for await (const row of csvRows(stream(Array.isArray(file) ? file : [file]), { mapping: BY_FIELD_NAME, ...options })) rows.push(row);
    return { rows };
  } catch (error) {
    return { rows, error };
  }
}

async function recordsOf(file: string | Buffer | (string | Buffer)[], options: Partial<CsvOptions> = {}) {
  const { rows, error } = await read(file, options);
  if (error) throw error;
  return rows.map((row) => row.record);
}

/** The error reading `file` ends in; fails the test when it reads to the end. */
async function failureOf(file: string | Buffer | (string | Buffer)[], options: Partial<CsvOptions> = {}) {
  const { error } = await read(file, options);
  if (!error) throw new Error('the file was read without an error');
  return error as ValidationError | PayloadTooLargeError;
}

describe('csvRows', () => {
  describe('the header', () => {
    it('fills the input with every column no other field uses, as cell texts, with `rest`', async () => {
      const headers: CsvHeader[] = [];
      const { rows } = await read('question,target,context,skip\n2+2?,"{""a"": 4}",,x\n', {
        mapping: { input: { rest: true }, expected_output: { column: 'target' } },
        ignoreColumns: ['skip'],
        cells: 'text',
        onHeader: (header) => {
          headers.push(header);
        },
      });
      expect(headers).toEqual([
        { columns: ['question', 'target', 'context', 'skip'], used: { input: 'question,context', expected_output: 'target' }, metadata: [], ignored: ['skip'] },
      ]);
      expect(rows).toEqual([{ line: 2, record: { input: { question: '2+2?', context: '' }, expected_output: '{"a": 4}' } }]);
    });

    it('maps columns to fields by the mapping, tells the header before any record, and ignores other columns', async () => {
      const headers: CsvHeader[] = [];
      const { rows } = await read('notes,question , answer,\nx,2+2?,4,\n', {
        mapping: { input: { column: 'question' }, expected_output: { column: 'answer' }, tags: { column: 'labels' } },
        onHeader: async (header) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          headers.push(header);
        },
      });
      expect(headers).toEqual([
        { columns: ['notes', 'question', 'answer', ''], used: { input: 'question', expected_output: 'answer' }, metadata: [], ignored: ['notes'] },
      ]);
      expect(rows).toEqual([{ line: 2, record: { input: '2+2?', expected_output: 4 } }]);
    });

    it('keeps the other columns as metadata keys when asked, leaving out empty cells and the columns it is told to ignore', async () => {
      const headers: CsvHeader[] = [];
      const file = 'question,answer,topic,score,secret,metadata\nq1,a1,geo,3,x,"{""topic"": ""from-cell"", ""k"": 1}"\nq2,a2,,false,y,\n';
      const records = await recordsOf(file, {
        mapping: { input: { column: 'question' }, expected_output: { column: 'answer' }, metadata: { column: 'metadata' } },
        otherColumns: 'metadata',
        ignoreColumns: ['secret'],
        onHeader: (header) => void headers.push(header),
      });
      expect(headers[0]).toMatchObject({
        used: { input: 'question', expected_output: 'answer', metadata: 'metadata' },
        metadata: ['topic', 'score'],
        ignored: ['secret'],
      });
      expect(records).toEqual([
        { input: 'q1', expected_output: 'a1', metadata: { topic: 'from-cell', score: 3, k: 1 } },
        { input: 'q2', expected_output: 'a2', metadata: { score: false } },
      ]);
    });

    it('reads every cell as text when told to, and as JSON where it parses by default', async () => {
      const file = 'input,expected_output,zip\n40068,false,"007"\n';
      expect(await recordsOf(file, { otherColumns: 'metadata' })).toEqual([{ input: 40068, expected_output: false, metadata: { zip: '007' } }]);
      expect(await recordsOf(file, { otherColumns: 'metadata', cells: 'text' })).toEqual([
        { input: '40068', expected_output: 'false', metadata: { zip: '007' } },
      ]);
    });

    it('requires the input column, and any column the mapping marks required, naming the columns it has', async () => {
      const noInput = await failureOf('question,answer\nq,a\n');
      expect(noInput).toBeInstanceOf(ValidationError);
      expect(noInput.message).toBe('line 1: the header has no "input" column (for input); it has "question", "answer"');
      expect(noInput.issues).toEqual([{ pointer: '/input', detail: 'is missing from the header (it holds input)', in: 'line', line: 1, column: 'input' }]);

      const mapping: CsvMapping = { input: { column: 'q' }, expected_output: { column: 'a', required: true } };
      expect((await failureOf('q,b\nx,y\n', { mapping })).issues).toEqual([
        { pointer: '/a', detail: 'is missing from the header (it holds expected_output)', in: 'line', line: 1, column: 'a' },
      ]);
      expect(await recordsOf('q,b\nx,y\n', { mapping: { input: { column: 'q' }, expected_output: { column: 'a' } } })).toEqual([{ input: 'x' }]);
    });

    it('fills input and expected output as objects of several columns, cells as text, every column named required', async () => {
      const mapping: CsvMapping = { input: { columns: ['q', 'ctx'] }, expected_output: { columns: ['a'] } };
      const headers: CsvHeader[] = [];
      expect(await recordsOf('q,ctx,a,other\n42,,"x, y",z\n', { mapping, onHeader: (header) => void headers.push(header) })).toEqual([
        { input: { q: '42', ctx: '' }, expected_output: { a: 'x, y' } },
      ]);
      expect(headers[0]).toMatchObject({ used: { input: 'q,ctx', expected_output: 'a' }, ignored: ['other'] });
      // No output columns: no expected output.
      expect(await recordsOf('q\nx\n', { mapping: { input: { columns: ['q'] }, expected_output: { columns: [] } } })).toEqual([{ input: { q: 'x' } }]);
      expect((await failureOf('q,a\nx,y\n', { mapping })).issues).toEqual([
        { pointer: '/ctx', detail: 'is missing from the header (it holds input)', in: 'line', line: 1, column: 'ctx' },
      ]);
    });

    it('refuses a column named twice, and a file without a header', async () => {
      const twice = await failureOf('input,tags,input\n1,2,3\n');
      expect(twice.message).toBe('line 1: the header names column "input" twice');
      expect(twice.issues).toEqual([{ pointer: '/input', detail: 'appears twice in the header', in: 'line', line: 1, column: 'input' }]);
      for (const empty of ['', '\n\n', '\r\n']) {
        const error = await failureOf(empty);
        expect(error.message).toBe('line 1: the file is empty; its first row must name the columns');
        expect(error.issues).toEqual([{ pointer: '', detail: 'is empty: a header row naming the columns is required', in: 'line', line: 1 }]);
      }
    });
  });

  describe('lines', () => {
    it('skips a leading byte-order mark and blank lines, and counts lines from 1 as a text editor does', async () => {
      const { rows } = await read('\uFEFFinput,expected_output\n\nfirst,1\n\n\nsecond,2\n');
      expect(rows).toEqual([
        { line: 3, record: { input: 'first', expected_output: 1 } },
        { line: 6, record: { input: 'second', expected_output: 2 } },
      ]);
    });

    it('reads CRLF line ends as LF ones, and a last line without one', async () => {
      const { rows } = await read('input,external_id\r\na,x\r\nb,y');
      expect(rows).toEqual([
        { line: 2, record: { input: 'a', external_id: 'x' } },
        { line: 3, record: { input: 'b', external_id: 'y' } },
      ]);
    });

    it('reads quoted cells with commas, doubled quotes and line breaks, and counts the lines they span', async () => {
      const { rows } = await read('input,tags\n"one, ""two""\nthree",a\r\n"four\r\nfive",b\nsix,c\n');
      expect(rows).toEqual([
        { line: 2, record: { input: 'one, "two"\nthree', tags: ['a'] } },
        { line: 4, record: { input: 'four\r\nfive', tags: ['b'] } },
        { line: 6, record: { input: 'six', tags: ['c'] } },
      ]);
    });

    it('reads the same records whatever the chunks the bytes arrive in, even within a character', async () => {
      const file = Buffer.from('input,tags\n"naïve ✓\nsecond line",a\n"{""q"": ""€""}","[""b""]"\n');
      const whole = await read(file);
      expect(whole.rows).toHaveLength(2);
      for (let at = 1; at < file.length; at += 1) {
        expect(await read([file.subarray(0, at), file.subarray(at)]), `split at byte ${at}`).toEqual(whole);
      }
      expect(await read([...file].map((byte) => Buffer.from([byte])))).toEqual(whole);
      expect(await read(['', file.subarray(0, 11), Buffer.alloc(0), file.subarray(11).toString(), ''])).toEqual(whole);
    });
  });

  describe('malformed files', () => {
    it('refuses unbalanced quotes, naming the line where the cell opens, after the records before it', async () => {
      const { rows, error } = await read('input\nfine\n"never closed\nstill open\n');
      expect(rows).toEqual([{ line: 2, record: { input: 'fine' } }]);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe('line 3 has a quoted cell that is never closed (unbalanced quotes)');
      expect((error as ValidationError).issues).toEqual([
        { pointer: '', detail: 'has a quoted cell that is never closed (unbalanced quotes)', in: 'line', line: 3 },
      ]);
    });

    it('refuses a quote inside an unquoted cell, and text after a closing quote', async () => {
      const opening = await failureOf('input,tags\nok,a\nab"c,d\n');
      expect(opening.message).toBe('line 3 has a quote inside an unquoted cell (quote the whole cell and double the quotes inside it)');
      const closing = await failureOf('input\n"a"b\n');
      expect(closing.message).toBe('line 2 has text after the closing quote of a cell');
      expect(closing.issues).toEqual([{ pointer: '', detail: 'has text after the closing quote of a cell', in: 'line', line: 2 }]);
    });

    it('refuses a row with more or fewer cells than the header has columns', async () => {
      const more = await failureOf('input,tags\na,b\nc,d,e\n');
      expect(more).toBeInstanceOf(ValidationError);
      expect(more.message).toBe('line 3 has 3 cells; the header has 2 columns');
      expect(more.issues).toEqual([{ pointer: '', detail: 'has 3 cells; the header has 2 columns', in: 'line', line: 3 }]);
      expect((await failureOf('input,tags\n"multi\nline"\n')).message).toBe('line 2 has 1 cells; the header has 2 columns');
    });

    it('refuses bytes that are not UTF-8, naming their line, wherever the chunks split', async () => {
      const latin1 = Buffer.concat([Buffer.from('input\nok\ncaf'), Buffer.from([0xe9]), Buffer.from('\n')]);
      const error = await failureOf(latin1);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toBe('line 3 is not valid UTF-8 (byte 0xe9)');
      expect(error.issues).toEqual([{ pointer: '', detail: 'is not valid UTF-8: save the file as UTF-8', in: 'line', line: 3 }]);
      expect((await failureOf([latin1.subarray(0, 10), latin1.subarray(10)])).message).toBe('line 3 is not valid UTF-8 (byte 0xe9)');
      // A character cut short by the end of the file.
      expect((await failureOf(Buffer.concat([Buffer.from('input\n'), Buffer.from('✓').subarray(0, 2)]))).message).toBe('line 2 is not valid UTF-8 (byte 0xe2)');
      // An encoded surrogate (CESU-8), which UTF-8 forbids.
      expect((await failureOf(Buffer.concat([Buffer.from('input\n'), Buffer.from([0xed, 0xa0, 0x80])]))).message).toBe('line 2 is not valid UTF-8 (byte 0xed)');
    });

    it('refuses a cell over the size limit as too large, naming its line and column', async () => {
      const big = 'x'.repeat(LIMITS.csvCellBytes + 1);
      const error = await failureOf(`tags,input\na,small\nb,${big}\n`);
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error.message).toBe(`line 3, column "input": is a cell larger than ${LIMITS.csvCellBytes} bytes`);
      expect(error.issues).toEqual([{ pointer: '/input', detail: `is a cell larger than ${LIMITS.csvCellBytes} bytes`, in: 'line', line: 3, column: 'input' }]);
      // The limit is in bytes: fewer characters than bytes still exceed it.
      const wide = 'é'.repeat(LIMITS.csvCellBytes / 2 + 1);
      expect(await failureOf(`input\n${wide}\n`)).toBeInstanceOf(PayloadTooLargeError);
      expect(await recordsOf(`input\n${'é'.repeat(LIMITS.csvCellBytes / 2)}\n`)).toHaveLength(1);
    });

    it('refuses a record over the size limit as too large', async () => {
      // Both cells are within the cell limit; together they are over the record's.
      const error = await failureOf(`input,tags\n${'x'.repeat(LIMITS.uploadLineBytes / 2)},${'y'.repeat(LIMITS.uploadLineBytes / 2 + 2)}\n`);
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error.message).toBe(`line 2 is a record longer than ${LIMITS.uploadLineBytes} characters`);
      expect(error.issues).toEqual([{ pointer: '', detail: `is a record longer than ${LIMITS.uploadLineBytes} characters`, in: 'line', line: 2 }]);
    });
  });

  describe('cells', () => {
    it('reads input and expected output as JSON when they are JSON, else as text', async () => {
      const records = await recordsOf(
        'input,expected_output\n' +
          '"{""q"": 1}","[1, ""two""]"\n' +
          '42,true\n' +
          '"""quoted text""",null\n' +
          ' -1.5 ,"{not json"\n' +
          'Paris,nothing to parse\n' +
          '"[1,",""""""\n' +
          'only input,\n',
      );
      expect(records).toEqual([
        { input: { q: 1 }, expected_output: [1, 'two'] },
        { input: 42, expected_output: true },
        { input: 'quoted text', expected_output: null },
        { input: -1.5, expected_output: '{not json' },
        { input: 'Paris', expected_output: 'nothing to parse' },
        { input: '[1,' },
        { input: 'only input' },
      ]);
    });

    it('refuses an empty input, naming its line and column', async () => {
      const error = await failureOf('input,tags\nq,a\n,b\n');
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toBe('line 3, column "input": is empty; every record needs an input');
      expect(error.issues).toEqual([{ pointer: '/input', detail: 'is empty; every record needs an input', in: 'line', line: 3, column: 'input' }]);
    });

    it('reads metadata as a JSON object, nothing when empty, and refuses anything else', async () => {
      expect(await recordsOf('input,metadata\na,"{""k"": [1]}"\nb,\nc,""""""\n')).toEqual([
        { input: 'a', metadata: { k: [1] } },
        { input: 'b' },
        { input: 'c' },
      ]);
      for (const cell of ['[1]', '42', 'text', '"""text"""', 'null']) {
        const error = await failureOf(`input,meta data\nq,${cell}\n`, { mapping: { input: { column: 'input' }, metadata: { column: 'meta data' } } });
        expect(error.issues, cell).toEqual([{ pointer: '/meta data', detail: 'must be a JSON object (or empty)', in: 'line', line: 2, column: 'meta data' }]);
      }
    });

    it('reads tags and splits as a JSON array of strings or as a comma-separated list', async () => {
      const records = await recordsOf(
        'input,tags,splits\n' + 'a,"[""x"", ""y, z"", """"]","train, test"\n' + 'b," p ,, q ,",[]\n' + 'c,"[not json",\n' + 'd,,\n',
      );
      expect(records).toEqual([
        { input: 'a', tags: ['x', 'y, z'], splits: ['train', 'test'] },
        { input: 'b', tags: ['p', 'q'] },
        { input: 'c', tags: ['[not json'] },
        { input: 'd' },
      ]);
    });

    it('refuses lists that are JSON but not of strings, too long, or with items the surface refuses', async () => {
      expect((await failureOf('input,tags\na,"[""x"", 1]"\n')).issues).toEqual([
        { pointer: '/tags', detail: 'must be a JSON array of strings or a comma-separated list', in: 'line', line: 2, column: 'tags' },
      ]);
      const many = Array.from({ length: LIMITS.tagsPerRecord + 1 }, (_, index) => `t${index}`).join(',');
      expect((await failureOf(`input,splits\na,"${many}"\n`)).message).toBe(`line 2, column "splits": must hold at most ${LIMITS.tagsPerRecord} items`);
      expect((await failureOf(`input,tags\na,${'x'.repeat(LIMITS.tagLength + 1)}\n`)).message).toBe(
        `line 2, column "tags": holds an item longer than ${LIMITS.tagLength} characters`,
      );
      const checkTag = (tag: string) => (tag.includes(' ') ? 'has a space' : undefined);
      expect((await failureOf('input,tags,splits\na,"ok, not ok",with space\n', { checkTag })).message).toBe(
        'line 2, column "tags": holds "not ok", which has a space',
      );
      expect(await recordsOf('input,splits\na,with space\n', { checkTag })).toEqual([{ input: 'a', splits: ['with space'] }]);
    });

    it('reads an external id as text, up to its length limit', async () => {
      expect(await recordsOf('input,external_id\na,"{""id"": 1}"\nb,\n')).toEqual([{ input: 'a', external_id: '{"id": 1}' }, { input: 'b' }]);
      expect((await failureOf(`input,external_id\na,${'e'.repeat(LIMITS.externalIdLength + 1)}\n`)).issues).toEqual([
        { pointer: '/external_id', detail: `must be at most ${LIMITS.externalIdLength} characters`, in: 'line', line: 2, column: 'external_id' },
      ]);
    });

    it('escapes a column name in the pointer of its fault', async () => {
      const empty = await failureOf('in/put~1,x\n,1\n', { mapping: { input: { column: 'in/put~1' } } });
      expect(empty.issues[0]).toMatchObject({ pointer: '/in~1put~01', column: 'in/put~1' });
    });
  });
});

/** The first rows of a CSV file, read in the browser from its first bytes to show them before an upload. */
export interface CsvPreview {
  header: string[];
  rows: string[][];
  /** More rows follow than were read (the text was cut, or more rows than asked). */
  more: boolean;
}

/**
 * Parses the start of a CSV file (RFC 4180: quoted fields, "" inside quotes, CRLF or LF) into its
 * header and up to `maxRows` rows. `complete` says whether `text` is the whole file; when it is not,
 * a last row cut in the middle is left out.
 */
export function parseCsvPreview(text: string, maxRows: number, complete: boolean): CsvPreview {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let ended = true;
  const endRecord = () => {
    record.push(field);
    // Blank lines are no rows.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    field = '';
    record = [];
  };
  for (; at < text.length && records.length <= maxRows; at += 1) {
    const char = text[at]!;
    ended = false;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[at + 1] === '"') {
        field += '"';
        at += 1;
      } else quoted = false;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[at + 1] === '\n') at += 1;
      endRecord();
      ended = true;
    } else field += char;
  }
  const cut = at < text.length;
  // The text ran out within a row: that row is whole only if the text is the whole file.
  if (!ended && !cut && complete && !quoted) endRecord();
  const [header = [], ...rows] = records;
  return { header, rows: rows.slice(0, maxRows), more: cut || rows.length > maxRows || !complete };
}

/** What a column of the file becomes: a field of the record, a key of its metadata, or nothing. */
export type ColumnRole = 'input' | 'expected_output' | 'external_id' | 'tags' | 'splits' | 'metadata' | 'metadata_key' | 'drop';

/** The roles that one column at most may have, named as the upload's `columns` mapping names them. */
export const FIELD_ROLES = ['input', 'expected_output', 'external_id', 'tags', 'splits', 'metadata'] as const;

/** Each column's role as the server reads it by default: the column named after a field fills it, the others are metadata keys. */
export function defaultRoles(header: readonly string[]): ColumnRole[] {
  return header.map((name) => ((FIELD_ROLES as readonly string[]).includes(name) ? (name as ColumnRole) : 'metadata_key'));
}

/** The upload's column options for the roles, or what is wrong with them. */
export function columnOptions(
  header: readonly string[],
  roles: readonly ColumnRole[],
): { ok: true; columns: Partial<Record<(typeof FIELD_ROLES)[number], string>>; ignoreColumns: string[] } | { ok: false; problem: string } {
  const columns: Partial<Record<(typeof FIELD_ROLES)[number], string>> = {};
  for (const [index, role] of roles.entries()) {
    if (role === 'drop' || role === 'metadata_key') continue;
    if (columns[role] !== undefined) return { ok: false, problem: `Both “${columns[role]}” and “${header[index]}” are mapped to ${role}: choose one.` };
    columns[role] = header[index]!;
  }
  if (columns.input === undefined) return { ok: false, problem: 'Map one column to the input.' };
  return { ok: true, columns, ignoreColumns: header.filter((_, index) => roles[index] === 'drop') };
}

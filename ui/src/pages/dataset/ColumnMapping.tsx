import { useEffect, useState } from 'react';
import { type ColumnRole, type CsvPreview, parseCsvPreview } from '../../lib/csv-preview.js';
import { preview as clip } from '../../lib/format.js';

/** Bytes of a CSV file read to preview it: enough for a header and a few rows of any sensible file. */
const PREVIEW_BYTES = 64 * 1024;
const PREVIEW_ROWS = 5;

const ROLE_LABELS: [ColumnRole, string][] = [
  ['input', 'Input'],
  ['expected_output', 'Expected output'],
  ['external_id', 'Id (external_id)'],
  ['tags', 'Tags'],
  ['splits', 'Splits'],
  ['metadata', 'Metadata (a JSON object)'],
  ['metadata_key', 'Keep as a metadata key'],
  ['drop', 'Drop'],
];

/** The first rows of a CSV file, read in the browser from its first bytes; undefined while reading, or for another format. */
export function useCsvPreview(file: File | undefined): { preview?: CsvPreview; error?: string } {
  const [state, setState] = useState<{ preview?: CsvPreview; error?: string }>({});
  useEffect(() => {
    setState({});
    if (!file || !/\.csv$/i.test(file.name)) return;
    let current = true;
    file
      .slice(0, PREVIEW_BYTES)
      .text()
      .then((text) => current && setState({ preview: parseCsvPreview(text, PREVIEW_ROWS, file.size <= PREVIEW_BYTES) }))
      .catch((error: Error) => current && setState({ error: `Could not read the file: ${error.message}` }));
    return () => {
      current = false;
    };
  }, [file]);
  return state;
}

/** The file's first rows, a choice of what each column becomes, and how cells are read. */
export function ColumnMapping({
  preview,
  roles,
  onRoles,
  cells,
  onCells,
  disabled,
}: {
  preview: CsvPreview;
  roles: ColumnRole[];
  onRoles: (roles: ColumnRole[]) => void;
  cells: 'json' | 'text';
  onCells: (cells: 'json' | 'text') => void;
  disabled?: boolean;
}) {
  return (
    <section className="column-mapping stack" data-testid="column-mapping">
      <div className="muted small">
        The first {preview.rows.length} rows of the file{preview.more ? ' (more follow)' : ''}. Choose what each column becomes; columns kept as metadata keys
        go into each record’s <code>metadata</code> under their name (empty cells left out).
      </div>
      <div className="table-scroll">
        <table className="data-table compact">
          <thead>
            <tr>
              {preview.header.map((name, index) => (
                <th key={index}>
                  <div className="mono">{name}</div>
                  <select
                    aria-label={`Column ${name} becomes`}
                    value={roles[index] ?? 'metadata_key'}
                    disabled={disabled}
                    onChange={(event) => onRoles(roles.map((role, at) => (at === index ? (event.target.value as ColumnRole) : role)))}
                  >
                    {ROLE_LABELS.map(([role, label]) => (
                      <option key={role} value={role}>
                        {label}
                      </option>
                    ))}
                  </select>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {preview.header.map((_, index) => (
                  <td key={index} className={`clip${roles[index] === 'drop' ? ' muted dropped' : ''}`}>
                    {clip(row[index] ?? '', 60)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <fieldset className="inline-fieldset">
        <legend>Cells</legend>
        <label className="checkbox">
          <input type="radio" name="cells" checked={cells === 'json'} disabled={disabled} onChange={() => onCells('json')} />
          JSON where a cell is valid JSON (<code>42</code> a number, <code>false</code> a boolean), else text
        </label>
        <label className="checkbox">
          <input type="radio" name="cells" checked={cells === 'text'} disabled={disabled} onChange={() => onCells('text')} />
          Text as it is
        </label>
      </fieldset>
    </section>
  );
}

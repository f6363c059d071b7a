import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { startUpload, type UploadOptions } from '../api/upload.js';
import { formatBytes, formatCount } from '../lib/format.js';
import { progressShares, uploadFormatOf, type UploadProgress } from '../lib/upload-progress.js';

export type UploadSettings = Omit<UploadOptions, 'format'>;

/** Runs one upload at a time and keeps its progress for the view. */
export function useUpload(onFinished?: (progress: UploadProgress) => void) {
  const [progress, setProgress] = useState<UploadProgress>();
  const [fileName, setFileName] = useState<string>();
  const cancelRef = useRef<() => void>(undefined);
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;
  useEffect(() => () => cancelRef.current?.(), []);

  const start = useCallback((datasetId: string, file: File, settings: UploadSettings) => {
    const format = uploadFormatOf(file.name, file.type);
    if (!format) throw new Error(`${file.name} is neither CSV nor JSONL: name it .csv, .jsonl or .ndjson.`);
    setFileName(file.name);
    const upload = startUpload(datasetId, file, { ...settings, format }, setProgress);
    cancelRef.current = upload.cancel;
    void upload.finished.then((final) => {
      cancelRef.current = undefined;
      finishedRef.current?.(final);
    });
  }, []);
  const reset = useCallback(() => setProgress(undefined), []);
  const cancel = useCallback(() => cancelRef.current?.(), []);
  return { progress, fileName, start, reset, cancel };
}

/** A file picker that also takes a file dropped on it. */
export function FilePicker({ file, onFile, disabled }: { file: File | undefined; onFile: (file: File | undefined) => void; disabled?: boolean }) {
  const [over, setOver] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabled && event.dataTransfer.files[0]) onFile(event.dataTransfer.files[0]);
  };
  return (
    <label
      className={`dropzone${over ? ' dropzone-over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <input
        type="file"
        name="file"
        accept=".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"
        disabled={disabled}
        onChange={(event) => onFile(event.target.files?.[0])}
      />
      {file ? (
        <span>
          <strong>{file.name}</strong> · {formatBytes(file.size)}
        </span>
      ) : (
        <span>
          Drop a <strong>CSV</strong> or <strong>JSONL</strong> file here, or click to choose one.
        </span>
      )}
      <span className="muted small">
        CSV: a header row; <code>input</code> is required, <code>expected_output</code>, <code>metadata</code>, <code>tags</code>, <code>splits</code>,{' '}
        <code>external_id</code> are read when present. JSONL: one record object per line.
      </span>
    </label>
  );
}

/** The options of an upload: the version's message, de-duplication, overwriting, and tags. */
export function UploadSettingsFields({
  settings,
  onChange,
  disabled,
}: {
  settings: UploadSettings;
  onChange: (settings: UploadSettings) => void;
  disabled?: boolean;
}) {
  return (
    <div className="form-grid">
      <label>
        <span>
          Version message <span className="muted">(optional)</span>
        </span>
        <input
          value={settings.message ?? ''}
          disabled={disabled}
          placeholder="Written for you when empty, e.g. “Uploaded qa.csv: 1,000 created”"
          onChange={(event) => onChange({ ...settings, message: event.target.value || undefined })}
        />
      </label>
      <label>
        <span>
          Tags for every record <span className="muted">(comma-separated, optional)</span>
        </span>
        <input
          value={settings.tags?.join(', ') ?? ''}
          disabled={disabled}
          onChange={(event) =>
            onChange({
              ...settings,
              tags: event.target.value
                .split(',')
                .map((tag) => tag.trim())
                .filter(Boolean),
            })
          }
        />
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.deduplicate ?? false}
          disabled={disabled}
          onChange={(event) => onChange({ ...settings, deduplicate: event.target.checked })}
        />
        Skip rows whose input is already in the dataset or earlier in the file
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.overwrite ?? true}
          disabled={disabled}
          onChange={(event) => onChange({ ...settings, overwrite: event.target.checked })}
        />
        A row with the external_id of a record replaces that record (else it is skipped)
      </label>
    </div>
  );
}

/** The live progress of an upload, then its report: what was committed, or what was wrong. */
export function UploadProgressView({ progress, fileName, onCancel }: { progress: UploadProgress; fileName?: string; onCancel?: () => void }) {
  const shares = progressShares(progress);
  const percent = (share: number) => Math.round(share * 100);
  const caption = captionOf(progress, fileName);
  return (
    <div className="upload-progress" data-phase={progress.phase} data-testid="upload-progress">
      <div
        className="progress"
        role="progressbar"
        aria-label="Upload progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent(shares.processed)}
        aria-valuetext={caption}
      >
        <div className="progress-sent" style={{ width: `${percent(shares.sent)}%` }} />
        <div className="progress-done" style={{ width: `${percent(shares.processed)}%` }} />
      </div>
      <div className="progress-caption">
        <span data-testid="upload-caption">{caption}</span>
        {onCancel && (progress.phase === 'sending' || progress.phase === 'staging') && (
          <button type="button" className="ghost small" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {progress.ignoredColumns && progress.ignoredColumns.length > 0 && (
        <div className="muted small">Columns not read into records: {progress.ignoredColumns.join(', ')}</div>
      )}
      {progress.summary && <UploadReport progress={progress} />}
      {progress.problem && (
        <div className="state state-error" role="alert">
          <strong>{progress.problem.title}</strong>
          <div>{progress.problem.detail}</div>
          {progress.problem.errors && progress.problem.errors.length > 0 && (
            <ul className="problem-errors">
              {progress.problem.errors.slice(0, 20).map((issue, index) => (
                <li key={index}>
                  {[
                    issue.line !== undefined && <strong key="line">Line {issue.line}</strong>,
                    issue.column !== undefined && (
                      <span key="column">
                        column <code>{issue.column}</code>
                      </span>
                    ),
                    issue.pointer && (
                      <span key="field">
                        field <code>{issue.pointer}</code>
                      </span>
                    ),
                  ]
                    .filter(Boolean)
                    .flatMap((part, at) => (at === 0 ? [part] : [', ', part]))}
                  : {issue.detail}
                </li>
              ))}
            </ul>
          )}
          <div className="state-hint">
            Nothing was committed: the dataset is as it was.{' '}
            {progress.problem.status === 401 || progress.problem.status === 403
              ? 'The API key you signed in with cannot change this dataset (uploads need a key with the write role): sign in with one that can.'
              : progress.problem.status === 404
                ? 'The dataset is gone, or belongs to another workspace.'
                : progress.problem.status === 0
                  ? ''
                  : progress.problem.status >= 500
                    ? 'Try again; if it keeps failing, the server log says why.'
                    : 'Correct the file and upload it again.'}
          </div>
        </div>
      )}
    </div>
  );
}

function UploadReport({ progress }: { progress: UploadProgress }) {
  const summary = progress.summary!;
  const rows: [string, number][] = [
    ['Rows read', summary.rows_received],
    ['Records created', summary.records_created],
    ['Records updated', summary.records_updated],
    ['Unchanged (same content)', summary.records_unchanged],
    ['Skipped as duplicates', summary.duplicates_skipped],
    ['Skipped (external_id taken)', summary.existing_skipped],
    ['Replaced by a later row', summary.superseded],
  ];
  return (
    <div className="upload-report" data-testid="upload-report">
      <div>
        {summary.version ? (
          <>
            Committed <strong>version {summary.version.version}</strong>: {summary.version.message}
          </>
        ) : (
          'Nothing changed, so no version was committed.'
        )}
      </div>
      {summary.columns && <UploadColumns columns={summary.columns} />}
      <table className="compact">
        <tbody>
          {rows
            .filter(([label, count]) => count > 0 || label === 'Rows read')
            .map(([label, count]) => (
              <tr key={label}>
                <th>{label}</th>
                <td className="num">{formatCount(count)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

/** Where each column of a CSV went, as the server says. */
function UploadColumns({ columns }: { columns: NonNullable<UploadProgress['summary']>['columns'] & object }) {
  const used = Object.entries(columns.used);
  return (
    <dl className="facts-list upload-columns" data-testid="upload-columns">
      <dt>Fields</dt>
      <dd data-testid="columns-used">
        {used.length === 0
          ? 'none'
          : used.map(([field, column], index) => (
              <span key={field}>
                {index > 0 && ', '}
                <code>{column}</code> → {field}
              </span>
            ))}
      </dd>
      <dt>Kept as metadata</dt>
      <dd data-testid="columns-metadata">{columns.metadata.length ? columns.metadata.join(', ') : 'none'}</dd>
      <dt>Not read</dt>
      <dd data-testid="columns-ignored">{columns.ignored.length ? columns.ignored.join(', ') : 'none'}</dd>
    </dl>
  );
}

function captionOf(progress: UploadProgress, fileName = 'the file'): string {
  const shares = progressShares(progress);
  switch (progress.phase) {
    case 'sending':
      return `Sending ${fileName}: ${formatBytes(progress.sentBytes)} of ${formatBytes(progress.totalBytes)} (${Math.round(shares.sent * 100)}%)`;
    case 'staging':
      return `Server has read ${formatCount(progress.rowsReceived)} rows (${Math.round(shares.processed * 100)}% of the file)`;
    case 'committing':
      return `All ${formatCount(progress.rowsReceived)} rows read; committing the version…`;
    case 'completed':
      return `Done: ${formatCount(progress.rowsReceived)} rows uploaded`;
    case 'failed':
      return `Upload failed after ${formatCount(progress.rowsReceived)} rows`;
  }
}

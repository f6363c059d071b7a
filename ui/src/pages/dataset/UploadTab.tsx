import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Dataset } from '../../api/types.js';
import { Empty } from '../../components/States.js';
import { FilePicker, UploadProgressView, UploadSettingsFields, useUpload, type UploadSettings } from '../../components/Upload.js';
import { type ColumnRole, columnOptions, defaultRoles } from '../../lib/csv-preview.js';
import { isFinished } from '../../lib/upload-progress.js';
import { ColumnMapping, useCsvPreview } from './ColumnMapping.js';

/** Adds records from a file as one new version, with the server's progress shown live. */
export function UploadTab({ dataset }: { dataset: Dataset }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File>();
  const [settings, setSettings] = useState<UploadSettings>({});
  const [error, setError] = useState<string>();
  const csv = useCsvPreview(file);
  const [roles, setRoles] = useState<ColumnRole[]>([]);
  const [cells, setCells] = useState<'json' | 'text'>('json');
  useEffect(() => setRoles(csv.preview ? defaultRoles(csv.preview.header) : []), [csv.preview]);
  const mapping = csv.preview && roles.length === csv.preview.header.length ? columnOptions(csv.preview.header, roles) : undefined;
  const upload = useUpload((final) => {
    if (final.phase !== 'completed') return;
    for (const key of ['dataset', 'versions', 'records', 'diff', 'datasets']) void queryClient.invalidateQueries({ queryKey: [key] });
  });
  const running = upload.progress !== undefined && !isFinished(upload.progress);
  if (dataset.managed_by === 'external') {
    return (
      <Empty title="This dataset is managed elsewhere">
        It mirrors a dataset kept in another system, so only that system's experiment uploads change its records.
      </Empty>
    );
  }
  const start = () => {
    setError(undefined);
    try {
      if (!file) return;
      if (mapping && !mapping.ok) throw new Error(mapping.problem);
      upload.start(
        dataset.id,
        file,
        mapping?.ok ? { ...settings, columns: mapping.columns, ignoreColumns: mapping.ignoreColumns, otherColumns: 'metadata', cells } : settings,
      );
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <div className="card stack">
      <p className="muted">
        Every row of the file is added (or, with a known external_id, replaces its record) and all of them commit as one new version; a bad row commits nothing
        and names its line.
      </p>
      <FilePicker
        file={file}
        onFile={(chosen) => {
          setFile(chosen);
          upload.reset();
        }}
        disabled={running}
      />
      {csv.error && <div className="state state-error">{csv.error}</div>}
      {csv.preview && roles.length > 0 && (
        <ColumnMapping preview={csv.preview} roles={roles} onRoles={setRoles} cells={cells} onCells={setCells} disabled={running} />
      )}
      {mapping && !mapping.ok && <div className="muted small bad">{mapping.problem}</div>}
      <UploadSettingsFields settings={settings} onChange={setSettings} disabled={running} />
      {error && (
        <div className="state state-error" role="alert">
          {error}
        </div>
      )}
      {upload.progress && <UploadProgressView progress={upload.progress} fileName={upload.fileName} onCancel={upload.cancel} />}
      <div className="actions">
        <button type="button" className="primary" disabled={!file || running || (mapping !== undefined && !mapping.ok)} onClick={start}>
          Upload
        </button>
      </div>
    </div>
  );
}

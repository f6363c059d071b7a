import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { createDataset, listDatasets } from '../api/endpoints.js';
import type { Dataset, ListedDataset } from '../api/types.js';
import { Pager, useCursorPager } from '../components/Pager.js';
import { Empty, ErrorState, QueryState } from '../components/States.js';
import { FilePicker, UploadProgressView, UploadSettingsFields, useUpload, type UploadSettings } from '../components/Upload.js';
import { formatAgo, formatCount, formatDateTime } from '../lib/format.js';
import { isFinished, uploadFormatOf } from '../lib/upload-progress.js';

const PAGE_SIZE = 50;

export function DatasetsPage() {
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const pager = useCursorPager();
  const datasets = useQuery({
    queryKey: ['datasets', search, pager.cursor],
    queryFn: () => listDatasets({ q: search || undefined, cursor: pager.cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  return (
    <div className="page">
      <div className="page-header">
        <h1>Datasets</h1>
        <div className="actions">
          <input
            type="search"
            placeholder="Search by name"
            aria-label="Search datasets by name"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              pager.reset();
            }}
          />
          <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
            New dataset
          </button>
        </div>
      </div>
      {creating && <NewDataset onClose={() => setCreating(false)} />}
      {!datasets.isSuccess ? (
        <QueryState query={datasets} loading="Loading datasets…" failure="Could not list the datasets" />
      ) : datasets.data.data.length === 0 ? (
        search ? (
          <Empty title={`No dataset's name contains “${search}”`}>Clear the search to see them all.</Empty>
        ) : (
          <Empty title="No datasets yet">
            Press <strong>New dataset</strong> to make one from a CSV or JSONL file, or add one through the API (<code>POST /api/v1/datasets</code>).
          </Empty>
        )
      ) : (
        <>
          <table className="data-table" data-testid="datasets-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th className="num">Records</th>
                <th className="num">Versions</th>
                <th className="num">Experiments</th>
                <th>Latest experiment</th>
                <th>Last change</th>
              </tr>
            </thead>
            <tbody>
              {datasets.data.data.map((dataset) => (
                <DatasetRow key={dataset.id} dataset={dataset} />
              ))}
            </tbody>
          </table>
          <Pager page={pager.page} nextCursor={datasets.data.next_cursor} onNext={pager.next} onPrevious={pager.previous} />
        </>
      )}
    </div>
  );
}

function DatasetRow({ dataset }: { dataset: ListedDataset }) {
  return (
    <tr>
      <td>
        <Link to={`/datasets/${dataset.id}`}>{dataset.name}</Link>
        {dataset.managed_by === 'external' && (
          <span className="badge" title="Mirrors a dataset kept elsewhere: only experiment uploads change it">
            external
          </span>
        )}
      </td>
      <td className="muted clip">{dataset.description}</td>
      <td className="num">{formatCount(dataset.record_count)}</td>
      <td className="num">{formatCount(dataset.latest_version)}</td>
      <td className="num">{formatCount(dataset.experiment_count)}</td>
      <td title={dataset.latest_activity_at ? formatDateTime(dataset.latest_activity_at) : undefined}>
        {dataset.latest_activity_at ? formatAgo(dataset.latest_activity_at) : '–'}
      </td>
      <td title={formatDateTime(dataset.updated_at)}>{formatAgo(dataset.updated_at)}</td>
    </tr>
  );
}

/** Makes a dataset, and fills it from a file when one is chosen (its version 1). */
function NewDataset({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [file, setFile] = useState<File>();
  const [settings, setSettings] = useState<UploadSettings>({});
  const [created, setCreated] = useState<Dataset>();
  const [error, setError] = useState<unknown>();
  const upload = useUpload(() => void queryClient.invalidateQueries({ queryKey: ['datasets'] }));
  const busy = created !== undefined && upload.progress !== undefined && !isFinished(upload.progress);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (file && !uploadFormatOf(file.name, file.type)) {
      setError(new Error(`${file.name} is neither CSV nor JSONL: choose a .csv, .jsonl or .ndjson file.`));
      return;
    }
    try {
      const dataset = created ?? (await createDataset({ name: name.trim(), description: description.trim() || null }));
      setCreated(dataset);
      await queryClient.invalidateQueries({ queryKey: ['datasets'] });
      if (file) upload.start(dataset.id, file, settings);
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <form className="card new-dataset" onSubmit={submit} aria-label="New dataset">
      <div className="card-header">
        <h2>New dataset</h2>
        <button type="button" className="ghost" onClick={onClose} disabled={busy}>
          Close
        </button>
      </div>
      <div className="form-grid">
        <label>
          Name
          <input name="name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={200} disabled={created !== undefined} />
        </label>
        <label>
          <span>
            Description <span className="muted">(optional)</span>
          </span>
          <input name="description" value={description} onChange={(event) => setDescription(event.target.value)} disabled={created !== undefined} />
        </label>
      </div>
      <FilePicker file={file} onFile={setFile} disabled={busy} />
      {file && <UploadSettingsFields settings={settings} onChange={setSettings} disabled={busy} />}
      {error !== undefined && <ErrorState title="Could not create the dataset" error={error} />}
      {upload.progress && <UploadProgressView progress={upload.progress} fileName={upload.fileName} onCancel={upload.cancel} />}
      <div className="actions">
        {created && (!file || upload.progress?.phase === 'completed') ? (
          <Link className="button primary" to={`/datasets/${created.id}`}>
            Open {created.name}
          </Link>
        ) : busy ? (
          <button type="button" className="primary" disabled>
            Uploading…
          </button>
        ) : (
          <button type="submit" className="primary" disabled={name.trim() === ''}>
            {created ? 'Upload again' : file ? 'Create and upload' : 'Create empty dataset'}
          </button>
        )}
      </div>
    </form>
  );
}

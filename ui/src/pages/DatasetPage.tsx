import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { getDataset } from '../api/endpoints.js';
import { DownloadButton } from '../components/DownloadButton.js';
import { QueryState } from '../components/States.js';
import { Tabs } from '../components/Tabs.js';
import { formatAgo, formatCount, formatDateTime } from '../lib/format.js';
import { DiffTab } from './dataset/DiffTab.js';
import { ExperimentsTab } from './dataset/ExperimentsTab.js';
import { RecordsTab } from './dataset/RecordsTab.js';
import { UploadTab } from './dataset/UploadTab.js';
import { VersionsTab } from './dataset/VersionsTab.js';

const TABS = [
  { id: 'records', label: 'Records' },
  { id: 'versions', label: 'Versions' },
  { id: 'diff', label: 'Compare versions' },
  { id: 'experiments', label: 'Experiments' },
  { id: 'upload', label: 'Upload' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** A dataset: its records as of any version, its history, diffs, experiments, and uploads. */
export function DatasetPage() {
  const datasetId = useParams().datasetId!;
  const [params, setParams] = useSearchParams();
  const tab = (TABS.find((t) => t.id === params.get('tab'))?.id ?? 'records') as TabId;
  const dataset = useQuery({ queryKey: ['dataset', datasetId], queryFn: () => getDataset(datasetId) });
  // An empty `version=` in the address means the latest, as no version does.
  const version = params.get('version') || undefined;
  /** Moves within the page: the state lives in the address, so links and Back work. */
  const go = (changes: Record<string, string | undefined>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined) next.delete(name);
        else next.set(name, value);
      }
      return next;
    });

  if (!dataset.isSuccess) return <QueryState query={dataset} loading="Loading the dataset…" failure="Could not open the dataset" />;
  const d = dataset.data;
  const exportVersion = version ?? 'latest';
  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/datasets">Datasets</Link> /
      </div>
      <div className="page-header">
        <div>
          <h1>
            {d.name}
            {d.managed_by === 'external' && <span className="badge">external</span>}
          </h1>
          {d.description && <p className="muted">{d.description}</p>}
          <div className="facts">
            <span>
              <strong data-testid="dataset-record-count">{formatCount(d.record_count)}</strong> records
            </span>
            <span>
              version <strong data-testid="dataset-latest-version">{d.latest_version}</strong>
            </span>
            <span title={formatDateTime(d.updated_at)}>changed {formatAgo(d.updated_at)}</span>
          </div>
        </div>
        {d.latest_version > 0 && (
          <div className="actions">
            <span className="muted small">Export {version ? `version ${version}` : 'latest'}:</span>
            <DownloadButton path={`/datasets/${d.id}/export`} query={{ format: 'jsonl', version: exportVersion }} fileName={`${d.name}.jsonl`} label="JSONL" />
            <DownloadButton path={`/datasets/${d.id}/export`} query={{ format: 'csv', version: exportVersion }} fileName={`${d.name}.csv`} label="CSV" />
          </div>
        )}
      </div>
      <Tabs tabs={TABS} current={tab} onChange={(id) => go({ tab: id })} />
      {tab === 'records' && <RecordsTab dataset={d} version={version} onVersion={(v) => go({ version: v })} />}
      {tab === 'versions' && (
        <VersionsTab
          dataset={d}
          onBrowse={(v) => go({ tab: 'records', version: String(v) })}
          onDiff={(from, to) => go({ tab: 'diff', from: String(from), to: String(to) })}
        />
      )}
      {tab === 'diff' && (
        <DiffTab dataset={d} from={params.get('from') ?? undefined} to={params.get('to') ?? undefined} onChange={(from, to) => go({ from, to })} />
      )}
      {tab === 'experiments' && <ExperimentsTab dataset={d} />}
      {tab === 'upload' && <UploadTab dataset={d} />}
    </div>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { listRecords, type RecordFilters } from '../../api/endpoints.js';
import type { Dataset, DatasetRecord } from '../../api/types.js';
import { Drawer } from '../../components/Drawer.js';
import { JsonView } from '../../components/JsonView.js';
import { Pager, useCursorPager } from '../../components/Pager.js';
import { Empty, QueryState } from '../../components/States.js';
import { distinctId, distinctIds } from '../../lib/distinct-ids.js';
import { formatCount, formatDateTime, preview } from '../../lib/format.js';
import { useDebounced } from '../../lib/use-debounced.js';
import { useVersionChoices } from './use-versions.js';
import { VersionSelect } from './VersionSelect.js';

const PAGE_SIZE = 50;

interface FilterText {
  q: string;
  tags: string;
  splits: string;
  metadata: string;
}

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** The filters as the API takes them: tags and splits comma-separated, metadata as key=value pairs. */
function toFilters(text: FilterText, version: string | undefined): RecordFilters {
  return {
    version,
    q: text.q.trim() || undefined,
    tag: list(text.tags),
    split: list(text.splits),
    metadata: list(text.metadata).filter((pair) => /^[^=]+=/.test(pair)),
  };
}

export function RecordsTab({
  dataset,
  version,
  onVersion,
}: {
  dataset: Dataset;
  version: string | undefined;
  onVersion: (version: string | undefined) => void;
}) {
  const versions = useVersionChoices(dataset.id);
  const [text, setText] = useState<FilterText>({ q: '', tags: '', splits: '', metadata: '' });
  const filters = toFilters(useDebounced(text), version);
  const pager = useCursorPager();
  const { reset } = pager;
  const filterKey = JSON.stringify(filters);
  // biome-ignore lint/correctness/useExhaustiveDependencies: other filters start again from the first page
  useEffect(() => reset(), [filterKey, reset]);
  const [open, setOpen] = useState<DatasetRecord>();
  const records = useQuery({
    queryKey: ['records', dataset.id, filterKey, pager.cursor],
    queryFn: () => listRecords(dataset.id, { ...filters, cursor: pager.cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    enabled: dataset.latest_version > 0,
  });
  const labels = distinctIds(records.data?.data ?? []);
  const filtering = Boolean(filters.q || filters.tag?.length || filters.split?.length || filters.metadata?.length);
  const shownVersion = records.data?.version ?? (version ? Number(version) : dataset.latest_version);
  const versionInfo = versions.data?.data.find((v) => v.version === shownVersion);

  if (dataset.latest_version === 0) {
    return (
      <Empty title="This dataset has no records yet">
        Open the <strong>Upload</strong> tab to add records from a CSV or JSONL file, or add them through the API (
        <code>POST /api/v1/datasets/{dataset.id}/records</code>).
      </Empty>
    );
  }
  const set = (field: keyof FilterText) => (event: { target: { value: string } }) => setText((current) => ({ ...current, [field]: event.target.value }));
  return (
    <div>
      <div className="toolbar">
        <VersionSelect label="Version" versions={versions.data?.data ?? []} value={version} onChange={onVersion} />
        <input type="search" placeholder="Search input and expected output" aria-label="Search records" value={text.q} onChange={set('q')} className="grow" />
        <input
          placeholder="tags: a, b"
          aria-label="Filter by tags (all of them)"
          value={text.tags}
          onChange={set('tags')}
          title="Records with every one of these tags"
        />
        <input
          placeholder="splits: train, test"
          aria-label="Filter by splits (any of them)"
          value={text.splits}
          onChange={set('splits')}
          title="Records in any of these splits"
        />
        <input
          placeholder="metadata: key=value"
          aria-label="Filter by metadata"
          value={text.metadata}
          onChange={set('metadata')}
          title="key=value pairs, comma-separated; values are read as JSON when they parse"
        />
      </div>
      {versionInfo && (
        <div className="muted small version-line" data-testid="records-version">
          Showing version {versionInfo.version}
          {versionInfo.version === dataset.latest_version ? ' (latest)' : ''}: “{versionInfo.message}” · {formatCount(versionInfo.record_count)} records ·{' '}
          {versionInfo.created_by ?? 'unknown key'} · {formatDateTime(versionInfo.created_at)}
        </div>
      )}
      {!records.isSuccess ? (
        <QueryState query={records} loading="Loading records…" failure="Could not list the records" />
      ) : records.data.data.length === 0 ? (
        <Empty title={filtering ? 'No record matches these filters' : 'This version has no records'}>
          {filtering ? 'Loosen or clear the filters.' : 'Pick another version.'}
        </Empty>
      ) : (
        <>
          <table className="data-table clickable" data-testid="records-table">
            <thead>
              <tr>
                <th>Id</th>
                <th>Input</th>
                <th>Expected output</th>
                <th>Tags</th>
                <th>Splits</th>
                <th>Metadata</th>
              </tr>
            </thead>
            <tbody>
              {records.data.data.map((record) => (
                <tr
                  key={record.id}
                  data-record-id={record.id}
                  onClick={() => setOpen(record)}
                  tabIndex={0}
                  onKeyDown={(event) => event.key === 'Enter' && setOpen(record)}
                >
                  <td className="mono" title={record.id} data-testid="record-label">
                    {labels.get(record.id)}
                  </td>
                  <td className="clip">{preview(record.input)}</td>
                  <td className="clip">{preview(record.expected_output)}</td>
                  <td>
                    {record.tags.map((tag) => (
                      <span key={tag} className="chip">
                        {tag}
                      </span>
                    ))}
                  </td>
                  <td>
                    {record.splits.map((split) => (
                      <span key={split} className="chip chip-split">
                        {split}
                      </span>
                    ))}
                  </td>
                  <td className="clip muted">{Object.keys(record.metadata).length ? preview(record.metadata, 80) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={pager.page} nextCursor={records.data.next_cursor} onNext={pager.next} onPrevious={pager.previous} label={`${PAGE_SIZE} a page`} />
        </>
      )}
      {open && (
        <Drawer title={`Record ${labels.get(open.id) ?? distinctId(open)}`} onClose={() => setOpen(undefined)}>
          <RecordDetails record={open} />
        </Drawer>
      )}
    </div>
  );
}

export function RecordDetails({ record }: { record: DatasetRecord }) {
  return (
    <div className="stack" data-testid="record-details">
      <dl className="facts-list">
        <dt>Id</dt>
        <dd className="mono">{record.id}</dd>
        <dt>External id</dt>
        <dd className="mono">{record.external_id ?? '–'}</dd>
        <dt>Tags</dt>
        <dd>{record.tags.join(', ') || '–'}</dd>
        <dt>Splits</dt>
        <dd>{record.splits.join(', ') || '–'}</dd>
        <dt>Changed</dt>
        <dd>{formatDateTime(record.updated_at)}</dd>
      </dl>
      <JsonView label="Input" value={record.input} />
      <JsonView label="Expected output" value={record.expected_output} />
      <JsonView label="Metadata" value={record.metadata} />
      {record.source && <JsonView label="Source" value={record.source} />}
    </div>
  );
}

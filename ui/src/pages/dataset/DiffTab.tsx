import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { diffVersions } from '../../api/endpoints.js';
import type { Dataset, DatasetRecord, Json, RecordChange } from '../../api/types.js';
import { Pager, useCursorPager } from '../../components/Pager.js';
import { Empty, QueryState } from '../../components/States.js';
import { TextDiff } from '../../components/TextDiff.js';
import { distinctIds } from '../../lib/distinct-ids.js';
import { displayText, preview } from '../../lib/format.js';
import { useVersionChoices } from './use-versions.js';
import { VersionSelect } from './VersionSelect.js';

const PAGE_SIZE = 50;
const FIELDS = ['input', 'expected_output', 'metadata', 'tags', 'splits', 'external_id', 'source'] as const;

/** The records that differ between two versions: added, removed, or changed field by field. */
export function DiffTab({
  dataset,
  from,
  to,
  onChange,
}: {
  dataset: Dataset;
  from: string | undefined;
  to: string | undefined;
  onChange: (from?: string, to?: string) => void;
}) {
  const versions = useVersionChoices(dataset.id);
  const latest = dataset.latest_version;
  const fromVersion = from ?? (latest > 1 ? String(latest - 1) : undefined);
  const toVersion = to ?? (latest > 0 ? String(latest) : undefined);
  const pager = useCursorPager();
  const { reset } = pager;
  // biome-ignore lint/correctness/useExhaustiveDependencies: other versions start again from the first page
  useEffect(() => reset(), [fromVersion, toVersion, reset]);
  const diff = useQuery({
    queryKey: ['diff', dataset.id, fromVersion, toVersion, pager.cursor],
    queryFn: () => diffVersions(dataset.id, { from: fromVersion!, to: toVersion!, cursor: pager.cursor, limit: PAGE_SIZE }),
    enabled: fromVersion !== undefined && toVersion !== undefined,
    placeholderData: keepPreviousData,
  });
  if (latest < 2) return <Empty title="Nothing to compare yet">A dataset needs two versions to compare; this one has {latest}.</Empty>;
  const choices = versions.data?.data ?? [];
  return (
    <div>
      <div className="toolbar">
        <VersionSelect label="From" versions={choices} value={fromVersion} onChange={(v) => onChange(v, toVersion)} allowLatest={false} />
        <span aria-hidden="true">→</span>
        <VersionSelect label="To" versions={choices} value={toVersion} onChange={(v) => onChange(fromVersion, v)} allowLatest={false} />
      </div>
      {!diff.isSuccess ? (
        <QueryState query={diff} loading="Comparing versions…" failure="Could not compare the versions" />
      ) : diff.data.data.length === 0 ? (
        <Empty title={`No record differs between v${diff.data.from} and v${diff.data.to}`}>Pick two other versions.</Empty>
      ) : (
        <>
          <div className="diff-list" data-testid="diff-list">
            {(() => {
              const labels = distinctIds(diff.data.data.map((change) => (change.after ?? change.before)!));
              return diff.data.data.map((change) => (
                <ChangeView key={change.record_id} change={change} label={labels.get((change.after ?? change.before)!.id)} />
              ));
            })()}
          </div>
          <Pager
            page={pager.page}
            nextCursor={diff.data.next_cursor}
            onNext={pager.next}
            onPrevious={pager.previous}
            label={`v${diff.data.from} → v${diff.data.to}`}
          />
        </>
      )}
    </div>
  );
}

function ChangeView({ change, label }: { change: RecordChange; label: string | undefined }) {
  const record = (change.after ?? change.before)!;
  return (
    <div className={`diff-item diff-${change.change}`} data-change={change.change}>
      <div className="diff-item-header">
        <span className={`badge badge-${change.change}`}>{change.change}</span>
        <span className="mono" title={record.id}>
          {label}
        </span>
        {change.change !== 'changed' && <span className="clip muted">{preview(record.input, 200)}</span>}
      </div>
      {change.change === 'changed' && change.before && change.after && <FieldDiffs before={change.before} after={change.after} />}
    </div>
  );
}

function FieldDiffs({ before, after }: { before: DatasetRecord; after: DatasetRecord }) {
  const changed = FIELDS.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
  return (
    <div className="field-diffs">
      {changed.map((field) => (
        <div key={field} className="field-diff">
          <div className="json-label">{field}</div>
          <TextDiff before={displayText(before[field] as Json)} after={displayText(after[field] as Json)} />
        </div>
      ))}
    </div>
  );
}

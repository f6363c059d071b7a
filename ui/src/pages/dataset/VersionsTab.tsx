import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { listVersions } from '../../api/endpoints.js';
import type { Dataset } from '../../api/types.js';
import { Pager, useCursorPager } from '../../components/Pager.js';
import { Empty, QueryState } from '../../components/States.js';
import { formatAgo, formatCount, formatDateTime } from '../../lib/format.js';

const PAGE_SIZE = 50;

export function VersionsTab({
  dataset,
  onBrowse,
  onDiff,
}: {
  dataset: Dataset;
  onBrowse: (version: number) => void;
  onDiff: (from: number, to: number) => void;
}) {
  const pager = useCursorPager();
  const versions = useQuery({
    queryKey: ['versions', dataset.id, pager.cursor],
    queryFn: () => listVersions(dataset.id, { cursor: pager.cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  if (!versions.isSuccess) return <QueryState query={versions} loading="Loading versions…" failure="Could not list the versions" />;
  if (versions.data.data.length === 0) {
    return <Empty title="No versions yet">The first change to the dataset's records commits version 1. Use the Upload tab to add some.</Empty>;
  }
  return (
    <>
      <table className="data-table" data-testid="versions-table">
        <thead>
          <tr>
            <th>Version</th>
            <th>Message</th>
            <th>By</th>
            <th>When</th>
            <th className="num">Added</th>
            <th className="num">Updated</th>
            <th className="num">Removed</th>
            <th className="num">Records</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.data.data.map((version) => (
            <tr key={version.version} data-version={version.version}>
              <td>
                <strong>v{version.version}</strong>
                {version.name && <span className="badge">{version.name}</span>}
              </td>
              <td className="clip">{version.message}</td>
              <td>{version.created_by ?? <span className="muted">–</span>}</td>
              <td title={formatDateTime(version.created_at)}>{formatAgo(version.created_at)}</td>
              <td className="num added">{version.records_added ? `+${formatCount(version.records_added)}` : '–'}</td>
              <td className="num changed">{version.records_updated ? `~${formatCount(version.records_updated)}` : '–'}</td>
              <td className="num removed">{version.records_removed ? `−${formatCount(version.records_removed)}` : '–'}</td>
              <td className="num">{formatCount(version.record_count)}</td>
              <td className="row-actions">
                <button type="button" className="small" onClick={() => onBrowse(version.version)}>
                  Browse
                </button>
                {version.version > 1 && (
                  <button type="button" className="small" onClick={() => onDiff(version.version - 1, version.version)}>
                    Diff with v{version.version - 1}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={pager.page} nextCursor={versions.data.next_cursor} onNext={pager.next} onPrevious={pager.previous} />
    </>
  );
}

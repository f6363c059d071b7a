import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { comparisonRows } from '../../api/endpoints.js';
import type { CellChange, ChangeFilter, ComparisonRow, Experiment, RunFilters, RunWithScores } from '../../api/types.js';
import { Drawer } from '../../components/Drawer.js';
import { JsonView } from '../../components/JsonView.js';
import { Empty, QueryState } from '../../components/States.js';
import { TextDiff } from '../../components/TextDiff.js';
import { distinctIds } from '../../lib/distinct-ids.js';
import { displayText, formatCost, formatCount, formatMs, formatScore, formatSigned } from '../../lib/format.js';

/** Rows asked of the server at a time; more are fetched as the list is scrolled near its end. */
const ROWS_PAGE = 100;
const RECORD_COLUMN = 280;
const EXPERIMENT_COLUMN = 300;
/** Characters of an output diffed in a cell: more than a cell shows, few enough to diff at once. */
const CELL_DIFF_CHARS = 2_000;
/** One shared empty list for cells without a run, so that the memoised cell sees the same props. */
const NO_RUNS: RunWithScores[] = [];

export interface RowsQuery {
  experimentIds: string[];
  baselineId: string | undefined;
  change: ChangeFilter | undefined;
  filters: RunFilters | undefined;
  q?: string;
  sort?: RowsSort;
}

/** How the rows are ordered: by a score key's change against the baseline, or by the score. */
export type RowsSort = NonNullable<Parameters<typeof comparisonRows>[0]['sort']>;

/**
 * The records side by side, each experiment's output in its column. Only the rows on screen are
 * in the page (virtualized), and pages of rows are fetched as the list is scrolled, so a comparison
 * of 100,000 records reads and draws as quickly as one of 100.
 */
export function ComparisonRows({
  query,
  order,
  colors,
  showDiff,
}: {
  query: RowsQuery;
  /** The experiments whose columns are shown. */
  order: Experiment[];
  colors: Map<string, string>;
  showDiff: boolean;
}) {
  const rows = useInfiniteQuery({
    queryKey: ['comparison-rows', query],
    queryFn: ({ pageParam, signal }) =>
      comparisonRows(
        {
          experiment_ids: query.experimentIds,
          baseline_id: query.baselineId,
          change: query.change,
          filters: query.filters,
          q: query.q,
          sort: query.sort,
          cursor: pageParam,
          limit: ROWS_PAGE,
          // The total is counted once, with the first page.
          count: pageParam === undefined,
        },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  // Rebuilt only when a page arrives, not on every scroll frame.
  const loaded = useMemo(() => rows.data?.pages.flatMap((page) => page.data) ?? [], [rows.data]);
  const total = rows.data?.pages[0]?.total;
  const labels = useMemo(() => distinctIds(loaded.map((row) => row.record)), [loaded]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<HTMLDivElement>(null);
  const [headerHeight, setHeaderHeight] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the header is measured again when its columns change
  useLayoutEffect(() => setHeaderHeight(headerRef.current?.offsetHeight ?? 0), [order.length]);
  const [open, setOpen] = useState<ComparisonRow>();
  const count = loaded.length + (rows.hasNextPage ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 150,
    overscan: 5,
    scrollMargin: headerHeight,
    getItemKey: (index) => loaded[index]?.record.id ?? 'more',
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = rows;
  useEffect(() => {
    if (lastIndex >= loaded.length - 1 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastIndex, loaded.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (!rows.isSuccess) return <QueryState query={rows} loading="Loading the records side by side…" failure="Could not load the rows" />;
  if (loaded.length === 0) {
    return query.q ? (
      <Empty title={`No record has “${query.q}”`}>No record's input or expected output, nor any run's output or error, has this text.</Empty>
    ) : query.change ? (
      <Empty title={`No record ${query.change.kind} on “${query.change.key}”`}>
        No compared experiment scored a record {query.change.kind === 'regressed' ? 'lower' : 'higher'} than the baseline on this key. Show all records, or pick
        another score key.
      </Empty>
    ) : (
      <Empty title="No record has a run in these experiments">Runs recorded against the dataset's records appear here.</Empty>
    );
  }
  const baselineId = query.baselineId;
  const width = RECORD_COLUMN + order.length * EXPERIMENT_COLUMN;
  const columns = `${RECORD_COLUMN}px repeat(${order.length}, minmax(${EXPERIMENT_COLUMN}px, 1fr))`;
  return (
    <>
      <div className="rows-status muted small" data-testid="rows-status">
        {total !== undefined && (
          <strong data-testid="rows-total" data-total={total}>
            {formatCount(total)} {total === 1 ? 'record matches' : 'records match'}.{' '}
          </strong>
        )}
        {formatCount(loaded.length)} records loaded{rows.hasNextPage ? '; more load as you scroll' : ', all of them'}. Click a row for its full details.
      </div>
      <div className="rows-scroll" ref={scrollRef} data-testid="comparison-rows">
        <div style={{ minWidth: width }}>
          <div className="rows-header" ref={headerRef} style={{ gridTemplateColumns: columns }}>
            <div>Record</div>
            {order.map((experiment) => (
              <div key={experiment.id} title={experiment.name}>
                <i className="swatch" style={{ background: colors.get(experiment.id) }} />
                {experiment.name}
                {experiment.id === baselineId && <span className="badge">baseline</span>}
              </div>
            ))}
          </div>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const row = loaded[item.index];
              return (
                // biome-ignore lint/a11y/useSemanticElements: a row of the grid holds block content, which a <button> may not
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="rows-row"
                  style={{ transform: `translateY(${item.start - headerHeight}px)`, gridTemplateColumns: columns }}
                  onClick={row ? () => setOpen(row) : undefined}
                  onKeyDown={row ? (event) => opensOnKey(event, () => setOpen(row)) : undefined}
                  role="button"
                  tabIndex={row ? 0 : -1}
                  aria-disabled={!row}
                  aria-label={row ? 'Open the record with its runs' : 'Loading more records'}
                  data-testid={row ? 'comparison-row' : undefined}
                  data-record-id={row?.record.id}
                >
                  {row ? (
                    <>
                      <div className="cell record-cell">
                        <div className="mono muted small" title={row.record.id} data-testid="record-label">
                          {labels.get(row.record.id)}
                        </div>
                        <div className="cell-text">{displayText(row.record.input)}</div>
                        {row.record.expected_output !== null && (
                          <div className="cell-expected" title="Expected output">
                            <span className="muted small">expected </span>
                            {displayText(row.record.expected_output)}
                          </div>
                        )}
                      </div>
                      {order.map((experiment) => (
                        <RunCell
                          key={experiment.id}
                          experimentId={experiment.id}
                          runs={row.runs[experiment.id] ?? NO_RUNS}
                          baselineRuns={baselineId && experiment.id !== baselineId && showDiff ? row.runs[baselineId] : undefined}
                          changes={row.changes?.[experiment.id]}
                        />
                      ))}
                    </>
                  ) : (
                    <div className="cell muted">Loading more records…</div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {open && (
        <Drawer title={`Record ${labels.get(open.record.id) ?? ''}, side by side`} onClose={() => setOpen(undefined)} wide>
          <RowDetails row={open} order={order} colors={colors} baselineId={baselineId} />
        </Drawer>
      )}
    </>
  );
}

/** Mean score of each key over a cell's runs (its repetitions). */
function meanScores(runs: RunWithScores[]): Map<string, number | string> {
  const sums = new Map<string, { sum: number; n: number; value?: string }>();
  for (const run of runs) {
    for (const score of run.scores) {
      const entry = sums.get(score.key) ?? { sum: 0, n: 0 };
      if (score.score !== null) {
        entry.sum += score.score;
        entry.n += 1;
      } else if (typeof score.value === 'string') {
        entry.value = score.value;
      }
      sums.set(score.key, entry);
    }
  }
  return new Map([...sums].map(([key, { sum, n, value }]) => [key, n > 0 ? sum / n : (value ?? '–')]));
}

/** Memoised: its props are the row's own arrays and objects, unchanged while the list scrolls. */
const RunCell = memo(function RunCell({
  experimentId,
  runs,
  baselineRuns,
  changes,
}: {
  experimentId: string;
  runs: RunWithScores[];
  baselineRuns: RunWithScores[] | undefined;
  changes: Record<string, CellChange> | undefined;
}) {
  if (runs.length === 0)
    return (
      <div className="cell muted" data-experiment-id={experimentId}>
        No run
      </div>
    );
  const first = runs[0]!;
  const output = displayText(first.output);
  // A cell shows the start of an output; the row's drawer shows it whole.
  const baselineOutput = baselineRuns?.[0] ? displayText(baselineRuns[0].output).slice(0, CELL_DIFF_CHARS) : undefined;
  const scores = meanScores(runs);
  return (
    <div className="cell run-cell" data-experiment-id={experimentId}>
      {first.error ? (
        <div className="cell-error">{first.error}</div>
      ) : baselineOutput !== undefined ? (
        <div className="cell-text">
          <TextDiff before={baselineOutput} after={output.slice(0, CELL_DIFF_CHARS)} />
        </div>
      ) : (
        <div className="cell-text">{output}</div>
      )}
      <div className="cell-scores">
        {[...scores]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => {
            const change = changes?.[key];
            return (
              <span
                key={key}
                className={`score-chip ${change?.change ?? ''}`}
                data-score-key={key}
                data-change={change?.change ?? undefined}
                data-delta={change?.delta ?? undefined}
                title={
                  change && change.delta !== null
                    ? `${key}: ${formatScore(change.value)} vs baseline ${formatScore(change.baseline)} (${formatSigned(change.delta)})`
                    : key
                }
              >
                {key} {typeof value === 'number' ? formatScore(value) : value}
                {change?.delta ? <small> {formatSigned(change.delta)}</small> : null}
              </span>
            );
          })}
      </div>
      <div className="cell-meta muted small">
        {formatMs(first.latency_ms)} · {formatCount(first.total_tokens)} tok · {formatCost(first.total_cost)}
        {runs.length > 1 && ` · ${runs.length} repetitions (first shown, scores averaged)`}
      </div>
    </div>
  );
});

function RowDetails({
  row,
  order,
  colors,
  baselineId,
}: {
  row: ComparisonRow;
  order: Experiment[];
  colors: Map<string, string>;
  baselineId: string | undefined;
}) {
  return (
    <div className="stack">
      <JsonView label="Input" value={row.record.input} />
      <JsonView label="Expected output" value={row.record.expected_output} />
      {order.map((experiment) => (
        <section key={experiment.id} className="card">
          <h3>
            <i className="swatch" style={{ background: colors.get(experiment.id) }} />
            {experiment.name} {experiment.id === baselineId && <span className="badge">baseline</span>}
          </h3>
          {(row.runs[experiment.id] ?? []).length === 0 && <div className="muted">No run of this record.</div>}
          {(row.runs[experiment.id] ?? []).map((run) => (
            <div key={run.id} className="stack">
              <div className="muted small">
                Repetition {run.repetition ?? 1} · {run.status} · {formatMs(run.latency_ms)} · {formatCount(run.total_tokens)} tokens ·{' '}
                {formatCost(run.total_cost)}
              </div>
              {run.error && <div className="cell-error">{run.error}</div>}
              <JsonView value={run.output} />
              {run.scores.length > 0 && (
                <table className="compact">
                  <tbody>
                    {run.scores.map((score) => (
                      <tr key={score.id}>
                        <th>{score.key}</th>
                        <td className="num">{score.score !== null ? formatScore(score.score) : displayText(score.value)}</td>
                        <td className="muted small">{score.comment}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}

/** Enter and Space open a focused row, as a click does. */
function opensOnKey(event: KeyboardEvent, open: () => void): void {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  event.preventDefault();
  open();
}

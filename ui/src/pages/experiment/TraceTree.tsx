import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { listRuns } from '../../api/endpoints.js';
import type { Run } from '../../api/types.js';
import { JsonView } from '../../components/JsonView.js';
import { QueryState } from '../../components/States.js';
import { formatCost, formatCount, formatMs } from '../../lib/format.js';
import { buildTraceTree, flattenTrace, type TraceNode } from '../../lib/trace-tree.js';

/** At most this many runs of one trace are read (10 pages). */
const MAX_TRACE_RUNS = 10_000;
/** Without a trace id, children are found level by level; this bounds the requests. */
const MAX_CHILD_LOOKUPS = 200;

/** Every run of the trace `root` belongs to: by its trace id, else by following parent_run_id down from it. */
async function traceRuns(root: Run): Promise<Run[]> {
  if (root.trace_id) {
    const runs: Run[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(root.experiment_id, { trace_id: root.trace_id, cursor, limit: 1000 });
      runs.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && runs.length < MAX_TRACE_RUNS);
    return runs.some((run) => run.id === root.id) ? runs : [root, ...runs];
  }
  const runs: Run[] = [root];
  const queue = [root.id];
  let lookups = 0;
  while (queue.length && lookups < MAX_CHILD_LOOKUPS) {
    const parent = queue.shift()!;
    lookups += 1;
    const children = await listRuns(root.experiment_id, { parent_run_id: parent, limit: 1000 });
    runs.push(...children.data);
    queue.push(...children.data.map((child) => child.id));
  }
  return runs;
}

/**
 * The runs of a trace as an indented tree with a time bar each; choosing one shows its details. The
 * selected run is the caller's when it passes `selected` and `onSelect` (to keep it in the address).
 */
export function TraceTree({ root, selected: chosenId, onSelect }: { root: Run; selected?: string; onSelect?: (runId: string) => void }) {
  const trace = useQuery({ queryKey: ['trace', root.id], queryFn: () => traceRuns(root) });
  const [ownSelected, setOwnSelected] = useState<string>(root.id);
  const selected = onSelect ? (chosenId ?? root.id) : ownSelected;
  const setSelected = onSelect ?? setOwnSelected;
  // Built once per load of the trace, not on every click that selects a run.
  const layout = useMemo(() => (trace.data ? traceLayout(trace.data) : undefined), [trace.data]);
  if (!trace.isSuccess) return <QueryState query={trace} loading="Loading the trace…" failure="Could not load the trace" />;
  const { nodes, times, start, span } = layout!;
  const chosen = nodes.find((node) => node.run.id === selected)?.run ?? root;
  return (
    <div className="trace">
      <div className="muted small">{nodes.length === 1 ? 'This run has no child runs.' : `${formatCount(nodes.length)} runs in this trace.`}</div>
      <ul className="trace-tree" data-testid="trace-tree">
        {nodes.map((node) => (
          <TraceLine
            key={node.run.id}
            node={node}
            selected={node.run.id === selected}
            onSelect={() => setSelected(node.run.id)}
            start={start}
            span={times.length ? span : 0}
          />
        ))}
      </ul>
      <RunDetails run={chosen} />
    </div>
  );
}

/** The trace's runs in display order, and the time range their bars are drawn against. */
function traceLayout(runs: Run[]): { nodes: TraceNode[]; times: number[]; start: number; span: number } {
  const nodes = flattenTrace(buildTraceTree(runs));
  const times = runs.flatMap((run) => {
    const span = timeSpan(run);
    return span ? [span.from, span.to] : [];
  });
  const start = Math.min(...times);
  const span = Math.max(...times) - start || 1;
  return { nodes, times, start, span };
}

function TraceLine({ node, selected, onSelect, start, span }: { node: TraceNode; selected: boolean; onSelect: () => void; start: number; span: number }) {
  const run = node.run;
  const time = timeSpan(run);
  return (
    <li className={selected ? 'selected' : undefined} data-run-id={run.id}>
      <button type="button" className="trace-line" onClick={onSelect} style={{ paddingLeft: 8 + node.depth * 18 }}>
        <span className={`dot ${run.error ? 'bad' : 'good'}`} aria-hidden="true" />
        <span className="trace-name">{run.name ?? run.run_type ?? 'run'}</span>
        {run.run_type && run.name && <span className="muted small">{run.run_type}</span>}
        <span className="trace-time muted small">{formatMs(run.latency_ms)}</span>
        {span > 0 && time && (
          <span className="trace-bar" aria-hidden="true">
            <i style={{ left: `${((time.from - start) / span) * 100}%`, width: `${Math.max(0.5, ((time.to - time.from) / span) * 100)}%` }} />
          </span>
        )}
      </button>
    </li>
  );
}

/** When a run started and ended, in epoch ms; its end from its latency when it has no end time. */
function timeSpan(run: Run): { from: number; to: number } | undefined {
  if (!run.start_time) return undefined;
  const from = Date.parse(run.start_time);
  return { from, to: run.end_time ? Date.parse(run.end_time) : from + (run.latency_ms ?? 0) };
}

export function RunDetails({ run }: { run: Run }) {
  return (
    <div className="stack" data-testid="run-details">
      <dl className="facts-list">
        <dt>Run</dt>
        <dd className="mono">{run.id}</dd>
        <dt>Status</dt>
        <dd>{run.status}</dd>
        <dt>Latency</dt>
        <dd>
          {formatMs(run.latency_ms)}
          {run.first_token_ms !== null && ` (first token ${formatMs(run.first_token_ms)})`}
        </dd>
        <dt>Tokens</dt>
        <dd>
          {formatCount(run.total_tokens)} ({formatCount(run.prompt_tokens)} prompt, {formatCount(run.completion_tokens)} completion)
        </dd>
        <dt>Cost</dt>
        <dd>{formatCost(run.total_cost)}</dd>
      </dl>
      {run.error && <div className="cell-error">{run.error}</div>}
      <JsonView label="Input" value={run.input} />
      <JsonView label="Output" value={run.output} />
      {Object.keys(run.metadata).length > 0 && <JsonView label="Metadata" value={run.metadata} />}
    </div>
  );
}

import type { Run } from '../api/types.js';

export interface TraceNode {
  run: Run;
  depth: number;
  children: TraceNode[];
}

/**
 * The runs of a trace as trees: each run under its parent (parent_run_id), children in start order.
 * Runs whose parent is not among them are roots. Returns the roots, depth-first order being the
 * order to show them in.
 */
export function buildTraceTree(runs: readonly Run[]): TraceNode[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  const children = new Map<string, Run[]>();
  const roots: Run[] = [];
  for (const run of runs) {
    if (run.parent_run_id && run.parent_run_id !== run.id && byId.has(run.parent_run_id)) {
      const siblings = children.get(run.parent_run_id);
      if (siblings) siblings.push(run);
      else children.set(run.parent_run_id, [run]);
    } else {
      roots.push(run);
    }
  }
  const seen = new Set<string>();
  const grow = (run: Run, depth: number): TraceNode => {
    seen.add(run.id);
    const kids = (children.get(run.id) ?? []).filter((child) => !seen.has(child.id)).sort(byStart);
    return { run, depth, children: kids.map((child) => grow(child, depth + 1)) };
  };
  const trees = roots.sort(byStart).map((run) => grow(run, 0));
  // Runs whose parent links form a loop are reached from no root; they are shown, from the earliest.
  for (const run of [...runs].sort(byStart)) if (!seen.has(run.id)) trees.push(grow(run, 0));
  return trees;
}

/** The nodes of the trees in display order (depth first). */
export function flattenTrace(roots: readonly TraceNode[]): TraceNode[] {
  return roots.flatMap((node) => [node, ...flattenTrace(node.children)]);
}

function byStart(a: Run, b: Run): number {
  return (a.start_time ?? a.created_at).localeCompare(b.start_time ?? b.created_at) || a.id.localeCompare(b.id);
}

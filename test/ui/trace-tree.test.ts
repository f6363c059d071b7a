import { describe, expect, it } from 'vitest';
import type { Run } from '../../ui/src/api/types.js';
import { buildTraceTree, flattenTrace } from '../../ui/src/lib/trace-tree.js';

const run = (id: string, parent: string | null, start: string): Run =>
  ({ id, parent_run_id: parent, start_time: `2026-01-01T00:00:0${start}Z`, created_at: '2026-01-01T00:00:00Z' }) as Run;

describe('trace trees (a run and its child runs)', () => {
  it('puts each run under its parent, children in start order, depth first', () => {
    const runs = [run('llm', 'root', '2'), run('tool', 'llm', '3'), run('root', null, '0'), run('retrieve', 'root', '1')];
    const nodes = flattenTrace(buildTraceTree(runs));
    expect(nodes.map((node) => [node.run.id, node.depth])).toEqual([
      ['root', 0],
      ['retrieve', 1],
      ['llm', 1],
      ['tool', 2],
    ]);
  });

  it('makes runs whose parent is missing roots, and shows runs whose parents loop', () => {
    const orphans = buildTraceTree([run('a', 'gone', '1'), run('b', null, '0')]);
    expect(orphans.map((node) => node.run.id)).toEqual(['b', 'a']);
    const cycle = buildTraceTree([run('x', 'y', '0'), run('y', 'x', '1'), run('self', 'self', '2')]);
    expect(flattenTrace(cycle).map((node) => [node.run.id, node.depth])).toEqual([
      ['self', 0],
      ['x', 0],
      ['y', 1],
    ]);
  });
});

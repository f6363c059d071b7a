import { describe, expect, it } from 'vitest';
import { parseRunsState, runsQuery, runsSearch } from '../../ui/src/pages/experiment/runs-state.js';

describe('the experiment page’s runs view in its address', () => {
  it('reads back what it wrote, keeping the other parameters of the address', () => {
    const search =
      'errors=1&latency_min=100&latency_max=900&score_key=quality&score_min=0.6&score_max=0.65&q=capital&metadata=model=gpt&record_metadata=region=europe&tag=geo&tag=hard&sort=score:quality&order=desc&cursor=c1&cursor=c2&run=r1&node=n1';
    const state = parseRunsState(new URLSearchParams(search));
    expect(state).toEqual({
      errorsOnly: true,
      latencyMin: 100,
      latencyMax: 900,
      scoreKey: 'quality',
      scoreMin: 0.6,
      scoreMax: 0.65,
      scoreValue: undefined,
      q: 'capital',
      metadata: ['model=gpt'],
      recordMetadata: ['region=europe'],
      tags: ['geo', 'hard'],
      sort: 'score:quality',
      order: 'desc',
      cursors: ['c1', 'c2'],
      run: 'r1',
      node: 'n1',
    });
    const written = runsSearch(state, new URLSearchParams('tab=other&run=old'));
    expect(written.get('tab')).toBe('other');
    expect(parseRunsState(written)).toEqual(state);
  });

  it('asks the runs list for the results of the page, with the filters; record filters only on a dataset', () => {
    const state = parseRunsState(new URLSearchParams('errors=1&score_key=correct&score_min=1&tag=geo&cursor=c1&cursor=c2'));
    expect(runsQuery(state, true, 50)).toMatchObject({
      root_only: true,
      limit: 50,
      cursor: 'c2',
      status: 'error',
      score_key: 'correct',
      score_min: 1,
      tag: ['geo'],
      sort: 'id',
      order: 'asc',
    });
    expect(runsQuery(state, false, 50).tag).toBeUndefined();
  });

  it('ignores what it cannot read: a bad number, an unknown sort, a score range without its key, a node without a run', () => {
    const state = parseRunsState(new URLSearchParams('latency_min=abc&sort=drop table&score_min=1&node=n1'));
    expect(state).toMatchObject({ latencyMin: undefined, sort: 'id', scoreKey: undefined });
    expect(runsQuery(state, true, 50).score_min).toBeUndefined();
    expect(runsSearch(state).has('node')).toBe(false);
  });
});

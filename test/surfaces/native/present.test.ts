import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/domain/types.js';
import type { ComparisonRow } from '../../../src/services/comparisons/index.js';
import { presentComparisonRow, presentRun } from '../../../src/surfaces/native/present.js';

const run = {
  id: 'r1',
  experiment_id: 'e1',
  output: 'a',
  metadata: {},
  extra: { model: 'm', id: 'not the id' },
} as unknown as Run;

/** How the native API shows runs (present.ts): the fields a client sent beyond the documented ones beside them. */
describe('native presenters', () => {
  it('shows a run with its extra fields beside the documented ones, which they never override', () => {
    expect(presentRun(run)).toEqual({ id: 'r1', experiment_id: 'e1', output: 'a', metadata: {}, model: 'm' });
  });

  it("shows every run of a comparison's row so", () => {
    const row = { record: { id: 'x' }, runs: { e1: [{ ...run, scores: [] }] } } as unknown as ComparisonRow;
    expect(presentComparisonRow(row).runs.e1).toEqual([{ id: 'r1', experiment_id: 'e1', output: 'a', metadata: {}, model: 'm', scores: [] }]);
  });
});

import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentComparisonRow } from '../present.js';
import { Errors } from '../schemas/common.js';
import { CompareBody, Comparison, ComparisonRowsPage, RowsBody } from '../schemas/comparisons.js';

const tags = ['Comparisons'];

export function comparisonRoutes(app: SurfaceApp, services: Services): void {
  app.post('/comparisons', {
    config: { access: 'read' },
    schema: {
      summary: 'Compare experiments',
      description: [
        'Aggregates of each experiment on one dataset (runs, records, error and streaming rates, latency and first-token p50/p99, token and cost totals, per score key n/mean/stdev/min/max and categorical counts),',
        'optionally within groups of a run or record metadata key (runs without the key form the group `null`).',
        'With `baseline_id`: per other experiment and numeric score key, the records that improved, regressed or stayed (per record, repetitions are averaged),',
        'and a paired t-test of the differences on the records both ran (two-sided p-value, 95% interval, n).',
        'Percentiles interpolate linearly between order statistics (as PostgreSQL percentile_cont). Filters apply to runs before anything is counted.',
      ].join(' '),
      tags,
      body: CompareBody,
      response: { 200: Comparison, ...Errors },
    },
    handler: (request) => services.comparisons.compare(request.actor, request.body),
  });

  app.post('/comparisons/rows', {
    config: { access: 'read' },
    schema: {
      summary: 'Records side by side',
      description:
        "The comparison's records (as of the newest dataset version the experiments ran on) that have a run in scope, in record-id order, each with every experiment's runs (all repetitions) and their scores; with a baseline, each cell's change against it. `change` keeps only records that improved or regressed, `q` those with a text; `sort` orders them by a score or its change against the baseline; `count` adds the total.",
      tags,
      body: RowsBody,
      response: { 200: ComparisonRowsPage, ...Errors },
    },
    handler: async (request) => {
      const page = await services.comparisons.rows(request.actor, request.body);
      return { ...page, data: page.data.map(presentComparisonRow) };
    },
  });
}

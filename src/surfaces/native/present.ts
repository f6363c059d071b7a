import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Dataset, Run } from '../../domain/types.js';
import type { DatasetExperimentSummary } from '../../services/experiments.js';
import type { ComparisonRow } from '../../services/comparisons/index.js';

/** A run as the native API shows it: the fields it was sent with beyond the documented ones sit beside them. */
export function presentRun<T extends Run>(run: T): Omit<T, 'extra'> {
  const { extra, ...fields } = run;
  return { ...extra, ...fields };
}

/** A dataset in the list: with its experiment count and latest activity (the later of its experiments' latest creation and start). */
export function presentListedDataset(dataset: Dataset, summary: DatasetExperimentSummary | undefined) {
  return {
    ...dataset,
    experiment_count: summary?.experiment_count ?? 0,
    latest_activity_at:
      [summary?.last_start_time, summary?.last_created_at]
        .flatMap((time) => time ?? [])
        .sort()
        .at(-1) ?? null,
  };
}

/** A row of a comparison: its record, and each experiment's runs as the native API shows runs. */
export function presentComparisonRow(row: ComparisonRow) {
  return { ...row, runs: Object.fromEntries(Object.entries(row.runs).map(([experimentId, runs]) => [experimentId, runs.map(presentRun)])) };
}

/** A deletion's answer: 204 No Content, sent once it is done. */
export async function presentDeletion(reply: Pick<FastifyReply, 'status'>, deletion: Promise<void>): Promise<void> {
  await deletion;
  reply.status(204).send(null);
}

/** An export, streamed as it is read (memory stays flat): a JSONL or CSV attachment named `name` (and its extension). */
export function presentExport(reply: FastifyReply, exported: { format: 'jsonl' | 'csv'; chunks: AsyncIterable<string> }, name: string): FastifyReply {
  return reply
    .type(exported.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.${exported.format}"`)
    .send(Readable.from(exported.chunks));
}

import type { JsonObject } from '../../domain/json.js';
import type { Dataset, DatasetRecord, DatasetVersion, Experiment, Run } from '../../domain/types.js';
import { globalId, versionGlobalId } from './ids.js';

/** Where an experiment keeps what Phoenix has and evalstore's experiments do not (its repetitions), in its metadata. */
export const PHOENIX_KEY = 'phoenix';

export function presentDataset(dataset: Dataset) {
  return {
    id: globalId('Dataset', dataset.id),
    name: dataset.name,
    description: dataset.description,
    metadata: dataset.metadata,
    created_at: dataset.created_at,
    updated_at: dataset.updated_at,
    example_count: dataset.record_count,
  };
}

export function presentVersion(version: DatasetVersion) {
  return { version_id: versionGlobalId(version.version), description: version.message, metadata: {}, created_at: version.created_at };
}

/** An example: `id` is its external id when it has one (Phoenix's `example_ids`), `node_id` always its GlobalID. */
export function presentExample(record: DatasetRecord) {
  const nodeId = globalId('DatasetExample', record.id);
  return {
    id: record.external_id ?? nodeId,
    node_id: nodeId,
    input: record.input,
    output: record.expected_output,
    metadata: record.metadata,
    updated_at: record.updated_at,
  };
}

/** The Phoenix project an experiment's task traces go to: named after the experiment. */
export function projectNameOf(experiment: Pick<Experiment, 'id'>): string {
  return `Experiment-${experiment.id.replace(/-/g, '').slice(-24)}`;
}

export function repetitionsOf(experiment: Experiment): number {
  const own = experiment.metadata[PHOENIX_KEY];
  const repetitions = own && typeof own === 'object' && !Array.isArray(own) ? (own as JsonObject).repetitions : undefined;
  return typeof repetitions === 'number' ? repetitions : 1;
}

export interface RunCounts {
  examples: number;
  successful: number;
  failed: number;
}

export function presentExperiment(experiment: Experiment, counts: RunCounts) {
  const { [PHOENIX_KEY]: _own, ...metadata } = experiment.metadata;
  const repetitions = repetitionsOf(experiment);
  return {
    id: globalId('Experiment', experiment.id),
    dataset_id: experiment.dataset_id ? globalId('Dataset', experiment.dataset_id) : null,
    dataset_version_id: experiment.dataset_version === null ? null : versionGlobalId(experiment.dataset_version),
    name: experiment.name,
    description: experiment.description,
    repetitions,
    metadata,
    project_name: projectNameOf(experiment),
    created_at: experiment.created_at,
    updated_at: experiment.updated_at,
    example_count: counts.examples,
    successful_run_count: counts.successful,
    failed_run_count: counts.failed,
    missing_run_count: Math.max(0, counts.examples * repetitions - counts.successful - counts.failed),
  };
}

/** A run as Phoenix shows it: its output as the task returned it. */
export function presentRun(run: Run) {
  return {
    id: globalId('ExperimentRun', run.id),
    experiment_id: globalId('Experiment', run.experiment_id),
    dataset_example_id: run.record_id ? globalId('DatasetExample', run.record_id) : null,
    output: run.output,
    repetition_number: run.repetition ?? 1,
    start_time: run.start_time,
    end_time: run.end_time,
    trace_id: run.trace_id,
    error: run.error,
  };
}

import type { Json, JsonObject } from '../../domain/json.js';
import { formatCost } from '../../domain/money.js';
import type {
  ComparativeExperiment,
  Dataset,
  DatasetManager,
  DatasetRecord,
  DatasetVersion,
  Experiment,
  Project,
  Run,
  RunStatus,
  Score,
  ScoreSource,
} from '../../domain/types.js';
import type {
  ComparativeExperimentTable,
  DatasetTable,
  DatasetVersionTable,
  ExperimentTable,
  ProjectTable,
  RecordRevisionTable,
  RunTable,
  ScoreTable,
} from '../../store/schema.js';
import { revisionContent } from './revisions.js';

// Rows as services answer them: the domain objects of src/domain/types.ts, one present<Thing> each.

export function presentProject(row: ProjectTable): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as JsonObject,
    is_default: Boolean(row.is_default),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentDataset(row: DatasetTable): Dataset {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as JsonObject,
    managed_by: row.managed_by as DatasetManager,
    latest_version: row.latest_version,
    record_count: row.record_count,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** A version as services answer it (the record-id bound is the store's business). */
export function presentVersion(row: DatasetVersionTable): DatasetVersion {
  const { max_record_id: _bound, ...version } = row;
  return version;
}

export function presentRecord(row: RecordRevisionTable): DatasetRecord {
  const content = revisionContent(row);
  return {
    id: row.record_id,
    dataset_id: row.dataset_id,
    external_id: content.external_id,
    input: content.input,
    expected_output: content.expected_output,
    metadata: content.metadata,
    tags: content.tags,
    splits: content.splits,
    source: content.source,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentExperiment(row: ExperimentTable): Experiment {
  return {
    id: row.id,
    project_id: row.project_id,
    dataset_id: row.dataset_id,
    dataset_version: row.dataset_version,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as JsonObject,
    source: row.source,
    start_time: row.start_time,
    end_time: row.end_time,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentRun(row: RunTable): Run {
  return {
    id: row.id,
    experiment_id: row.experiment_id,
    record_id: row.record_id,
    repetition: row.repetition,
    name: row.name,
    run_type: row.run_type,
    status: row.status as RunStatus,
    input: row.input === null ? null : (JSON.parse(row.input) as Json),
    output: row.output === null ? null : (JSON.parse(row.output) as Json),
    error: row.error,
    start_time: row.start_time,
    end_time: row.end_time,
    latency_ms: row.latency_ms,
    first_token_ms: row.first_token_ms,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    total_tokens: row.total_tokens,
    prompt_cost: row.prompt_cost === null ? null : formatCost(row.prompt_cost),
    completion_cost: row.completion_cost === null ? null : formatCost(row.completion_cost),
    total_cost: row.total_cost === null ? null : formatCost(row.total_cost),
    metadata: JSON.parse(row.metadata) as JsonObject,
    trace_id: row.trace_id,
    parent_run_id: row.parent_run_id,
    extra: JSON.parse(row.extra) as JsonObject,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentScore(row: ScoreTable): Score {
  return {
    id: row.id,
    experiment_id: row.experiment_id,
    run_id: row.run_id,
    key: row.key,
    score: row.score,
    value: row.value === null ? null : (JSON.parse(row.value) as Json),
    comment: row.comment,
    correction: row.correction === null ? null : (JSON.parse(row.correction) as Json),
    source: row.source as ScoreSource,
    reviewer: row.reviewer_id === null ? null : { id: row.reviewer_id, name: row.reviewer_name },
    metadata: JSON.parse(row.metadata) as JsonObject,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentComparativeExperiment(row: ComparativeExperimentTable): ComparativeExperiment {
  return {
    id: row.id,
    dataset_id: row.dataset_id,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as JsonObject,
    experiment_ids: JSON.parse(row.experiment_ids) as string[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

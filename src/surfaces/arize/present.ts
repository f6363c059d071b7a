import type { JsonObject } from '../../domain/json.js';
import type { RecordScore } from '../../services/record-scores.js';
import type { Dataset, DatasetRecord, DatasetVersion, Experiment, Project, Run, Score, Workspace } from '../../domain/types.js';
import { exampleColumns } from './examples.js';
import { datasetVersionId, globalId } from './ids.js';
import { evaluationColumns } from './runs.js';

/** Arize AX's wire shapes for evalstore's entities (its OpenAPI `components.schemas`). */

/** A workspace is AX's one space: AX's SDKs resolve a space by name before most calls. */
/** An evalstore project as AX's `Project`, in the key's one space. */
export function presentProject(project: Project, workspaceId: string) {
  return { id: globalId('Project', project.id), name: project.name, space_id: globalId('Space', workspaceId), created_at: project.created_at };
}

export function presentSpace(workspace: Workspace) {
  return {
    id: globalId('Space', workspace.id),
    name: workspace.name,
    description: '',
    created_at: workspace.created_at,
    is_private: false,
  };
}

/**
 * An AX dataset version is an evalstore version. Evalstore versions have no name until given one, so
 * an unnamed version shows its number (names are never numbers, so the two cannot be confused). A
 * version never changes once committed: its `updated_at` is its `created_at`.
 */
function presentVersion(version: DatasetVersion) {
  return {
    id: datasetVersionId(version.dataset_id, version.version),
    name: version.name ?? String(version.version),
    dataset_id: globalId('Dataset', version.dataset_id),
    created_at: version.created_at,
    updated_at: version.created_at,
  };
}

export function presentDataset(dataset: Dataset, workspaceId: string, versions?: readonly DatasetVersion[]) {
  return {
    id: globalId('Dataset', dataset.id),
    name: dataset.name,
    space_id: globalId('Space', workspaceId),
    created_at: dataset.created_at,
    updated_at: dataset.updated_at,
    ...(versions ? { versions: versions.map(presentVersion) } : {}),
  };
}

/** `DatasetVersionWithExampleIds`: the dataset, the version written to, and the examples written. */
export function presentWrittenVersion(dataset: Dataset, workspaceId: string, version: number, exampleIds: readonly string[]) {
  return {
    ...presentDataset(dataset, workspaceId),
    dataset_version_id: datasetVersionId(dataset.id, version),
    example_ids: exampleIds,
  };
}

/** An example: the record's row (examples.ts tells how a record becomes one) and the server's columns. */
export function presentExample(record: DatasetRecord, annotations: readonly RecordScore[] = []) {
  return {
    id: record.id,
    ...exampleColumns(record),
    created_at: record.created_at,
    updated_at: record.updated_at,
    ...(annotations.length ? { annotations: annotations.map(presentAnnotation) } : {}),
  };
}

/**
 * An experiment. Its traces project is the evalstore project it belongs to (where its runs' spans
 * live); evalstore experiments are never backed by an agent integration.
 */
export function presentExperiment(experiment: Experiment, workspaceId: string) {
  const onDataset = experiment.dataset_id !== null && experiment.dataset_version !== null;
  return {
    id: globalId('Experiment', experiment.id),
    name: experiment.name,
    space_id: globalId('Space', workspaceId),
    dataset_id: experiment.dataset_id === null ? null : globalId('Dataset', experiment.dataset_id),
    dataset_version_id: onDataset ? datasetVersionId(experiment.dataset_id!, experiment.dataset_version!) : null,
    created_at: experiment.created_at,
    updated_at: experiment.updated_at,
    experiment_traces_project_id: globalId('Project', experiment.project_id),
    integration_id: null,
  };
}

/** A run as AX shows it, with its scores as `eval.<key>.*` columns (runs.ts tells the mapping). */
export function presentRun(run: Run, scores: readonly Score[]): JsonObject {
  const annotations = scores.filter((score) => score.source === 'human');
  return {
    id: run.id,
    example_id: run.record_id,
    output: run.output === null || typeof run.output === 'string' ? run.output : JSON.stringify(run.output),
    error: run.error,
    ...(run.latency_ms === null ? {} : { latency_ms: run.latency_ms }),
    ...run.extra,
    ...evaluationColumns(scores.filter((score) => score.source !== 'human')),
    ...(annotations.length ? { annotations: annotations.map(presentAnnotation) } : {}),
  };
}

/**
 * A human score as AX's `Annotation`: its key the name, its number the score, its text value the label,
 * its comment the text; the annotator (kept in the score's metadata) as AX's user, whose `email` is the
 * name evalstore knows the person or key by.
 */
export function presentAnnotation(score: Score | RecordScore): JsonObject {
  const annotator = score.metadata.annotator;
  const annotatorId = score.metadata.annotator_id;
  const label = 'label' in score ? score.label : typeof score.value === 'string' ? score.value : null;
  return {
    name: score.key,
    ...(score.score === null ? {} : { score: score.score }),
    ...(label === null ? {} : { label }),
    ...(score.comment === null ? {} : { text: score.comment }),
    updated_at: score.updated_at,
    ...(typeof annotator === 'string' ? { annotator: { id: typeof annotatorId === 'string' ? annotatorId : annotator, email: annotator } } : {}),
  };
}

/** AX list envelopes: `next_cursor` is present exactly when `has_more` is true. */
export function presentPagination(nextCursor: string | null) {
  return nextCursor === null ? { has_more: false } : { has_more: true, next_cursor: nextCursor };
}

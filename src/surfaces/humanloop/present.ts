import type { JsonObject } from '../../domain/json.js';
import type { Dataset, DatasetRecord, DatasetVersion, Project } from '../../domain/types.js';
import { datapointFields } from './datapoints.js';
import { datasetIdFor, humanloopId, versionId } from './ids.js';

/** Humanloop's wire shapes for evalstore's entities (its v4 and v5 OpenAPI models, spec Part B). */

/** v4 `DatasetResponse`. */
export function presentV4Dataset(dataset: Dataset) {
  return {
    id: datasetIdFor('v4', dataset.id),
    project_id: humanloopId('project', dataset.project_id),
    name: dataset.name,
    description: dataset.description ?? '',
    datapoint_count: dataset.record_count,
    created_at: dataset.created_at,
    updated_at: dataset.updated_at,
  };
}

/**
 * v4 `ProjectResponse`. Evalstore keeps no users, feedback types or configs of a project, and does
 * not count its logs (`data_count` is 0); the team is the workspace.
 */
export function presentV4Project(project: Project, workspaceId: string) {
  return {
    id: humanloopId('project', project.id),
    name: project.name,
    users: [],
    data_count: 0,
    feedback_types: [],
    team_id: workspaceId,
    created_at: project.created_at,
    updated_at: project.updated_at,
  };
}

/** v4 `DatapointResponse`; `source_project_data_id` is the log a datapoint was made from. */
export function presentV4Datapoint(record: DatasetRecord) {
  const runId = record.source?.run_id;
  return {
    id: humanloopId('datapoint', record.id),
    dataset_id: datasetIdFor('v4', record.dataset_id),
    ...datapointFields(record),
    ...(typeof runId === 'string' ? { source_project_data_id: humanloopId('log', runId) } : {}),
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

/** v5 `DatapointResponse`. */
export function presentV5Datapoint(record: DatasetRecord) {
  return { id: humanloopId('datapoint', record.id), ...datapointFields(record) };
}

/**
 * v5 `DatasetResponse`: a dataset at one version. The path is the dataset's name (Humanloop's
 * folders are part of it), the attributes its metadata, the version's description its message.
 * Environments (deployments) are not kept, so none is listed.
 */
export function presentV5Dataset(dataset: Dataset, version: DatasetVersion, datapoints?: DatasetRecord[]) {
  return {
    path: dataset.name,
    id: datasetIdFor('v5', dataset.id),
    name: dataset.name.split('/').at(-1) ?? dataset.name,
    ...(dataset.description === null ? {} : { description: dataset.description }),
    tags: [],
    version_id: versionId(dataset.id, version.version),
    type: 'dataset' as const,
    environments: [],
    created_at: dataset.created_at,
    updated_at: dataset.updated_at,
    last_used_at: dataset.updated_at,
    ...(version.name === null ? {} : { version_name: version.name }),
    ...(version.message === '' ? {} : { version_description: version.message }),
    datapoints_count: version.record_count,
    ...(datapoints === undefined ? {} : { datapoints: datapoints.map(presentV5Datapoint) }),
    attributes: dataset.metadata as JsonObject,
  };
}

/** Humanloop's page of a list: 1-based page numbers, and the total. */
export function presentPage<T>(records: T[], page: number, size: number, total: number) {
  return { records, page, size, total };
}

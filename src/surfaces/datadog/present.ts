import type { FastifyReply } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import type { FieldIssue } from '../../domain/errors.js';
import type { Dataset, DatasetRecord, DatasetVersion, Project } from '../../domain/types.js';
import type { NormalizedError } from '../../http/errors.js';

/**
 * Datadog's wire shapes (JSON:API) for evalstore's entities. Where Datadog's real server and its
 * generated TypeScript client disagree, the answer is a superset both read (spec A.6): empty fields are
 * always sent, and a record carries its fields both flat and under `attributes`.
 */

export const JSON_API = 'application/vnd.api+json';

/** Namespace of the derived ids (record versions, dataset versions): stable, so reads repeat. */
const NAMESPACE = 'b5b8e0f2-6a4d-4d8e-9f50-5a3c1f0e2d71';

export function projectResource(project: Project) {
  return {
    id: project.id,
    type: 'projects',
    attributes: {
      name: project.name,
      description: project.description ?? '',
      metadata: project.metadata,
      created_at: project.created_at,
      updated_at: project.updated_at,
    },
  };
}

export function datasetResource(dataset: Dataset, extra: Record<string, unknown> = {}) {
  return {
    id: dataset.id,
    type: 'datasets',
    attributes: {
      name: dataset.name,
      description: dataset.description ?? '',
      metadata: dataset.metadata,
      current_version: dataset.latest_version,
      record_count: dataset.record_count,
      project_id: dataset.project_id,
      dataset_type: 'user',
      created_at: dataset.created_at,
      updated_at: dataset.updated_at,
      ...extra,
    },
  };
}

/** A record's Datadog id: the id its writer gave (evalstore's external_id), else evalstore's record id. */
function datadogRecordId(record: DatasetRecord): string {
  return record.external_id ?? record.id;
}

/** A record with its fields flat (what the TS client reads) and under `attributes` (what dd-trace reads). */
export function recordResource(record: DatasetRecord, extra: Record<string, unknown> = {}) {
  const fields = {
    dataset_id: record.dataset_id,
    input: record.input,
    expected_output: record.expected_output,
    metadata: record.metadata,
    tags: record.tags,
    canonical_id: uuidv5(`${record.id}@${record.updated_at}`, NAMESPACE),
    created_at: record.created_at,
    updated_at: record.updated_at,
    ...extra,
  };
  return { id: datadogRecordId(record), type: 'datasets', attributes: fields, ...fields };
}

/** An item of a records mutation: the record resource, plus the `records` list the TS client requires. */
export function mutationItem(record: DatasetRecord, extra: Record<string, unknown>) {
  const resource = recordResource(record, extra);
  const { attributes: _attributes, type: _type, ...flat } = resource;
  return { ...resource, records: [flat] };
}

export function versionResource(version: Pick<DatasetVersion, 'dataset_id' | 'version' | 'created_at'> & Partial<DatasetVersion>) {
  return {
    id: uuidv5(`${version.dataset_id}:${version.version}`, NAMESPACE),
    type: 'dataset_version',
    attributes: {
      dataset_id: version.dataset_id,
      version_number: version.version,
      last_used: version.created_at,
      created_at: version.created_at,
      ...(version.message === undefined ? {} : { message: version.message, name: version.name ?? null, record_count: version.record_count }),
    },
  };
}

/** JSON:API errors: one per field at fault, each with `source` naming it (pointer, parameter or header). */
export function sendJsonApiError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  const issues: (FieldIssue | undefined)[] = error.issues.length ? error.issues.slice(0, 20) : [undefined];
  const errors = issues.map((issue, index) => ({
    status: String(error.status),
    title: error.title,
    detail: index === 0 || !issue ? error.detail : `${issue.pointer || '/'} ${issue.detail}`,
    ...(issue ? { source: sourceOf(issue) } : {}),
    meta: {
      code: error.code,
      ...(issue?.line === undefined ? {} : { line: issue.line }),
      ...(issue?.column === undefined ? {} : { column: issue.column }),
    },
  }));
  return reply.status(error.status).type(JSON_API).send(JSON.stringify({ errors }));
}

function sourceOf(issue: FieldIssue): Record<string, string> {
  switch (issue.in) {
    case 'query':
    case 'params':
      return { parameter: issue.pointer.replace(/^\//, '') };
    case 'headers':
      return { header: issue.pointer.replace(/^\//, '') };
    case 'line':
      return { pointer: '/file' };
    default:
      return { pointer: issue.pointer };
  }
}

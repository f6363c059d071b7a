import { Type } from '@sinclair/typebox';
import type { Services } from '../../../services/index.js';
import type { NativeApp } from '../app.js';
import { DatasetVersion, Errors, Id, Page, PageQuery, RecordChange, VersionNameBody, VersionParam } from '../schemas.js';

const tags = ['Versions'];
const datasetParams = Type.Object({ dataset_id: Id });
const versionParams = Type.Object({ dataset_id: Id, version: VersionParam });

export function versionRoutes(app: NativeApp, services: Services): void {
  app.get('/datasets/:dataset_id/versions', {
    schema: {
      summary: 'List versions, newest first',
      tags,
      params: datasetParams,
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { 200: Page(DatasetVersion), ...Errors },
    },
    handler: (request) => services.versions.list(request.actor, request.params.dataset_id, request.query),
  });

  app.get('/datasets/:dataset_id/versions/:version', {
    schema: { summary: 'Get a version by number or name', tags, params: versionParams, response: { 200: DatasetVersion, ...Errors } },
    handler: (request) => services.versions.get(request.actor, request.params.dataset_id, request.params.version),
  });

  app.patch('/datasets/:dataset_id/versions/:version', {
    schema: {
      summary: 'Name a version',
      description: 'Names are unique within a dataset (409 otherwise) and can then stand for the number anywhere a version is asked for.',
      tags,
      params: versionParams,
      body: VersionNameBody,
      response: { 200: DatasetVersion, ...Errors },
    },
    handler: (request) =>
      services.versions.name(request.actor, request.params.dataset_id, request.params.version, request.body.name),
  });

  app.get('/datasets/:dataset_id/diff', {
    schema: {
      summary: 'Records that differ between two versions',
      description: 'Each differing record, by id, as added, removed or changed from `from` to `to` (default latest), with its content in both.',
      tags,
      params: datasetParams,
      querystring: Type.Object(
        { ...PageQuery, from: VersionParam, to: Type.Optional(VersionParam) },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Intersect([Type.Object({ from: Type.Integer(), to: Type.Integer() }), Page(RecordChange)]),
        ...Errors,
      },
    },
    handler: (request) => services.versions.diff(request.actor, request.params.dataset_id, request.query),
  });
}

import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { DatasetParams, Errors, Page } from '../schemas/common.js';
import { DatasetVersion, DiffQuery, VersionDiff, VersionNameBody, VersionPageQuery, VersionParams } from '../schemas/datasets.js';

const tags = ['Versions'];

export function versionRoutes(app: SurfaceApp, services: Services): void {
  app.get('/datasets/:dataset_id/versions', {
    schema: {
      summary: 'List versions, newest first',
      tags,
      params: DatasetParams,
      querystring: VersionPageQuery,
      response: { 200: Page(DatasetVersion), ...Errors },
    },
    handler: (request) => services.versions.list(request.actor, request.params.dataset_id, request.query),
  });

  app.get('/datasets/:dataset_id/versions/:version', {
    schema: { summary: 'Get a version by number or name', tags, params: VersionParams, response: { 200: DatasetVersion, ...Errors } },
    handler: (request) => services.versions.get(request.actor, request.params.dataset_id, request.params.version),
  });

  app.patch('/datasets/:dataset_id/versions/:version', {
    schema: {
      summary: 'Name a version',
      description: 'Names are unique within a dataset (409 otherwise) and can then stand for the number anywhere a version is asked for.',
      tags,
      params: VersionParams,
      body: VersionNameBody,
      response: { 200: DatasetVersion, ...Errors },
    },
    handler: (request) => services.versions.name(request.actor, request.params.dataset_id, request.params.version, request.body.name),
  });

  app.get('/datasets/:dataset_id/diff', {
    schema: {
      summary: 'Records that differ between two versions',
      description: 'Each differing record, by id, as added, removed or changed from `from` to `to` (default latest), with its content in both.',
      tags,
      params: DatasetParams,
      querystring: DiffQuery,
      response: { 200: VersionDiff, ...Errors },
    },
    handler: (request) => services.versions.diff(request.actor, request.params.dataset_id, request.query),
  });
}

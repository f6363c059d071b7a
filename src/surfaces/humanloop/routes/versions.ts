import { ConflictError, ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { uuidInPath } from '../ids.js';
import { presentV5Dataset } from '../present.js';
import { DatasetParams, EnvironmentParams, V5VersionParams, V5VersionsQuery, V5VersionUpdate } from '../schemas.js';
import { recordsAt, versionInPath } from '../versions.js';

/** v5 dataset versions: each is the dataset as that version holds it; a version may be named, never changed. */
export function versionRoutes(app: SurfaceApp, services: Services): void {
  app.get('/v5/datasets/:dataset_id/versions', {
    schema: { hide: true, params: DatasetParams, querystring: V5VersionsQuery },
    handler: async (request) => {
      const id = uuidInPath('dataset', request.params.dataset_id);
      const dataset = await services.datasets.get(request.actor, id);
      const versions = await allPages((cursor) => services.versions.list(request.actor, id, { cursor, limit: LIMITS.pageSizeMax }));
      // `latest_saved` (and the older `latest_committed`) include the datapoints of the latest version only.
      const latestDatapoints = request.query.include_datapoints ? await recordsAt(services, request.actor, id, dataset.latest_version) : undefined;
      return {
        records: versions.map((version) => presentV5Dataset(dataset, version, version.version === dataset.latest_version ? latestDatapoints : undefined)),
      };
    },
  });

  app.patch('/v5/datasets/:dataset_id/versions/:version_id', {
    schema: { hide: true, params: V5VersionParams, body: V5VersionUpdate },
    handler: async (request) => {
      const id = uuidInPath('dataset', request.params.dataset_id);
      const version = versionInPath(id, request.params.version_id);
      const current = await services.versions.get(request.actor, id, version);
      const { name, description } = request.body;
      if (description !== undefined && description !== current.message) {
        throw ValidationError.field('/description', "cannot change: a version's description is its commit message, and committed versions never change", {
          in: 'body',
        });
      }
      const named = name === undefined ? current : await services.versions.name(request.actor, id, version, name);
      return presentV5Dataset(await services.datasets.get(request.actor, id), named);
    },
  });

  // Evalstore keeps every version forever and deploys none: these are refused, after the dataset
  // (and version) they name is found, in Humanloop's error shape.
  app.delete('/v5/datasets/:dataset_id/versions/:version_id', {
    schema: { hide: true, params: V5VersionParams },
    handler: async (request) => {
      const id = uuidInPath('dataset', request.params.dataset_id);
      await services.versions.get(request.actor, id, versionInPath(id, request.params.version_id));
      throw new ConflictError('Dataset versions cannot be deleted: evalstore keeps every version forever, so that experiments on it stay readable');
    },
  });

  app.get('/v5/datasets/:dataset_id/environments', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request) => {
      await services.datasets.get(request.actor, uuidInPath('dataset', request.params.dataset_id));
      throw noDeployments();
    },
  });

  for (const method of ['post', 'delete'] as const) {
    app[method]('/v5/datasets/:dataset_id/environments/:environment_id', {
      schema: { hide: true, params: EnvironmentParams },
      handler: async (request) => {
        await services.datasets.get(request.actor, uuidInPath('dataset', request.params.dataset_id));
        throw noDeployments();
      },
    });
  }
}

function noDeployments(): ConflictError {
  return new ConflictError('Evalstore has no environments and deploys no versions: name a version by its version_id (or omit it for the latest)');
}

import type { Actor, Dataset } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import { wantsEventStream } from '../../../http/sse.js';
import type { Services } from '../../../services/index.js';
import { presentVersion, sendJsonApi } from '../present.js';
import { datasetIn } from '../requests.js';
import { DatasetParams, UnstableDatasetParams, UploadQuery } from '../schemas.js';
import { streamUpload, uploadFile } from '../uploads.js';

/** The public CSV upload, answered as Server-Sent Events. */
export function uploadRoutes(app: SurfaceApp, services: Services): void {
  app.post('/:project_id/datasets/:dataset_id/records/upload', {
    schema: { params: DatasetParams, querystring: UploadQuery },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      return streamUpload(services, { request, query: request.query, dataset, deduplicateScope: 'dataset' }, reply);
    },
  });
}

/**
 * dd-trace-py's bulk upload: no project in the path, de-duplication within the file only; answers JSON
 * (the dataset's version) after the commit, or the same event stream as the public route when the
 * client asks for text/event-stream.
 */
export function unstableUploadRoutes(app: SurfaceApp, services: Services): void {
  app.post('/datasets/:dataset_id/records/upload', {
    schema: { params: UnstableDatasetParams, querystring: UploadQuery },
    handler: async (request, reply) => {
      const dataset = await services.datasets.get(request.actor, request.params.dataset_id);
      const upload = { request, query: request.query, dataset, deduplicateScope: 'file' } as const;
      if (wantsEventStream(request.headers.accept)) return streamUpload(services, upload, reply);
      const summary = await uploadFile(services, upload);
      return sendJsonApi(reply, 200, { data: presentVersion(summary.version ?? (await latestVersion(services, request.actor, dataset))) });
    },
  });
}

/** The version the dataset is at; version 0, which holds nothing, only while it has none. */
async function latestVersion(services: Services, actor: Actor, dataset: Dataset) {
  const [latest] = (await services.versions.list(actor, dataset.id, { limit: 1 })).data;
  return latest ?? { dataset_id: dataset.id, version: 0, created_at: dataset.created_at };
}

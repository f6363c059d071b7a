import type { SurfaceApp } from '../../../http/app.js';

/**
 * LangSmith features evalstore does not offer, answered plainly rather than with a bare route-not-found
 * 404: 400 in LangSmith's shape (`{"detail": "..."}`) saying the feature is not offered, so that the
 * SDK's error says so. Nothing is read or written.
 */
const NOT_OFFERED: { methods: ('GET' | 'PUT' | 'POST' | 'DELETE')[]; url: string; feature: string }[] = [
  {
    methods: ['GET', 'PUT', 'DELETE'],
    url: '/datasets/:dataset_id/share',
    feature: 'Public sharing of datasets (shareDataset, unshareDataset, readDatasetSharedSchema)',
  },
  { methods: ['GET', 'PUT', 'DELETE'], url: '/runs/:run_id/share', feature: 'Public sharing of runs (shareRun, unshareRun, readRunSharedLink)' },
  { methods: ['POST', 'DELETE'], url: '/api/v2/runs/:run_id/share', feature: 'Public sharing of runs (client.runs.share)' },
  { methods: ['GET'], url: '/public/:share_token/datasets', feature: 'Public shared datasets (readSharedDataset)' },
  { methods: ['GET'], url: '/public/:share_token/examples', feature: 'Public shared datasets (listSharedExamples)' },
  { methods: ['GET', 'POST'], url: '/public/:share_token/runs', feature: 'Public shared runs (listSharedRuns)' },
  { methods: ['GET', 'POST', 'DELETE'], url: '/datasets/:dataset_id/index', feature: 'Indexing datasets for example search by embeddings (indexDataset)' },
  { methods: ['POST'], url: '/datasets/:dataset_id/search', feature: 'Example search by embeddings (similarExamples)' },
];

export function notOfferedRoutes(app: SurfaceApp): void {
  for (const { methods, url, feature } of NOT_OFFERED) {
    app.route({
      method: methods,
      url,
      config: { access: 'read' },
      schema: { hide: true },
      handler: async (_request, reply) =>
        reply
          .status(400)
          .type('application/json')
          .send(JSON.stringify({ detail: `${feature} is not offered by this server (evalstore).` })),
    });
  }
}

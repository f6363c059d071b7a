import { ValidationError } from '../../../domain/errors.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentRunGroup } from '../present.js';
import { DatasetParams, GroupRunsBody } from '../schemas.js';

const PATHS = ['/datasets/:dataset_id/group/runs', '/platform/datasets/:dataset_id/group/runs', '/v1/platform/datasets/:dataset_id/group/runs'];

/**
 * `POST /datasets/{dataset_id}/group/runs` (spec §11): the dataset's examples grouped by a run or
 * example metadata key, with each session's statistics within each group. Semantics the spec leaves
 * open are decided in docs/surfaces/langsmith.md: `offset`/`limit` page through groups (in group order,
 * examples without the key last, as the group `null`), `per_group_limit` caps the examples shown per
 * group, and group-level statistics pool the runs of every session (so feedback averages are weighted
 * by the number of scores).
 */
export function groupRunsRoutes(app: SurfaceApp, services: Services): void {
  for (const url of PATHS) {
    app.post(url, {
      config: { access: 'read' },
      schema: { hide: true, params: DatasetParams, body: GroupRunsBody },
      handler: async (request) => {
        const body = request.body;
        if (body.filters && Object.values(body.filters).some((filters) => filters.length > 0)) {
          throw ValidationError.field('/filters', 'run filters are not supported by this server; send null or empty lists');
        }
        const dataset = await services.datasets.get(request.actor, request.params.dataset_id);
        const groupBy = { source: body.group_by === 'run_metadata' ? ('run' as const) : ('record' as const), key: body.metadata_key };
        const view = await services.comparisons.groupedView(request.actor, {
          dataset_id: dataset.id,
          experiment_ids: body.session_ids,
          group_by: groupBy,
          offset: body.offset ?? 0,
          limit: body.limit ?? 10,
          per_group_limit: body.per_group_limit ?? 5,
        });
        const grouping = { group_by: body.group_by, metadata_key: body.metadata_key, preview: body.preview ?? false };
        return { groups: view.groups.map((group) => presentRunGroup(group, view.experiments, request.actor.workspaceId, grouping)) };
      },
    });
  }
}

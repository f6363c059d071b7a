import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { bearerToken, requireApiKey } from '../../http/auth.js';
import { handleErrorsWith } from '../../http/errors.js';
import type { Services } from '../../services/index.js';
import { presentError } from './errors.js';
import { datasetRoutes } from './routes/datasets.js';
import { experimentRoutes } from './routes/experiments.js';
import { runRoutes } from './routes/runs.js';

/** The Phoenix server version announced (`x-phoenix-server-version`): the REST v1 routes served are those of Phoenix 15. */
export const PHOENIX_VERSION = '15.0.0';

/**
 * Arize Phoenix's REST API v1 (datasets, experiments, runs, evaluations), mounted at /phoenix: a
 * client changes only its base URL (`PHOENIX_HOST=http://host:port/phoenix`). Keys come as
 * `Authorization: Bearer` (PHOENIX_API_KEY). Its traces go to the OTLP receiver under /phoenix/v1/traces
 * (src/surfaces/otlp). Errors are Phoenix's: text/plain details, 422 `{"detail": [...]}`.
 */
export function phoenixApi(services: Services): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, presentError);
    app.addHook('onSend', async (_request, reply) => {
      reply.header('x-phoenix-server-version', PHOENIX_VERSION);
    });
    requireApiKey(app, services.keys, bearerToken);
    app.get('/arize_phoenix_version', { config: { access: 'public' } }, async (_request, reply) => reply.type('text/plain').send(PHOENIX_VERSION));
    datasetRoutes(app, services);
    experimentRoutes(app, services);
    runRoutes(app, services);
  };
}

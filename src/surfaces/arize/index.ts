import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { bearerToken, requireApiKey } from '../../http/auth.js';
import { handleErrorsWith } from '../../http/errors.js';
import type { Services } from '../../services/index.js';
import { ARIZE_TERMS, presentError } from './errors.js';
import { datasetRoutes } from './routes/datasets.js';
import { exampleRoutes } from './routes/examples.js';
import { experimentRoutes } from './routes/experiments.js';
import { projectRoutes } from './routes/projects.js';
import { runRoutes } from './routes/runs.js';
import { spaceRoutes } from './routes/spaces.js';

/**
 * Arize AX's REST API v2 (datasets and experiments), mounted at /arize: a client changes only its base
 * URL (`https://api.arize.com` becomes `http://host:port/arize`). Keys come as `Authorization: Bearer`;
 * errors are RFC 9457 problem details with Arize's titles. docs/surfaces/arize.md maps AX's ids,
 * examples, versions and runs onto evalstore's.
 */
export function arizeApi(services: Services): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, presentError, ARIZE_TERMS);
    requireApiKey(app, services.keys, bearerToken);
    // AX takes JSON; other media types get 415 rather than a guess at their meaning.
    app.removeContentTypeParser('text/plain');

    spaceRoutes(app, services);
    projectRoutes(app, services);
    datasetRoutes(app, services);
    exampleRoutes(app, services);
    experimentRoutes(app, services);
    runRoutes(app, services);
  };
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { headerValue, requireApiKey } from '../../http/auth.js';
import { LIMITS } from '../../domain/limits.js';
import { handleErrorsWith } from '../../http/errors.js';
import { acceptMultipart } from '../../http/multipart.js';
import type { Services } from '../../services/index.js';
import { HUMANLOOP_TERMS, presentError } from './errors.js';
import { datapointRoutes } from './routes/datapoints.js';
import { datasetRoutes } from './routes/datasets.js';
import { evaluationRoutes } from './routes/evaluations.js';
import { fileRoutes } from './routes/files.js';
import { logRoutes } from './routes/logs.js';
import { projectRoutes } from './routes/projects.js';
import { versionRoutes } from './routes/versions.js';

/**
 * Humanloop's datasets and logs APIs, v4 and v5, mounted at /humanloop: a client changes only its base
 * URL (`https://api.humanloop.com/v5` becomes `http://host:port/humanloop/v5`). Keys come as
 * `X-API-KEY`, as both of Humanloop's SDKs send them; errors are FastAPI's, 422 for invalid input.
 * docs/surfaces/humanloop.md maps Humanloop's ids, datapoints, versions and logs onto evalstore's.
 *
 * Routes are grouped by resource, each file holding both APIs' routes of it: the two versions serve
 * the same resources over the same services and differ in their shapes (present.ts), so a resource's
 * behaviour reads in one place. The v4 SDK is humanloop@0.5.x, the v5 SDK humanloop@0.8.x.
 */
export function humanloopApi(services: Services): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, presentError, HUMANLOOP_TERMS);
    requireApiKey(app, services.keys, headerValue('x-api-key'));
    // Humanloop takes JSON; other media types get 415 rather than a guess at their meaning.
    app.removeContentTypeParser('text/plain');
    // …and multipart/form-data for the CSV upload, whose file is streamed, never held whole.
    await acceptMultipart(app, { maxFileBytes: LIMITS.uploadBytes });

    projectRoutes(app, services);
    datasetRoutes(app, services);
    datapointRoutes(app, services);
    versionRoutes(app, services);
    logRoutes(app, services);
    fileRoutes(app, services);
    evaluationRoutes(app, services);
  };
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { LIMITS } from '../../domain/limits.js';
import { bearerToken, firstKey, headerValue, requireKeyOrSession } from '../../http/auth.js';
import { handleErrorsWith } from '../../http/errors.js';
import { acceptMultipart } from '../../http/multipart.js';
import { refuseUnknownQuery } from '../../http/validation.js';
import type { Services } from '../../services/index.js';
import { sendProblem } from './errors.js';
import { annotationQueueRoutes } from './routes/annotation-queues.js';
import { comparisonRoutes } from './routes/comparisons.js';
import { datasetRoutes } from './routes/datasets.js';
import { experimentRoutes } from './routes/experiments.js';
import { logRoutes } from './routes/logs.js';
import { projectRoutes } from './routes/projects.js';
import { CSV_TYPES, JSONL_TYPES, recordRoutes } from './routes/records.js';
import { userRoutes } from './routes/users.js';
import { scoreConfigRoutes } from './routes/score-configs.js';
import { versionRoutes } from './routes/versions.js';
import { workspaceRoutes } from './routes/workspace.js';

// What the server takes from the native API for its own routes: the schemas the OpenAPI document
// lists once, under components, and the error format its docs, health and unknown paths answer in.
export { sendProblem } from './errors.js';
export { sharedSchemas } from './schemas/common.js';

/**
 * The native REST API, mounted at /api/v1. Keys come as `Authorization: Bearer` or `x-api-key`; the web
 * UI's signed-in users come with the session cookie (and a CSRF token on every request but GET).
 */
export function nativeApi(services: Services): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, sendProblem);
    requireKeyOrSession(app, services, firstKey(bearerToken, headerValue('x-api-key')));
    // The native API takes JSON; other media types get 415 rather than a guess at their meaning.
    app.removeContentTypeParser('text/plain');
    // Streamed bodies reach their handler unread; the handler consumes them as they arrive.
    app.addContentTypeParser([...JSONL_TYPES, ...CSV_TYPES], (_request, payload, done) => done(null, payload));
    await acceptMultipart(app, { maxFileBytes: LIMITS.uploadBytes });
    refuseUnknownQuery(app);

    workspaceRoutes(app, services);
    projectRoutes(app, services);
    datasetRoutes(app, services);
    recordRoutes(app, services);
    versionRoutes(app, services);
    experimentRoutes(app, services);
    logRoutes(app, services);
    comparisonRoutes(app, services);
    userRoutes(app, services);
    scoreConfigRoutes(app, services);
    annotationQueueRoutes(app, services);
  };
}

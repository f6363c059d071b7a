import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { LIMITS } from '../../domain/limits.js';
import type { SurfaceApp } from '../../http/app.js';
import { firstKey, headerValue, requireApiKey } from '../../http/auth.js';
import { handleErrorsWith } from '../../http/errors.js';
import { acceptMultipart } from '../../http/multipart.js';
import type { Services } from '../../services/index.js';
import { presentError } from './errors.js';
import { JSON_API } from './present.js';
import { datasetRoutes, unstableDatasetRoutes } from './routes/datasets.js';
import { eventRoutes, pagedEventRoutes, unstableEventRoutes } from './routes/events.js';
import { experimentRoutes } from './routes/experiments.js';
import { evalMetricRoutes, intakeRoutes } from './routes/intake.js';
import { projectRoutes } from './routes/projects.js';
import { recordRoutes } from './routes/records.js';
import { searchRoutes } from './routes/search.js';
import { unstableUploadRoutes, uploadRoutes } from './routes/uploads.js';

type Routes = (app: SurfaceApp, services: Services) => void;

/** The JSON routes, the same on the public and the unstable family. */
const JSON_ROUTES: Routes[] = [projectRoutes, datasetRoutes, recordRoutes, experimentRoutes, searchRoutes];

/** Each path family and its routes. */
const FAMILIES: Record<string, Routes[]> = {
  '/api/v2/llm-obs/v1': [...JSON_ROUTES, eventRoutes],
  '/api/v2/llm-obs/v2': [uploadRoutes, pagedEventRoutes],
  '/api/v2/llm-obs/v3': [pagedEventRoutes],
  '': [intakeRoutes, evalMetricRoutes],
  '/api/unstable/llm-obs/v1': [...JSON_ROUTES, unstableEventRoutes, unstableDatasetRoutes, unstableUploadRoutes],
};

/**
 * Datadog LLM Observability's datasets API, mounted at /datadog: a client changes only its base URL
 * (`https://api.datadoghq.com` becomes `http://host:port/datadog`). Both path families are served:
 * `/api/v2/llm-obs/v1|v2/...` (the public API, used by @datadog/datadog-api-client and dd-trace JS) and
 * `/api/unstable/llm-obs/v1/...` (used by dd-trace-py). The key is read from `DD-API-KEY`, or from
 * `DD-APPLICATION-KEY` when that header is absent. Errors are JSON:API `{"errors":[...]}`.
 */
export function datadogApi(services: Services): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, presentError);
    requireApiKey(app, services.keys, firstKey(headerValue('dd-api-key'), headerValue('dd-application-key')));
    app.addContentTypeParser(JSON_API, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
    await acceptMultipart(app, { maxFileBytes: LIMITS.uploadBytes });

    for (const [prefix, routes] of Object.entries(FAMILIES)) {
      await app.register(
        async (family) => {
          for (const addRoutes of routes) addRoutes(family, services);
        },
        { prefix },
      );
    }
  };
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { LangSmithIngestion } from '../../config.js';
import { bearerToken, firstKey, headerValue, requireApiKey } from '../../http/auth.js';
import { handleErrorsWith } from '../../http/errors.js';
import { acceptBufferedMultipart } from '../../http/multipart.js';
import type { Services } from '../../services/index.js';
import { sendFastApiError } from './errors.js';
import { annotationQueueRoutes } from './routes/annotation-queues.js';
import { comparativeRoutes } from './routes/comparative.js';
import { datasetRoutes } from './routes/datasets.js';
import { exampleRoutes } from './routes/examples.js';
import { feedbackRoutes } from './routes/feedback.js';
import { groupRunsRoutes } from './routes/group-runs.js';
import { infoRoutes } from './routes/info.js';
import { notOfferedRoutes } from './routes/not-offered.js';
import { runRoutes, runV2Routes } from './routes/runs.js';
import { sessionRoutes } from './routes/sessions.js';
import { uploadExperimentRoutes } from './routes/upload-experiment.js';

/** Where clients find the LangSmith surface: the SDK adds paths to its endpoint with or without `/api/v1` (spec §1.1). */
export const LANGSMITH_PREFIXES = ['/langsmith', '/langsmith/api/v1'] as const;

export interface LangSmithOptions {
  /** The run ingestion `/info` advertises to the SDK; both routes are served whatever it says. */
  ingestion: LangSmithIngestion;
}

/**
 * LangSmith's REST API, mounted under each of LANGSMITH_PREFIXES. Keys come as `x-api-key` (what the
 * SDK sends) or `Authorization: Bearer`; `x-tenant-id` is not needed, since a key belongs to one
 * workspace. Errors are FastAPI's: `{"detail": ...}`, 422 for invalid input.
 */
export function langsmithApi(services: Services, options: LangSmithOptions = { ingestion: 'multipart' }): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, sendFastApiError);
    requireApiKey(app, services.keys, firstKey(headerValue('x-api-key'), bearerToken));
    acceptBufferedMultipart(app);

    infoRoutes(app, options.ingestion);
    datasetRoutes(app, services);
    exampleRoutes(app, services);
    sessionRoutes(app, services);
    runRoutes(app, services);
    runV2Routes(app, services);
    feedbackRoutes(app, services);
    uploadExperimentRoutes(app, services);
    groupRunsRoutes(app, services);
    comparativeRoutes(app, services);
    notOfferedRoutes(app);
    annotationQueueRoutes(app, services);
  };
}

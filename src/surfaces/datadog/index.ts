import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { LIMITS } from '../../domain/limits.js';
import { firstKey, headerValue, requireApiKey } from '../../http/auth.js';
import { handleErrorsWith } from '../../http/errors.js';
import { acceptMultipart } from '../../http/multipart.js';
import type { Services } from '../../services/index.js';
import { JSON_API, sendJsonApiError } from './present.js';
import { uploadRoutes, v1Routes } from './routes.js';

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
    handleErrorsWith(app, sendJsonApiError);
    requireApiKey(app, services.keys, firstKey(headerValue('dd-api-key'), headerValue('dd-application-key')));
    app.addContentTypeParser(JSON_API, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
    await acceptMultipart(app, { maxFileBytes: LIMITS.uploadBytes });

    await app.register(async (v1) => v1Routes(v1.withTypeProvider<TypeBoxTypeProvider>(), services), { prefix: '/api/v2/llm-obs/v1' });
    await app.register(async (v2) => uploadRoutes(v2.withTypeProvider<TypeBoxTypeProvider>(), services, 'v2'), { prefix: '/api/v2/llm-obs/v2' });
    await app.register(
      async (unstable) => {
        const typed = unstable.withTypeProvider<TypeBoxTypeProvider>();
        v1Routes(typed, services);
        uploadRoutes(typed, services, 'unstable');
      },
      { prefix: '/api/unstable/llm-obs/v1' },
    );
  };
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { headerValue, requireApiKey } from '../../http/auth.js';
import { handleErrorsWith } from '../../http/errors.js';
import type { Services } from '../../services/index.js';
import { sendHumanloopError } from './errors.js';
import { v4Routes } from './routes/v4.js';
import { v5Routes } from './routes/v5.js';

/**
 * Humanloop's datasets and logs APIs, v4 and v5, mounted at /humanloop: a client changes only its base
 * URL (`https://api.humanloop.com/v5` becomes `http://host:port/humanloop/v5`). Keys come as
 * `X-API-KEY`, as both of Humanloop's SDKs send them; errors are FastAPI's, 422 for invalid input.
 * docs/surfaces/humanloop.md maps Humanloop's ids, datapoints, versions and logs onto evalstore's.
 */
export function humanloopApi(services: Services): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, sendHumanloopError);
    requireApiKey(app, services.keys, headerValue('x-api-key'));
    // Humanloop takes JSON; other media types get 415 rather than a guess at their meaning.
    app.removeContentTypeParser('text/plain');

    v4Routes(app, services);
    v5Routes(app, services);
  };
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { LIMITS } from '../../domain/limits.js';
import { PriceTable } from '../../domain/prices.js';
import { bearerToken, firstKey, headerValue, requireApiKey } from '../../http/auth.js';
import { handleErrorsWith, normalizeError } from '../../http/errors.js';
import type { Services } from '../../services/index.js';
import { JSON_TYPE, PROTOBUF } from './bodies.js';
import { presentError } from './errors.js';
import { limitConcurrentExports } from './load.js';
import { logRoutes } from './routes/logs.js';
import { traceRoutes } from './routes/traces.js';

export interface OtlpOptions {
  /** Largest export body, once decompressed (default LIMITS.bulkBodyBytes). */
  maxBodyBytes?: number;
  /** Export requests handled at once; those beyond are answered 503 with Retry-After (default 16). */
  maxConcurrentExports?: number;
  /** Prices for the costs of spans that carry a model and tokens but no cost (default: none). */
  prices?: PriceTable;
}

/** Where the receiver is mounted: exporters add `/v1/traces` and `/v1/logs` to OTEL_EXPORTER_OTLP_ENDPOINT (the server's root, or /phoenix). */
export const OTLP_PREFIXES = ['/v1', '/phoenix/v1'] as const;

/**
 * An OTLP/HTTP receiver (traces and logs; no gRPC), mounted under each of OTLP_PREFIXES. Bodies are protobuf or OTLP/JSON,
 * plain, gzip or deflate; the key comes as `Authorization: Bearer` or `x-api-key` (exporters send
 * OTEL_EXPORTER_OTLP_HEADERS). Answers and errors (google.rpc.Status) are in the request's encoding.
 */
export function otlpApi(services: Services, options: OtlpOptions = {}): FastifyPluginAsync {
  const maxBytes = options.maxBodyBytes ?? LIMITS.bulkBodyBytes;
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    handleErrorsWith(app, presentError);
    limitConcurrentExports(app, options.maxConcurrentExports ?? 16, (request, reply) =>
      presentError(reply.header('retry-after', '1'), {
        ...normalizeError(new Error('overloaded')),
        status: 503,
        code: 'unavailable',
        title: 'Service unavailable',
        detail: `The receiver is handling as many exports as it takes (${request.method} ${request.url} may be sent again)`,
        internal: false,
      }),
    );
    requireApiKey(app, services.keys, firstKey(bearerToken, headerValue('x-api-key')));
    app.removeAllContentTypeParsers();
    // The body is read whole as sent (compressed bodies may be up to the limit too), then inflated and decoded by the route.
    app.addContentTypeParser([PROTOBUF, JSON_TYPE], { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
    traceRoutes(app, services, maxBytes, options.prices ?? PriceTable.empty);
    logRoutes(app, services, maxBytes);
  };
}

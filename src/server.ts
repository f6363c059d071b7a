import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type Config, describeStore, instanceIdOf, type LangSmithIngestion, loadPriceTable, storeConfig } from './config.js';
import { LIMITS } from './domain/limits.js';
import type { Actor } from './domain/types.js';
import { SESSION_COOKIE } from './http/cookies.js';
import { answerClientError, closeAfterRefusal } from './http/connections.js';
import { handleErrorsWith, normalizeError } from './http/errors.js';
import { installValidators } from './http/validation.js';
import { createServices, type Services } from './services/index.js';
import { openStore } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { nativeApi, sendProblem, sharedSchemas } from './surfaces/native/index.js';
import { datadogApi } from './surfaces/datadog/index.js';
import { arizeApi } from './surfaces/arize/index.js';
import { humanloopApi } from './surfaces/humanloop/index.js';
import { LANGSMITH_PREFIXES, langsmithApi } from './surfaces/langsmith/index.js';
import { OTLP_PREFIXES, otlpApi, type OtlpOptions } from './surfaces/otlp/index.js';
import { phoenixApi } from './surfaces/phoenix/index.js';
import { appNotFoundPage, webUi } from './surfaces/ui/index.js';

const VERSION = '0.1.0';
const UPLOAD_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** Never log credentials, whichever surface's header carries them. */
const REDACTED_HEADERS = ['authorization', 'x-api-key', 'dd-api-key', 'dd-application-key', 'cookie', 'x-csrf-token'].map((name) => `req.headers["${name}"]`);

/** Query parameters that carry a key (`?api_key=`, as some clients send it): their values are never logged. */
const KEY_PARAMETERS = /([?&](?:api_key|apikey|api-key|key|token|access_token)=)[^&#]*/gi;

/** The request as the log shows it: its URL without the values of key parameters. */
export function loggedRequest(request: { method: string; url: string; hostname?: string; ip?: string }) {
  return { method: request.method, url: request.url.replace(KEY_PARAMETERS, '$1[Redacted]'), hostname: request.hostname, remoteAddress: request.ip };
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** How the LangSmith surface asks LangSmith's SDK to send runs (see Config.langsmithIngestion). */
  langsmithIngestion?: LangSmithIngestion;
  /** The OTLP receiver's limits (see OtlpOptions). */
  otlp?: OtlpOptions;
  /** Trust X-Forwarded-* headers from a reverse proxy (see Config.trustProxy). */
  trustProxy?: boolean;
}

/** Assembles the HTTP application over a set of services: every surface, the docs and health. */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Whatever logger is given logs requests through loggedRequest (no key parameter's value).
    logger:
      typeof options.logger === 'object' && options.logger !== null ? { serializers: { req: loggedRequest }, ...options.logger } : (options.logger ?? false),
    bodyLimit: LIMITS.jsonBodyBytes,
    trustProxy: options.trustProxy ?? false,
    clientErrorHandler: answerClientError,
    // Errors of the router, before any route (and so any surface) is known: problem documents, not Fastify's default body.
    frameworkErrors: (error, _request, reply) =>
      sendProblem(reply, {
        ...normalizeError(error),
        ...(error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? { detail: 'A part of the path is longer than the server takes (100 characters)' } : {}),
      }),
  });
  installValidators(app);
  closeAfterRefusal(app);
  // Shared at the root so that the OpenAPI document lists them once, under components.
  for (const schema of sharedSchemas) app.addSchema(schema);
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('signedIn', null);
  app.decorateRequest('sessionToken', null);
  handleErrorsWith(app, sendProblem, {}, appNotFoundPage());

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'evalstore',
        version: VERSION,
        description:
          'The native API of evalstore, an open store for LLM evaluation data: datasets with immutable versions, records, experiments and scores. Every route needs an API key (`Authorization: Bearer <key>` or `x-api-key`), or the session cookie of a signed-in user (`POST /api/v1/auth/sign-in`), with the CSRF token of the session in `x-csrf-token` on every request but GET; `review` keys and members may read and score only. Errors are RFC 9457 problem details whose `errors` name the fields at fault with JSON pointers. Lists are cursor-paginated: pass `next_cursor` back as `cursor`.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { apiKeyHeader: [] }, { sessionCookie: [] }],
    },
    hideUntagged: true,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // The documentation page loads only its own scripts and styles (with their hashes), is not framed, and is never sniffed.
    staticCSP: true,
    transformStaticCSP: (header) => header.replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
    uiHooks: {
      onRequest: (_request, reply, done) => {
        reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
        done();
      },
    },
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await services.store.db.selectFrom('workspaces').select('id').limit(1).execute();
      return { status: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });

  await app.register(nativeApi(services), { prefix: '/api/v1' });
  await app.register(datadogApi(services), { prefix: '/datadog' });
  await app.register(arizeApi(services), { prefix: '/arize' });
  await app.register(humanloopApi(services), { prefix: '/humanloop' });
  for (const prefix of LANGSMITH_PREFIXES) {
    await app.register(langsmithApi(services, { ingestion: options.langsmithIngestion ?? 'multipart' }), { prefix });
  }
  await app.register(phoenixApi(services), { prefix: '/phoenix' });
  for (const prefix of OTLP_PREFIXES) await app.register(otlpApi(services, options.otlp), { prefix });
  await app.register(webUi());
  return app;
}

/** The setup link, on the address the server listens on (a wildcard host is shown as localhost). */
function setupUrl(listening: string, host: string, token: string): string {
  const base = new URL(listening);
  if (host === '0.0.0.0' || host === '::') base.hostname = 'localhost';
  return `${base.origin}/accept-invitation#token=${encodeURIComponent(token)}`;
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the store, brings its schema up to date, makes the first workspace and admin key when the
 * store is empty, and starts listening.
 */
export async function startServer(config: Config, options: { print?: (line: string) => void } = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const target = storeConfig(config);
  const prices = loadPriceTable(config.pricesFile);
  const store = openStore(target);
  let app: FastifyInstance | undefined;
  try {
    await migrateToLatest(store);
    const services = createServices(store, { instanceId: instanceIdOf(config) });
    const created = await services.workspaces.bootstrap({ adminKey: config.adminKey });
    if ((config.adminEmail === undefined) !== (config.adminPassword === undefined)) {
      throw new Error('Set both EVALSTORE_ADMIN_EMAIL and EVALSTORE_ADMIN_PASSWORD, or neither');
    }
    const firstAdmin = await services.users.bootstrapAdmin({ email: config.adminEmail, password: config.adminPassword });
    await services.uploads.freeUnfinishedOfReceiver();
    await services.uploads.sweepAbandoned();
    app = await buildApp(services, {
      logger: { level: config.logLevel, redact: REDACTED_HEADERS },
      langsmithIngestion: config.langsmithIngestion,
      otlp: { prices },
      trustProxy: config.trustProxy,
    });
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info({ store: describeStore(target) }, 'evalstore is ready');
    if (created) {
      print('');
      print(`Created workspace "${created.workspace.name}" (${created.workspace.id}).`);
      if (config.adminKey) {
        print('Its admin API key is the value of EVALSTORE_ADMIN_KEY.');
      } else {
        print('Its admin API key, shown this once (keep it somewhere safe):');
        print('');
        print(`  ${created.admin.key}`);
      }
      print('');
    }
    if (firstAdmin && 'user' in firstAdmin) {
      print(`Created the admin user ${firstAdmin.user.email} (its password is the value of EVALSTORE_ADMIN_PASSWORD).`);
    } else if (firstAdmin) {
      // Printed, never logged: the link is good once, for 7 days, and makes whoever opens it the first admin.
      print('No user exists yet. Open this one-time link to make the first admin (or set EVALSTORE_ADMIN_EMAIL and EVALSTORE_ADMIN_PASSWORD):');
      print('');
      print(`  ${setupUrl(url, config.host, firstAdmin.setupToken)}`);
      print('');
    }
    // Uploads of a process that died are freed by whichever server sweeps next.
    const sweeper = setInterval(() => {
      services.uploads.sweepAbandoned().catch((error: unknown) => running.log.error({ err: error }, 'upload sweep failed'));
    }, UPLOAD_SWEEP_INTERVAL_MS);
    sweeper.unref();
    const running = app;
    return {
      app: running,
      services,
      url,
      close: async () => {
        clearInterval(sweeper);
        await running.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` writes the web UI's bundle (dist/ui); the path is the same from src/ and from dist/. */
export const UI_BUNDLE_DIR = fileURLToPath(new URL('../../../dist/ui/', import.meta.url));

/**
 * The single-page app's own routes (ui/src/App.tsx): each answers the app's index.html and the
 * app's router takes over. They are listed rather than caught by a wildcard so that unknown paths of
 * the API surfaces keep their surfaces' own 404s.
 */
export const CLIENT_ROUTES = [
  '/',
  '/sign-in',
  '/accept-invitation',
  '/reset-password',
  '/people',
  '/datasets',
  '/datasets/*',
  '/experiments/*',
  '/queues',
  '/queues/*',
] as const;

/**
 * A key in the browser's storage is worth stealing: the page may load only its own scripts, and may
 * not be framed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>evalstore</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The web UI is not built</h1>
<p>This server found no UI bundle. Run <code>npm run build</code> (it builds the server and the UI), then reload.
The API answers at <a href="/api/v1/openapi.json">/api/v1</a>; its documentation is at <a href="/docs">/docs</a>.</p>
</body>`;

/** The web UI, served at `/`: its hashed assets under /assets/, and index.html for each of its routes. */
export function webUi(options: { bundleDir?: string } = {}): FastifyPluginAsync {
  const bundleDir = options.bundleDir ?? UI_BUNDLE_DIR;
  return async (app) => {
    await app.register(fastifyStatic, {
      root: join(bundleDir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      // Asset names carry a hash of their content, so a cached copy is never stale.
      immutable: true,
      maxAge: '365d',
      index: false,
      // The bundle's source maps are for the build, not for every visitor: they are not served.
      allowedPath: (path) => !path.endsWith('.map'),
      setHeaders: (res) => {
        res.setHeader('referrer-policy', 'no-referrer');
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
    for (const url of CLIENT_ROUTES) {
      app.get(url, { schema: { hide: true } }, async (_request, reply) => sendAppPage(reply, bundleDir, 200));
    }
  };
}

/** index.html, read per request (it names the current assets, so a rebuild shows without a restart), with `status`. */
async function sendAppPage(reply: FastifyReply, bundleDir: string, status: number): Promise<FastifyReply> {
  const page = await readFile(join(bundleDir, 'index.html'), 'utf8').catch(() => undefined);
  reply
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  return reply
    .status(page === undefined && status === 200 ? 503 : status)
    .type('text/html; charset=utf-8')
    .send(page ?? NOT_BUILT);
}

/**
 * The not-found answer of a browser's page load (a GET that accepts HTML) at a path no surface
 * serves: the app's page with status 404, whose router shows its own "No page here". Any other
 * request is left to the API's problem details (undefined).
 */
export function appNotFoundPage(options: { bundleDir?: string } = {}) {
  const bundleDir = options.bundleDir ?? UI_BUNDLE_DIR;
  return (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined =>
    request.method === 'GET' && (request.headers.accept ?? '').includes('text/html') ? sendAppPage(reply, bundleDir, 404) : undefined;
}

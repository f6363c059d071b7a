import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webUi } from '../../../src/surfaces/ui/index.js';
import { useTestApp } from '../../support/app.js';

describe('the web UI served at /', () => {
  let bundle: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    bundle = mkdtempSync(join(tmpdir(), 'evalstore-ui-'));
    mkdirSync(join(bundle, 'assets'));
    writeFileSync(join(bundle, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script>');
    writeFileSync(join(bundle, 'assets', 'app-1a2b.js'), 'console.log("ui")');
    writeFileSync(join(bundle, 'assets', 'app-1a2b.js.map'), '{"version":3,"sources":["src/App.tsx"]}');
    app = Fastify();
    await app.register(webUi({ bundleDir: bundle }));
  });
  afterAll(async () => {
    await app?.close();
    rmSync(bundle, { recursive: true, force: true });
  });

  it('sends no referrer from the page or its assets, and serves no source map (issue 14)', async () => {
    const page = await app.inject({ url: '/' });
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await app.inject({ url: '/assets/app-1a2b.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['referrer-policy']).toBe('no-referrer');
    expect((await app.inject({ url: '/assets/app-1a2b.js.map' })).statusCode).toBe(404);
  });

  it("answers the app's page at each of its routes, never cached, with a strict content security policy", async () => {
    for (const url of [
      '/',
      '/sign-in',
      '/datasets',
      '/datasets/0f8fad5b-d9cb-469f-a165-70867728950e?tab=diff&from=1',
      '/datasets/x/compare?experiments=a,b',
      '/experiments/x',
    ]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<div id="root">');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    }
    expect((await app.inject({ url: '/elsewhere' })).statusCode).toBe(404);
  });

  it('serves the hashed assets as immutable, and 404s unknown ones', async () => {
    const asset = await app.inject({ url: '/assets/app-1a2b.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/assets/gone.js' })).statusCode).toBe(404);
  });

  it('says how to build the UI when its bundle is missing', async () => {
    const bare = Fastify();
    await bare.register(webUi({ bundleDir: join(bundle, 'nowhere') }));
    const response = await bare.inject({ url: '/datasets' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build');
    await bare.close();
  });
});

describe('the UI beside the APIs', () => {
  const t = useTestApp('sqlite');

  it('leaves the API, its documents and health where they were, with their own 404s', async () => {
    const unknown = await t.call({ method: 'GET', url: '/api/v1/no-such-route' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await t.call({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.call({ method: 'GET', url: '/api/v1/openapi.json' })).json().openapi).toBe('3.1.0');
    expect((await t.call({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    const page = await t.call({ method: 'GET', url: '/datasets', key: null });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it("answers a browser's page load at an unknown path with the app's page (its own not-found), and other requests with problem details", async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    for (const url of ['/nowhere', '/datasets-typo/x']) {
      const page = await t.call({ method: 'GET', url, key: null, headers: html });
      // The app's page when built, else the page saying how to build it: 404 either way.
      expect(page.statusCode, url).toBe(404);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    const api = await t.call({ method: 'GET', url: '/nowhere', key: null });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    const apiHtml = await t.call({ method: 'GET', url: '/api/v1/no-such-route', headers: html });
    expect(apiHtml.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

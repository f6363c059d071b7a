import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { datasetIdFor } from '../../src/surfaces/humanloop/ids.js';
import { useTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

/**
 * Issue 14: the bad-input corpus. Every route of every surface (the app's own route table, and the
 * parameters the OpenAPI document declares for the native API) is sent hostile paths, queries, bodies
 * and content types: a fixed pass over every route, then fast-check's generated requests (fixed seed,
 * bounded runs). No answer may be a 5xx or take longer than a few seconds, and a refused write must
 * leave the store as it was (the row count of every table, uploads' own log of failed uploads aside).
 */

/** Each route as the route table holds it: method and path (`:name` for a parameter). */
interface Route {
  method: string;
  path: string;
}

/** The routes of the app, read from Fastify's printed tree (each line a segment under its parent). */
function routesOf(t: TestApp): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│├└─ ]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = Math.floor(match[1]!.length / 4);
    stack.length = depth;
    stack.push(match[2]!);
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD' && m !== 'OPTIONS')) {
      routes.push({ method, path: stack.join('').replace(/^\/\//, '/') });
    }
  }
  return routes;
}

function surfaceOf(path: string): string {
  const first = path.split('/')[1] ?? '';
  if (path.startsWith('/api/v1')) return 'native';
  if (/^\/(phoenix\/)?v1\/(traces|logs)/.test(path)) return 'otlp';
  if (['langsmith', 'humanloop', 'datadog', 'arize', 'phoenix'].includes(first)) return first;
  return 'other';
}

/** Keys of the app's test workspace, in every surface's header. */
const authHeaders = (t: TestApp) => ({
  authorization: `Bearer ${t.adminKey}`,
  'x-api-key': t.adminKey,
  'dd-api-key': t.adminKey,
  'dd-application-key': 'app',
});

const forged = Buffer.from(JSON.stringify(['zz'])).toString('base64url');
const HOSTILE_TEXT = ['a\u0000b', 'x\ud800y', 'y'.repeat(10_001), '', ' ', '../..', '%00', '1e400', '-1', 'Infinity', forged, 'ds_0', 'evts_zz'];
const HOSTILE_QUERY_VALUES = [
  '100000000000000000000',
  '9223372036854775808',
  'Infinity',
  '-1',
  '1e20',
  'NaN',
  '\u0000',
  'a\u0000b',
  forged,
  'x'.repeat(3000),
  '',
  '[]',
  '{"a":',
];
/** Path segments as sent (already percent-encoded): NUL, a lone surrogate's UTF-8, bytes that are not UTF-8, long, odd. */
const HOSTILE_SEGMENTS = ['a%00b', '%ED%A0%80', '%FF%FE', 'y'.repeat(10_001), '%20', '..', '1e400', '-1', 'Infinity', forged, 'ds_0', 'evts_zz', '%2F'];
const QUERY_NAMES = [
  'offset',
  'limit',
  'page',
  'size',
  'cursor',
  'page[cursor]',
  'page[limit]',
  'name',
  'q',
  'tag',
  'metadata',
  'version',
  'as_of',
  'include_stats',
  'sort_by',
  'order',
  'dataset',
  'session',
  'min_latency_ms',
  'ids',
];

/** `{"a":{"a":...}}` nested `depth` deep. */
const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** JSON texts JSON.stringify cannot write: numbers beyond a double, deep nesting, broken syntax. */
const RAW_VALUES = ['1e400', '-1e400', '1e308', '9007199254740993', deep(5_000), '"\\u0000"', '"\\ud800"', '[', '{"a":1,"a":2}'];

const scalar = fc.oneof(
  fc.constantFrom<unknown>(...HOSTILE_TEXT, 1e308, -1e308, 1.5, -1, 0, Number.MAX_SAFE_INTEGER + 2, 1e20, null, true, [], {}),
  fc.string({ maxLength: 20 }),
  fc.double(),
  fc.integer(),
);
const FIELDS = [
  'name',
  'description',
  'input',
  'output',
  'inputs',
  'outputs',
  'metadata',
  'tags',
  'score',
  'value',
  'key',
  'latency_ms',
  'prompt_tokens',
  'prompt_cost',
  'duration',
  'id',
  'run_id',
  'dataset_id',
  'experiment_id',
  'offset',
  'path',
  'records',
  'examples',
  'runs',
  'datapoints',
  'data',
];
const item = fc.dictionary(fc.constantFrom(...FIELDS), scalar, { maxKeys: 6 });
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(scalar, fc.array(item, { maxLength: 3 }), item), { maxKeys: 6 }),
  fc.array(item, { maxLength: 3 }),
  scalar,
);

interface Probe {
  method: string;
  url: string;
  contentType?: string;
  payload?: string | Buffer;
}

/** A body as sent: JSON, with one value swapped for a raw JSON text when `raw` is given. */
function bodyText(value: unknown, raw: string | undefined): string {
  const text = JSON.stringify({ v: value, w: '__RAW__' });
  return raw === undefined ? text : text.replace('"__RAW__"', raw);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the bad-input corpus`, () => {
    const t = useTestApp(dialect);

    it('answers every hostile request of every surface with no 5xx, in time, and leaves the store as it was after every refused write', async () => {
      const started = performance.now();
      const db = t.testStore.store.db;
      const tables = (await db.introspection.getTables())
        .map((table) => table.name)
        .filter((name) => !/^kysely_/.test(name) && name !== 'uploads')
        .sort();
      expect(tables.length).toBeGreaterThan(10);
      const fingerprint = async () => {
        const counts = await Promise.all(tables.map((name) => sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(db)));
        return counts.map((result, index) => `${tables[index]}=${Number(result.rows[0]!.n)}`).join(',');
      };

      // Real ids to aim at, so that requests reach the services and not only the 404s.
      const created = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'corpus', records: [{ input: 'q' }, { input: 'r' }] } });
      const datasetId = created.json().id as string;
      const experiment = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { dataset_id: datasetId, name: 'corpus' } });
      const experimentId = experiment.json().id as string;
      const recordId = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetId}/records` })).json().data[0].id as string;
      const ids = [datasetId, experimentId, recordId, randomUUID(), datasetIdFor('v4', datasetId), datasetIdFor('v5', datasetId), '1', ...HOSTILE_SEGMENTS];

      const routes = routesOf(t).filter((route) => surfaceOf(route.path) !== 'other' || route.path === '/healthz');
      expect(routes.length).toBeGreaterThan(150);
      // What the native API's OpenAPI document declares: each route's query parameters, fuzzed by name.
      const openapi = (await t.call({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
        paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
      };
      const queryNamesOf = new Map<string, string[]>();
      for (const [path, operations] of Object.entries(openapi.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const names = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          queryNamesOf.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, names);
        }
      }
      expect(queryNamesOf.size).toBeGreaterThan(30);

      const stats = new Map<string, { requests: number; '2xx': number; '4xx': number; '5xx': number; storeChanges: number }>();
      const failures: string[] = [];
      const send = async (probe: Probe) => {
        const surface = surfaceOf(probe.url.split('?')[0]!);
        const tally = stats.get(surface) ?? { requests: 0, '2xx': 0, '4xx': 0, '5xx': 0, storeChanges: 0 };
        stats.set(surface, tally);
        const writes = probe.method !== 'GET';
        const before = writes ? await fingerprint() : '';
        const headers: Record<string, string> = { ...authHeaders(t), ...(probe.contentType ? { 'content-type': probe.contentType } : {}) };
        const at = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const answer = await Promise.race([
          t.app.inject({ method: probe.method as 'GET', url: probe.url, headers, ...(probe.payload === undefined ? {} : { payload: probe.payload }) }),
          new Promise<'hang'>((resolve) => {
            timer = setTimeout(() => resolve('hang'), 10_000);
          }),
        ]);
        clearTimeout(timer);
        tally.requests += 1;
        const label = `${probe.method} ${probe.url.slice(0, 160)} (${probe.contentType ?? 'no type'}, ${String(probe.payload ?? '').slice(0, 80)})`;
        if (answer === 'hang' || performance.now() - at > 5_000) {
          failures.push(`slow or hung: ${label}`);
          return;
        }
        const status = answer.statusCode;
        if (status >= 500) {
          tally['5xx'] += 1;
          failures.push(`${status}: ${label}: ${answer.body.slice(0, 200)}`);
        } else if (status >= 400) tally['4xx'] += 1;
        else tally['2xx'] += 1;
        if (writes && status >= 400 && (await fingerprint()) !== before) {
          tally.storeChanges += 1;
          failures.push(`store changed after ${status}: ${label}`);
        }
      };
      const fill = (path: string, pick: (index: number) => string) => {
        let index = 0;
        return path.replace(/:(\w+)/g, () => pick(index++));
      };

      // 1. A fixed pass: every route, with real ids, then with hostile ones, each with hostile queries and bodies.
      for (const [index, route] of routes.entries()) {
        const real = fill(route.path, (i) => ids[(index + i) % 3]!);
        const hostile = fill(route.path, (i) => HOSTILE_SEGMENTS[(index + i) % HOSTILE_SEGMENTS.length]!);
        const names = queryNamesOf.get(`${route.method} ${route.path.replace(/^\/api\/v1/, '')}`) ?? QUERY_NAMES;
        const query = names
          .map((name, i) => `${encodeURIComponent(name)}=${encodeURIComponent(HOSTILE_QUERY_VALUES[(index + i) % HOSTILE_QUERY_VALUES.length]!)}`)
          .join('&');
        await send({ method: route.method, url: `${real}?${query}` });
        await send({ method: route.method, url: hostile });
        if (route.method !== 'GET') {
          await send({ method: route.method, url: real });
          await send({
            method: route.method,
            url: real,
            contentType: 'application/json',
            payload: bodyText({ name: 'a\u0000b', records: [{ input: 'x' }] }, RAW_VALUES[index % RAW_VALUES.length]),
          });
          await send({ method: route.method, url: real, contentType: 'application/json', payload: '{"name":' });
          await send({ method: route.method, url: real, contentType: 'text/plain', payload: 'hello' });
          await send({ method: route.method, url: real, contentType: 'application/x-ndjson', payload: `{"input":1e400}\n{"input":${deep(5_000)}}\n` });
          await send({
            method: route.method,
            url: real,
            contentType: 'multipart/form-data; boundary=zz',
            payload: '--zz\r\nContent-Disposition: form-data; name="file"\r\n\r\nx',
          });
        }
      }

      // 2. Generated requests: any route, ids real or hostile, hostile queries, bodies of hostile values.
      const probe = fc.record({
        route: fc.constantFrom(...routes),
        ids: fc.array(fc.constantFrom(...ids), { minLength: 4, maxLength: 4 }),
        query: fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...HOSTILE_QUERY_VALUES)), { maxLength: 3 }),
        body,
        raw: fc.option(fc.constantFrom(...RAW_VALUES), { nil: undefined }),
        contentType: fc.constantFrom<string | undefined>(
          'application/json',
          'application/json',
          'application/json',
          undefined,
          'text/csv',
          'application/vnd.api+json',
        ),
      });
      await fc.assert(
        fc.asyncProperty(probe, async ({ route, ids: chosen, query, body: value, raw, contentType }) => {
          const url = fill(route.path, (i) => chosen[i % chosen.length]!);
          const search = query.map(([name, v]) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`).join('&');
          const withBody = route.method !== 'GET';
          await send({
            method: route.method,
            url: search ? `${url}?${search}` : url,
            ...(withBody ? { contentType, payload: bodyText(value, raw) } : {}),
          });
          return true;
        }),
        { seed: 14, numRuns: 500, endOnFailure: true },
      );

      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const lines = [...stats].map(
        ([surface, s]) => `${surface}: ${s.requests} requests, ${s['2xx']} 2xx, ${s['4xx']} 4xx, ${s['5xx']} 5xx, ${s.storeChanges} store changes`,
      );
      console.log(`${dialect} bad-input corpus (${routes.length} routes, ${seconds} s):\n${lines.join('\n')}`);
      expect(failures).toEqual([]);
    }, 240_000);
  });
}

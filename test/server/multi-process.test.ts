import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { findFreePort, killAllChildren, startServerProcess, storeFlags, withTimeout, type ServerProcess } from '../support/processes.js';

/**
 * The deployment the design promises: several stateless API servers on one PostgreSQL. Two real server
 * processes share a fresh schema; they bootstrap at the same time and then take concurrent commits to
 * one dataset, which must serialize into consecutive versions without losing any.
 */

const ADMIN_KEY = 'multi-process-test-admin-key-0123456789';
const REQUESTS = 50;
const RECORDS_PER_REQUEST = 20;
const REQUEST_TIMEOUT_MS = 60_000;

interface ApiResponse {
  status: number;
  body: any;
}

async function api(server: ServerProcess, method: string, path: string, payload?: unknown): Promise<ApiResponse> {
  const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: payload === undefined ? undefined : JSON.stringify(payload),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Counts rows of a table in the test schema, straight from the database. */
async function countRows(url: string, table: 'workspaces' | 'api_keys'): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(`select count(*) as n from ${table}`);
    return Number(result.rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Every record of the latest version, following cursors. */
async function allRecordsOfLatest(server: ServerProcess, datasetId: string): Promise<{ id: string; external_id: string | null }[]> {
  const records: { id: string; external_id: string | null }[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await api(server, 'GET', `/datasets/${datasetId}/records?limit=1000${query}`);
    expect(response.status).toBe(200);
    records.push(...response.body.data);
    cursor = response.body.next_cursor;
    if (!cursor) return records;
  }
  throw new Error('the records list did not end within 100 pages');
}

describe.skipIf(!DIALECTS.includes('postgres'))('postgres: several server processes on one database', () => {
  let database: TestDatabase;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const [portA, portB] = [await findFreePort(), await findFreePort()];
    // Both start at once, so both migrate and bootstrap the empty schema concurrently.
    const starting = [portA, portB].map((port) =>
      startServerProcess(storeFlags(database), { port, env: { EVALSTORE_ADMIN_KEY: ADMIN_KEY }, healthTimeoutMs: 45_000 }),
    );
    const started = await Promise.allSettled(starting);
    servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }, 60_000);

  afterAll(async () => {
    try {
      await Promise.all(servers.map((server) => server.handle.stop('SIGTERM', 10_000).catch(() => undefined)));
    } finally {
      await killAllChildren();
      await database?.drop();
    }
  }, 30_000);

  it('bootstraps exactly one workspace when both servers start at once', async () => {
    expect(await countRows(database.url!, 'workspaces')).toBe(1);
    expect(await countRows(database.url!, 'api_keys')).toBe(1);
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const seenByA = await api(a, 'GET', '/workspace');
    const seenByB = await api(b, 'GET', '/workspace');
    expect(seenByA.status).toBe(200);
    expect(seenByB.status).toBe(200);
    expect(seenByB.body.id).toBe(seenByA.body.id);
  });

  it('serializes 50 concurrent commits from two servers into versions 1..50 without losing a record', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const created = await api(a, 'POST', '/datasets', { name: 'concurrent' });
    expect(created.status).toBe(201);
    const datasetId: string = created.body.id;

    const sentExternalIds: string[] = [];
    const requests = Array.from({ length: REQUESTS }, (_, request) => {
      const records = Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => {
        const externalId = `req-${request}-rec-${i}`;
        sentExternalIds.push(externalId);
        return { input: { request, i }, expected_output: `answer ${request}/${i}`, external_id: externalId };
      });
      const server = request % 2 === 0 ? a : b;
      return api(server, 'POST', `/datasets/${datasetId}/records`, { records });
    });
    const responses = await withTimeout(Promise.all(requests), 90_000, `${REQUESTS} concurrent commits`);

    const statuses = responses.map((response) => response.status);
    expect(
      statuses.filter((status) => status !== 201),
      JSON.stringify(responses.find((r) => r.status !== 201)?.body),
    ).toEqual([]);
    const committed = responses.map((response) => response.body.version.version as number);
    expect(new Set(committed).size).toBe(REQUESTS);
    for (const response of responses) expect(response.body.records).toHaveLength(RECORDS_PER_REQUEST);

    const versions = await api(a, 'GET', `/datasets/${datasetId}/versions?limit=1000`);
    expect(versions.status).toBe(200);
    expect(versions.body.next_cursor).toBeNull();
    const numbers = (versions.body.data as { version: number }[]).map((v) => v.version).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: REQUESTS }, (_, i) => i + 1));
    expect([...committed].sort((x, y) => x - y)).toEqual(numbers);
    for (const version of versions.body.data) {
      expect(version).toMatchObject({ records_added: RECORDS_PER_REQUEST, records_updated: 0, records_removed: 0 });
      // Each version counts the records of every version before it: nothing was lost in between.
      expect(version.record_count).toBe(version.version * RECORDS_PER_REQUEST);
    }

    const records = await allRecordsOfLatest(b, datasetId);
    expect(records).toHaveLength(REQUESTS * RECORDS_PER_REQUEST);
    expect(records.map((r) => r.external_id).sort()).toEqual([...sentExternalIds].sort());

    const dataset = await api(b, 'GET', `/datasets/${datasetId}`);
    expect(dataset.body).toMatchObject({ latest_version: REQUESTS, record_count: REQUESTS * RECORDS_PER_REQUEST });
  }, 120_000);

  it('numbers the repetitions of 20 concurrent appends to one experiment from two servers 1..20 per record', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const RECORDS = 30;
    const APPENDS = 20;
    const created = await api(a, 'POST', '/datasets', {
      name: 'repeated',
      records: Array.from({ length: RECORDS }, (_, i) => ({ input: { i } })),
    });
    expect(created.status).toBe(201);
    const datasetId: string = created.body.id;
    const records = (await allRecordsOfLatest(a, datasetId)).map((record) => record.id);
    const experiment = await api(a, 'POST', '/experiments', { name: 'repeated runs', dataset_id: datasetId });
    expect(experiment.status).toBe(201);

    // Every append names every record, in its own order, without repetition numbers.
    const appends = Array.from({ length: APPENDS }, (_, n) => {
      const order = records.map((id, i) => ({ id, key: (i * (n + 7)) % RECORDS }));
      order.sort((x, y) => x.key - y.key);
      const runs = order.map(({ id }) => ({ record_id: id, output: `append ${n}`, scores: [{ key: 'n', score: n }] }));
      return api(n % 2 === 0 ? a : b, 'POST', `/experiments/${experiment.body.id}/runs`, { runs });
    });
    const responses = await withTimeout(Promise.all(appends), 90_000, `${APPENDS} concurrent appends`);
    expect(responses.filter((response) => response.status !== 201).map((response) => response.body)).toEqual([]);

    const runs: { record_id: string; repetition: number }[] = [];
    let cursor: string | null = null;
    do {
      const page = await api(b, 'GET', `/experiments/${experiment.body.id}/runs?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      runs.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(runs).toHaveLength(RECORDS * APPENDS);
    for (const record of records) {
      const repetitions = runs
        .filter((run) => run.record_id === record)
        .map((run) => run.repetition)
        .sort((x, y) => x - y);
      expect(repetitions).toEqual(Array.from({ length: APPENDS }, (_, i) => i + 1));
    }
  }, 120_000);
});

import type { TestServer } from './app.js';

/** An answer of the real server: its status and JSON body (null when empty). */
export interface Answer {
  status: number;
  body: any;
}

/** A request over real HTTP to a test server, with `key` (the admin key by default) as a bearer token. */
export async function request(t: Pick<TestServer, 'url' | 'adminKey'>, method: string, path: string, body?: unknown, key?: string): Promise<Answer> {
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key ?? t.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The same, failing the test unless the status is `status`; answers the body. */
export async function ok(t: Pick<TestServer, 'url' | 'adminKey'>, method: string, path: string, body?: unknown, status = 200, key?: string): Promise<any> {
  const answer = await request(t, method, path, body, key);
  if (answer.status !== status) throw new Error(`${method} ${path} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** An experiment of `runs` runs on a fresh dataset of as many records; answers the dataset, experiment and run ids. */
export async function experimentWithRuns(t: Pick<TestServer, 'url' | 'adminKey'>, runs: number, name = `exp-${Math.random().toString(36).slice(2)}`) {
  const dataset = await ok(
    t,
    'POST',
    '/api/v1/datasets',
    { name: `ds-${name}`, records: Array.from({ length: runs }, (_, i) => ({ input: { q: i }, expected_output: { a: i } })) },
    201,
  );
  const records = (await ok(t, 'GET', `/api/v1/datasets/${dataset.id}/records?limit=1000`)).data as { id: string; input: { q: number } }[];
  records.sort((a, b) => a.input.q - b.input.q);
  const experiment = await ok(
    t,
    'POST',
    '/api/v1/experiments',
    { name, dataset_id: dataset.id, runs: records.map((record, i) => ({ record_id: record.id, input: { q: i }, output: { a: i % 3 === 0 ? -1 : i } })) },
    201,
  );
  return {
    datasetId: dataset.id as string,
    experimentId: experiment.id as string,
    runIds: experiment.run_ids as string[],
    recordIds: records.map((r) => r.id),
  };
}

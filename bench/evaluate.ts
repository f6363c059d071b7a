/**
 * evaluate() benchmark: how fast the client's runner records an experiment when the target costs
 * nothing, against the rate of the append-runs path it uploads through. On a dataset of BENCH_RECORDS
 * records (default 100,000), for batches of BENCH_BATCH (default 1,000) and of 100 (evaluate()'s
 * default), it times
 *   - the runs (each with one score) appended straight through POST /api/v1/experiments/{id}/runs by
 *     one client, one request at a time, bodies prepared beforehand: the path's own rate;
 *   - evaluate() with a no-op target and one cheap evaluator, concurrency 8, making the same runs.
 * The ratio says whether the client is the bottleneck (1.0: it costs nothing on top of the path).
 * The server is a separate process on 127.0.0.1. Runs on SQLite and on PostgreSQL in turn.
 *
 * Settings (environment): BENCH_RECORDS (100000), BENCH_BATCH (1000), BENCH_DATABASES
 * (sqlite,postgres), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test).
 */
import { performance } from 'node:perf_hooks';
import { v5 as uuidv5 } from 'uuid';
import { evaluate, Evalstore, type NewRun } from '../src/client/index.js';
import type { DialectName } from '../src/store/dialect.js';
import { ADMIN_KEY, createBenchDatabase, startServerProcess } from './support/server.js';

const settings = {
  records: Number(process.env.BENCH_RECORDS ?? 100_000),
  batch: Number(process.env.BENCH_BATCH ?? 1_000),
  databases: (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',') as DialectName[],
  postgresUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};
const CONCURRENCY = 8;

const rate = (count: number, ms: number) => Math.round(count / (ms / 1000));
const format = (n: number) => n.toLocaleString('en-US');

async function loadDataset(client: Evalstore): Promise<{ id: string; recordIds: string[] }> {
  const dataset = await client.datasets.create({ name: 'bench-evaluate' });
  for (let start = 0; start < settings.records; start += 10_000) {
    const count = Math.min(10_000, settings.records - start);
    await client.records.add(
      dataset.id,
      Array.from({ length: count }, (_, i) => ({ input: { question: `question ${start + i}` }, expected_output: `answer ${start + i}` })),
    );
  }
  const recordIds: string[] = [];
  for await (const record of client.records.iterate(dataset.id, { limit: 1000 })) recordIds.push(record.id);
  return { id: dataset.id, recordIds };
}

/** The runs evaluate() would send, as ready JSON bodies, appended one request at a time. */
async function appendDirectly(client: Evalstore, datasetId: string, recordIds: string[], batch: number): Promise<number> {
  const experiment = await client.experiments.create({ name: `direct append, batches of ${batch}`, dataset_id: datasetId });
  const now = new Date().toISOString();
  const bodies: string[] = [];
  for (let start = 0; start < recordIds.length; start += batch) {
    const runs: NewRun[] = recordIds.slice(start, start + batch).map((recordId) => {
      const id = uuidv5(`${recordId}#1`, experiment.id);
      return {
        id,
        record_id: recordId,
        repetition: 1,
        status: 'success',
        output: 'answer',
        error: null,
        start_time: now,
        end_time: now,
        latency_ms: 0.01,
        scores: [{ id: uuidv5('0:exact', id), key: 'exact', score: 0, source: 'code' }],
      };
    });
    bodies.push(JSON.stringify({ runs }));
  }
  const url = `${client.transport.baseUrl}/api/v1/experiments/${experiment.id}/runs`;
  const started = performance.now();
  for (const body of bodies) {
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body });
    if (response.status !== 201) throw new Error(`append answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
  return performance.now() - started;
}

async function timeEvaluate(client: Evalstore, datasetId: string, name: string, batchSize: number): Promise<number> {
  const started = performance.now();
  const summary = await evaluate(() => 'answer', {
    client,
    dataset: datasetId,
    experiment: { name },
    evaluators: [
      function exact({ output, expected }) {
        return output === expected;
      },
    ],
    concurrency: CONCURRENCY,
    batchSize,
  });
  const elapsed = performance.now() - started;
  if (summary.stats.run_count !== settings.records) throw new Error(`${name}: ${summary.stats.run_count} runs recorded, ${settings.records} expected`);
  return elapsed;
}

async function benchDatabase(dialect: DialectName): Promise<void> {
  const database = await createBenchDatabase(dialect, settings.postgresUrl, 'bench-evaluate');
  const server = await startServerProcess(database, { profileDir: process.env.BENCH_PROFILE_DIR || undefined });
  try {
    const client = new Evalstore({ url: server.baseUrl, apiKey: ADMIN_KEY });
    const loadStarted = performance.now();
    const dataset = await loadDataset(client);
    console.log(`\n== ${dialect}\nloaded ${format(settings.records)} records in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

    for (const batchSize of [settings.batch, 100]) {
      const direct = await appendDirectly(client, dataset.id, dataset.recordIds, batchSize);
      const directRate = rate(settings.records, direct);
      console.log(`batches of ${format(batchSize)}: append-runs path ${(direct / 1000).toFixed(1)} s, ${format(directRate)} runs/s`);
      const elapsed = await timeEvaluate(client, dataset.id, `evaluate, batches of ${batchSize}`, batchSize);
      const evaluateRate = rate(settings.records, elapsed);
      console.log(
        `batches of ${format(batchSize)}: evaluate(), no-op target ${(elapsed / 1000).toFixed(1)} s, ${format(evaluateRate)} runs/s ` +
          `(${(evaluateRate / directRate).toFixed(2)} x the append path)`,
      );
    }
  } finally {
    await server.stop();
    await database.drop();
  }
}

for (const dialect of settings.databases) await benchDatabase(dialect);

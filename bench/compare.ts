/**
 * Comparison benchmark: how long the comparison engine takes over a realistic load — by default 10
 * experiments on one dataset of 100,000 records, one run per record each (1,000,000 runs), three score
 * keys per run (3,000,000 scores) — on SQLite and on PostgreSQL. It times, through the HTTP
 * application, the native compare aggregates with a baseline, the same grouped by a metadata key,
 * the first page of records side by side, and LangSmith's group/runs first page (limit 10).
 *
 * Settings (environment): BENCH_RECORDS (100000), BENCH_EXPERIMENTS (10), BENCH_DATABASES
 * (sqlite,postgres), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test), BENCH_REPEATS (5).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Actor } from '../src/domain/types.js';
import { buildApp } from '../src/server.js';
import { createServices, type Services } from '../src/services/index.js';
import type { NewRun } from '../src/services/runs.js';
import { openStore } from '../src/store/database.js';
import type { DialectName } from '../src/store/dialect.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createBenchDatabase } from './support/server.js';

const settings = {
  records: Number(process.env.BENCH_RECORDS ?? 100_000),
  experiments: Number(process.env.BENCH_EXPERIMENTS ?? 10),
  databases: (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',') as DialectName[],
  postgresUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  repeats: Number(process.env.BENCH_REPEATS ?? 5),
};
const BATCH = 5_000;
const TOPICS = ['math', 'geography', 'history', 'science', 'literature'];

/** A deterministic pseudo-random sequence, so that every run of the bench loads the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Loads the dataset and the experiments through the services (the same path the API takes). */
async function load(services: Services, actor: Actor): Promise<{ datasetId: string; experimentIds: string[] }> {
  const dataset = await services.datasets.create(actor, { name: 'bench-compare' });
  const recordIds: string[] = [];
  for (let start = 0; start < settings.records; start += 10_000) {
    const count = Math.min(10_000, settings.records - start);
    const added = await services.records.add(
      actor,
      dataset.id,
      Array.from({ length: count }, (_, i) => ({
        input: { question: `Question number ${start + i}?` },
        expected_output: `Answer ${start + i}`,
        metadata: { topic: TOPICS[(start + i) % TOPICS.length]! },
      })),
    );
    recordIds.push(...added.records.map((r) => r.id));
  }
  const experimentIds: string[] = [];
  for (let e = 0; e < settings.experiments; e += 1) {
    const experiment = await services.experiments.create(actor, { name: `model-${e}`, dataset_id: dataset.id, metadata: { model: `model-${e}` } });
    experimentIds.push(experiment.id);
    const next = random(e + 1);
    const quality = 0.5 + e * 0.03;
    for (let start = 0; start < recordIds.length; start += BATCH) {
      const runs: NewRun[] = recordIds.slice(start, start + BATCH).map((recordId) => {
        const failed = next() < 0.02;
        return {
          record_id: recordId,
          output: failed ? null : { answer: `output ${next().toFixed(6)}` },
          error: failed ? 'rate limited' : null,
          latency_ms: Math.round(200 + next() * 2_000),
          first_token_ms: Math.round(50 + next() * 300),
          prompt_tokens: 100 + Math.floor(next() * 400),
          completion_tokens: 20 + Math.floor(next() * 200),
          prompt_cost: (next() * 0.001).toFixed(7),
          completion_cost: (next() * 0.002).toFixed(7),
          metadata: { model: `model-${e}` },
          scores: [
            { key: 'correctness', score: next() < quality ? 1 : 0 },
            { key: 'relevance', score: Number(next().toFixed(3)) },
            { key: 'tone', value: next() < 0.8 ? 'polite' : 'rude' },
          ],
        };
      });
      await services.runs.append(actor, experiment.id, runs);
    }
  }
  return { datasetId: dataset.id, experimentIds };
}

async function time(what: () => Promise<{ statusCode: number; body: string }>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < settings.repeats; i += 1) {
    const started = performance.now();
    const response = await what();
    times.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`request failed (${response.statusCode}): ${response.body.slice(0, 500)}`);
  }
  return times;
}

/** The first (cold) time, then the repeats': comparisons are cached per experiment revision, rows are not. */
function describe(times: number[]): string {
  const repeats = times.slice(1).sort((a, b) => a - b);
  const median = repeats[Math.floor(repeats.length / 2)];
  const again = median === undefined ? '' : `; again (x${repeats.length}): median ${median.toFixed(0)} ms, best ${repeats[0]!.toFixed(0)} ms`;
  return `first ${times[0]!.toFixed(0)} ms${again}`;
}

async function benchDialect(dialect: DialectName): Promise<void> {
  const target = await createBenchDatabase(dialect, settings.postgresUrl, 'bench-compare');
  const store = openStore(dialect === 'sqlite' ? { dialect, filename: target.location } : { dialect, connectionString: target.location });
  try {
    await migrateToLatest(store);
    const services = createServices(store);
    const created = (await services.workspaces.bootstrap())!;
    const actor: Actor = { workspaceId: created.workspace.id, keyId: created.admin.apiKey.id, name: 'bench', role: 'admin' };
    const loadStarted = performance.now();
    const { datasetId, experimentIds } = await load(services, actor);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    await sql`analyze`.execute(store.db);

    const app = await buildApp(services);
    await app.ready();
    const call = (url: string, payload: object) => app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${created.admin.key}` } });
    const runs = settings.records * settings.experiments;
    console.log(`\n== ${dialect}`);
    console.log(
      `loaded ${settings.records.toLocaleString('en-US')} records, ${settings.experiments} experiments, ${runs.toLocaleString('en-US')} runs, ${(runs * 3).toLocaleString('en-US')} scores in ${loadSeconds.toFixed(1)} s (${Math.round(runs / loadSeconds).toLocaleString('en-US')} runs/s through the services)`,
    );
    const compare = { experiment_ids: experimentIds, baseline_id: experimentIds[0] };
    console.log(`compare, aggregates + baseline:        ${describe(await time(() => call('/api/v1/comparisons', compare)))}`);
    console.log(
      `compare, grouped by record metadata:   ${describe(await time(() => call('/api/v1/comparisons', { experiment_ids: experimentIds, group_by: { source: 'record', key: 'topic' } })))}`,
    );
    console.log(`compare rows, first page (20):         ${describe(await time(() => call('/api/v1/comparisons/rows', { ...compare, limit: 20 })))}`);
    console.log(
      `compare rows, regressions only (20):   ${describe(await time(() => call('/api/v1/comparisons/rows', { ...compare, limit: 20, change: { kind: 'regressed', key: 'correctness' } })))}`,
    );
    const groupRunsBody = { session_ids: experimentIds, group_by: 'example_metadata', metadata_key: 'topic', limit: 10 };
    const groupRunsUrl = `/langsmith/api/v1/datasets/${datasetId}/group/runs`;
    console.log(`LangSmith group/runs, first page (10):  ${describe(await time(() => call(groupRunsUrl, groupRunsBody)))}`);
    await app.close();
  } finally {
    await store.close();
    await target.drop();
  }
}

for (const dialect of settings.databases) await benchDialect(dialect);

/**
 * Run ingestion benchmark: how fast runs go in through Arize's append endpoint
 * (`POST /arize/v2/experiments/{id}/runs`) and the native one (`POST /api/v1/experiments/{id}/runs`),
 * compared with inserting the same rows straight into the database. Each path appends BENCH_RUNS runs
 * (default 1,000,000) in batches of 1,000 from BENCH_CLIENTS concurrent clients (default 4). Runs on
 * SQLite and on PostgreSQL in turn and prints one section per database. See bench/README.md.
 *
 * The server is a separate process (`evalstore serve` on 127.0.0.1), as deployed: the clients' own
 * work (building and sending JSON) does not run on the server's event loop.
 */
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { newId } from '../src/domain/ids.js';
import type { DialectName } from '../src/store/dialect.js';
import type { RunTable, ScoreTable } from '../src/store/schema.js';
import { globalId } from '../src/surfaces/arize/ids.js';
import { ADMIN_KEY, createBenchDatabase, startServerProcess, type BenchDatabase, type ServerProcess } from './support/server.js';
import { percentile } from './support/stats.js';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  runs: number;
  batchSize: number;
  clients: number;
  /** Records of the dataset the runs are results for; each gets runs / records repetitions. */
  records: number;
  /** Batches each path sends in one round; the paths take turns round by round. */
  roundBatches: number;
  databases: DialectName[];
  postgresUrl: string;
  /** When set, the server writes a V8 CPU profile here when it stops. */
  profileDir: string | undefined;
  /** The whole run stops itself (and its server) after this long. */
  deadlineMs: number;
  /**
   * Experiments each path appends to: 1 (default; the clients share one experiment, whose appends
   * serialize on its row lock), or one per client (BENCH_SPREAD=1: independent uploads in parallel).
   */
  experimentsPerPath: number;
}

function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const databases = (env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((name) => name.trim());
  for (const name of databases) {
    if (name !== 'sqlite' && name !== 'postgres') throw new Error(`BENCH_DATABASES: unknown database ${name}`);
  }
  const clients = positiveInteger(env.BENCH_CLIENTS, 4, 'BENCH_CLIENTS');
  return {
    runs: positiveInteger(env.BENCH_RUNS, 1_000_000, 'BENCH_RUNS'),
    // Arize's limit per request; the native endpoint and the baseline take the same batches.
    batchSize: 1_000,
    clients,
    records: positiveInteger(env.BENCH_DATASET_RECORDS, 10_000, 'BENCH_DATASET_RECORDS'),
    roundBatches: clients * 10,
    databases: databases as DialectName[],
    postgresUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    profileDir: env.BENCH_PROFILE_DIR || undefined,
    deadlineMs: positiveInteger(env.BENCH_DEADLINE_MINUTES, 180, 'BENCH_DEADLINE_MINUTES') * 60_000,
    experimentsPerPath: env.BENCH_SPREAD === '1' ? clients : 1,
  };
}

function positiveInteger(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The bench's own connection to the database, beside the server

/** A direct inserter over the bench database (the baseline's path). */
function openDirect(database: BenchDatabase, settings: Settings): Promise<DirectInserter> {
  return database.dialect === 'sqlite' ? Promise.resolve(sqliteInserter(database.location)) : postgresInserter(database.location, settings.clients);
}

async function api<T>(baseUrl: string, method: string, path: string, body?: string | object): Promise<{ status: number; body: T }> {
  const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    body: payload,
    signal: AbortSignal.timeout(300_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return { status: response.status, body: JSON.parse(text) as T };
}

// ---------------------------------------------------------------------------------------------
// Generated runs: the same run for all three paths

interface Fixture {
  workspaceId: string;
  recordIds: string[];
  /** The experiments each path appends to, all on one dataset version; batch b goes to experiment b mod their count. */
  experiments: { arize: { id: string; arizeId: string }[]; native: { id: string }[]; direct: { id: string }[] };
  /** The baseline numbers repetitions itself, per experiment and record, in batch order. */
  directRepetitions: Map<string, number>;
}

/** Run `n` of the bench: an answer of about 60 characters, a model, a latency and one evaluation. */
function benchRun(n: number, fixture: Fixture) {
  const correct = n % 3 !== 0;
  return {
    recordId: fixture.recordIds[n % fixture.recordIds.length]!,
    output: `Answer ${n}: the river first crossed the northern trade routes in ${1800 + (n % 200)}.`,
    model: n % 2 ? 'gpt-4o-mini' : 'claude-3-5-haiku',
    latencyMs: 100 + (n % 900),
    score: correct ? 1 : 0,
    label: correct ? 'correct' : 'incorrect',
  };
}

function batchNumbers(batch: number, settings: Settings): number[] {
  const first = batch * settings.batchSize;
  return Array.from({ length: Math.min(settings.batchSize, settings.runs - first) }, (_, i) => first + i);
}

function arizeBody(batch: number, settings: Settings, fixture: Fixture): string {
  const runs = batchNumbers(batch, settings).map((n) => {
    const run = benchRun(n, fixture);
    return {
      example_id: run.recordId,
      output: run.output,
      model: run.model,
      latency_ms: run.latencyMs,
      'eval.correct.score': run.score,
      'eval.correct.label': run.label,
    };
  });
  return JSON.stringify({ experiment_runs: runs });
}

function nativeBody(batch: number, settings: Settings, fixture: Fixture): string {
  const runs = batchNumbers(batch, settings).map((n) => {
    const run = benchRun(n, fixture);
    return {
      record_id: run.recordId,
      output: run.output,
      model: run.model,
      latency_ms: run.latencyMs,
      scores: [{ key: 'correct', score: run.score, value: run.label }],
    };
  });
  return JSON.stringify({ runs });
}

/** The rows the server stores for a batch, built before the clock starts. */
interface DirectBatch {
  runs: RunTable[];
  scores: ScoreTable[];
}

function directBatch(batch: number, settings: Settings, fixture: Fixture): DirectBatch {
  const now = new Date().toISOString();
  const experimentId = fixture.experiments.direct[batch % fixture.experiments.direct.length]!.id;
  const runs: RunTable[] = [];
  const scores: ScoreTable[] = [];
  for (const n of batchNumbers(batch, settings)) {
    const run = benchRun(n, fixture);
    const id = newId();
    const counter = `${experimentId}:${run.recordId}`;
    const repetition = (fixture.directRepetitions.get(counter) ?? 0) + 1;
    fixture.directRepetitions.set(counter, repetition);
    runs.push({
      workspace_id: fixture.workspaceId,
      id,
      experiment_id: experimentId,
      record_id: run.recordId,
      repetition,
      name: null,
      run_type: null,
      status: 'success',
      input: null,
      output: JSON.stringify(run.output),
      error: null,
      start_time: null,
      end_time: null,
      latency_ms: run.latencyMs,
      first_token_ms: null,
      prompt_tokens: null,
      completion_tokens: null,
      total_tokens: null,
      prompt_cost: null,
      completion_cost: null,
      total_cost: null,
      metadata: '{}',
      extra: JSON.stringify({ model: run.model }),
      trace_id: null,
      parent_run_id: null,
      created_at: now,
      updated_at: now,
    });
    scores.push({
      workspace_id: fixture.workspaceId,
      id: newId(),
      experiment_id: experimentId,
      run_id: id,
      record_id: run.recordId,
      key: 'correct',
      score: run.score,
      value: JSON.stringify(run.label),
      label: run.label,
      comment: null,
      correction: null,
      source: 'api',
      metadata: '{}',
      reviewer_id: null,
      reviewer_name: null,
      created_at: now,
      updated_at: now,
    });
  }
  return { runs, scores };
}

// ---------------------------------------------------------------------------------------------
// The baseline: the same rows straight into the database, the fastest plain way for each

interface DirectInserter {
  workspaceOf(experimentId: string): Promise<string>;
  /** Inserts the batches, each in a transaction of its own. */
  insert(batches: DirectBatch[]): Promise<void>;
  count(experimentId: string): Promise<{ runs: number; scores: number }>;
  close(): Promise<void>;
}

/** SQLite: prepared statements, one transaction per batch, on a connection of the bench's own. */
function sqliteInserter(filename: string): DirectInserter {
  const db = new BetterSqlite3(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  const statements = new Map<string, BetterSqlite3.Statement>();
  const insertRows = (table: string, rows: readonly object[]) => {
    const columns = Object.keys(rows[0]!);
    let statement = statements.get(table);
    if (!statement) {
      statement = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
      statements.set(table, statement);
    }
    for (const row of rows) statement.run(columns.map((column) => (row as Record<string, unknown>)[column]));
  };
  const commit = db.transaction((batch: DirectBatch) => {
    insertRows('runs', batch.runs);
    insertRows('scores', batch.scores);
  });
  return {
    workspaceOf: async (experimentId) =>
      (db.prepare('select workspace_id from experiments where id = ?').get(experimentId) as { workspace_id: string }).workspace_id,
    insert: async (batches) => {
      for (const batch of batches) commit.immediate(batch);
    },
    count: async (experimentId) => ({
      runs: (db.prepare('select count(*) as n from runs where experiment_id = ?').get(experimentId) as { n: number }).n,
      scores: (db.prepare('select count(*) as n from scores where experiment_id = ?').get(experimentId) as { n: number }).n,
    }),
    close: async () => {
      db.close();
    },
  };
}

/**
 * PostgreSQL: per batch and table one `INSERT ... SELECT FROM unnest($1::uuid[], ...)`, one round trip
 * whatever the row count; batches go over as many connections as the API has clients.
 */
async function postgresInserter(connectionString: string, connections: number): Promise<DirectInserter> {
  const pool = new pg.Pool({ connectionString, max: connections });
  const types = new Map<string, Map<string, string>>();
  for (const table of ['runs', 'scores']) {
    const result = await pool.query<{ name: string; type: string }>(
      'select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped',
      [table],
    );
    types.set(table, new Map(result.rows.map((row) => [row.name, row.type])));
  }
  const statement = (table: string, rows: readonly object[]) => {
    const columns = Object.keys(rows[0]!);
    const tableTypes = types.get(table)!;
    const text = `insert into ${table} (${columns.join(', ')}) select * from unnest(${columns.map((column, i) => `$${i + 1}::${tableTypes.get(column)}[]`).join(', ')})`;
    return { text, values: columns.map((column) => rows.map((row) => (row as Record<string, unknown>)[column])) };
  };
  return {
    workspaceOf: async (experimentId) => (await pool.query('select workspace_id from experiments where id = $1', [experimentId])).rows[0].workspace_id,
    insert: async (batches) => {
      let next = 0;
      const worker = async () => {
        const client = await pool.connect();
        try {
          while (next < batches.length) {
            const batch = batches[next++]!;
            await client.query('begin');
            await client.query(statement('runs', batch.runs));
            await client.query(statement('scores', batch.scores));
            await client.query('commit');
          }
        } finally {
          client.release();
        }
      };
      await Promise.all(Array.from({ length: connections }, worker));
    },
    count: async (experimentId) => {
      const count = async (table: string) =>
        Number((await pool.query(`select count(*) as n from ${table} where experiment_id = $1`, [experimentId])).rows[0].n);
      return { runs: await count('runs'), scores: await count('scores') };
    },
    close: () => pool.end(),
  };
}

// ---------------------------------------------------------------------------------------------
// Timing

/** Wall time of each timed round of one path, and each request's time. */
class PathTimes {
  seconds = 0;
  readonly requestMillis: number[] = [];

  async round(work: () => Promise<void>): Promise<void> {
    const started = performance.now();
    await work();
    this.seconds += (performance.now() - started) / 1000;
  }
}

/** Sends the requests from `clients` concurrent clients, each taking the next one when it is free. */
async function sendConcurrently(baseUrl: string, requests: { path: string; body: string }[], clients: number, times: PathTimes): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < requests.length) {
      const { path, body } = requests[next++]!;
      const started = performance.now();
      const response = await api<{ run_ids: string[] }>(baseUrl, 'POST', path, body);
      times.requestMillis.push(performance.now() - started);
      if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}

// ---------------------------------------------------------------------------------------------
// One database

async function setUp(baseUrl: string, inserter: DirectInserter, settings: Settings): Promise<Fixture> {
  const dataset = (await api<{ id: string }>(baseUrl, 'POST', '/api/v1/datasets', { name: 'bench-runs' })).body;
  for (let start = 0; start < settings.records; start += 10_000) {
    const records = Array.from({ length: Math.min(10_000, settings.records - start) }, (_, i) => ({
      input: { question: `Q${start + i}: when did the river known as X-${start + i} first cross the northern trade routes?` },
      expected_output: `In ${1800 + ((start + i) % 200)}.`,
    }));
    await api(baseUrl, 'POST', `/api/v1/datasets/${dataset.id}/records`, { records });
  }
  const recordIds: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page: { data: { id: string }[]; next_cursor: string | null } = (
      await api<{ data: { id: string }[]; next_cursor: string | null }>(baseUrl, 'GET', `/api/v1/datasets/${dataset.id}/records?limit=1000${query}`)
    ).body;
    recordIds.push(...page.data.map((record) => record.id));
    cursor = page.next_cursor;
  } while (cursor);
  // All three experiments come from the API, so the baseline's experiment is exactly what the server makes.
  const experiment = async (name: string) => (await api<{ id: string }>(baseUrl, 'POST', '/api/v1/experiments', { name, dataset_id: dataset.id })).body.id;
  const several = async (name: string) => {
    const ids: string[] = [];
    for (let i = 0; i < settings.experimentsPerPath; i++) ids.push(await experiment(`${name}-${i}`));
    return ids;
  };
  const arize = (await several('via-arize')).map((id) => ({ id, arizeId: globalId('Experiment', id) }));
  const native = (await several('via-native')).map((id) => ({ id }));
  const direct = (await several('direct')).map((id) => ({ id }));
  // The Arize surface's listing must name the experiment by that id.
  const listed = (await api<{ experiments: { id: string; name: string }[] }>(baseUrl, 'GET', '/arize/v2/experiments?name=via-arize-0&limit=100')).body;
  if (listed.experiments[0]?.id !== arize[0]!.arizeId) throw new Error('the Arize id of the experiment is not what the bench computed');
  return { workspaceId: await inserter.workspaceOf(direct[0]!.id), recordIds, experiments: { arize, native, direct }, directRepetitions: new Map() };
}

interface Result {
  dialect: DialectName;
  arize: PathTimes;
  native: PathTimes;
  direct: PathTimes;
}

async function benchDatabase(dialect: DialectName, settings: Settings): Promise<Result> {
  const database = await createBenchDatabase(dialect, settings.postgresUrl, 'bench-runs');
  let server: ServerProcess | undefined;
  let inserter: DirectInserter | undefined;
  try {
    server = await startServerProcess(database, { profileDir: settings.profileDir });
    inserter = await openDirect(database, settings);
    const fixture = await setUp(server.baseUrl, inserter, settings);
    const result: Result = { dialect, arize: new PathTimes(), native: new PathTimes(), direct: new PathTimes() };
    const batches = Math.ceil(settings.runs / settings.batchSize);
    const arizePath = (batch: number) =>
      `/arize/v2/experiments/${encodeURIComponent(fixture.experiments.arize[batch % settings.experimentsPerPath]!.arizeId)}/runs`;
    const nativePath = (batch: number) => `/api/v1/experiments/${fixture.experiments.native[batch % settings.experimentsPerPath]!.id}/runs`;
    const started = performance.now();
    // The paths take turns round by round, so that each writes into tables of about the same size.
    for (let first = 0; first < batches; first += settings.roundBatches) {
      const round = Array.from({ length: Math.min(settings.roundBatches, batches - first) }, (_, i) => first + i);
      // What is not the subject is done before the clocks start: request bodies, and the baseline's rows.
      const arizeRequests = round.map((batch) => ({ path: arizePath(batch), body: arizeBody(batch, settings, fixture) }));
      const nativeRequests = round.map((batch) => ({ path: nativePath(batch), body: nativeBody(batch, settings, fixture) }));
      const directBatches = round.map((batch) => directBatch(batch, settings, fixture));
      await result.arize.round(() => sendConcurrently(server!.baseUrl, arizeRequests, settings.clients, result.arize));
      await result.native.round(() => sendConcurrently(server!.baseUrl, nativeRequests, settings.clients, result.native));
      await result.direct.round(() => inserter!.insert(directBatches));
      if (performance.now() - started > settings.deadlineMs) throw new Error('the bench ran past its deadline (BENCH_DEADLINE_MINUTES)');
      const done = Math.min(batches, first + settings.roundBatches) * settings.batchSize;
      if ((first / settings.roundBatches) % 5 === 0)
        process.stderr.write(`  ${dialect}: ${Math.min(done, settings.runs).toLocaleString('en-US')} runs per path\n`);
    }
    for (const [path, experiments] of Object.entries(fixture.experiments)) {
      let runs = 0;
      let scores = 0;
      for (const experiment of experiments) {
        const counted = await inserter.count(experiment.id);
        runs += counted.runs;
        scores += counted.scores;
      }
      if (runs !== settings.runs || scores !== settings.runs)
        throw new Error(`${path}: expected ${settings.runs} runs and scores, found ${runs} and ${scores}`);
    }
    return result;
  } finally {
    await inserter?.close();
    await server?.stop();
    await database.drop();
  }
}

function report(result: Result, settings: Settings): string {
  const rate = (times: PathTimes) => settings.runs / times.seconds;
  const direct = rate(result.direct);
  const format = (n: number) => Math.round(n).toLocaleString('en-US');
  const line = (name: string, times: PathTimes) => {
    const requests = times.requestMillis.length
      ? `   request p50 ${format(percentile(times.requestMillis, 50))} ms, p99 ${format(percentile(times.requestMillis, 99))} ms`
      : '';
    const ratio = name === 'direct insert' ? '' : `   ${(rate(times) / direct).toFixed(2)} of direct`;
    return `  ${name.padEnd(28)} ${format(rate(times)).padStart(9)} runs/s  (${times.seconds.toFixed(1)} s)${ratio}${requests}`;
  };
  return [
    `== ${result.dialect}: ${format(settings.runs)} runs per path, batches of ${settings.batchSize}, ${settings.clients} clients, ${settings.experimentsPerPath === 1 ? 'one experiment' : `${settings.experimentsPerPath} experiments`} per path, dataset of ${format(settings.records)} records`,
    line('Arize POST .../runs', result.arize),
    line('native POST .../runs', result.native),
    line('direct insert', result.direct),
  ].join('\n');
}

async function main(): Promise<void> {
  const settings = readSettings();
  const deadline = setTimeout(() => {
    process.stderr.write('bench: deadline reached, stopping\n');
    process.exit(1);
  }, settings.deadlineMs + 120_000);
  deadline.unref();
  for (const dialect of settings.databases) {
    const result = await benchDatabase(dialect, settings);
    process.stdout.write(`${report(result, settings)}\n\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

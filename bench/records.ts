/**
 * Record benchmark: how fast records go in through the native API compared with writing the same
 * rows straight into the database, and whether reading an old version costs what reading the latest
 * does (DESIGN.md §2: versions are revisions, not copies). Runs on SQLite and on PostgreSQL in turn
 * and prints one plain-text section per database. See bench/README.md for the settings.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Config } from '../src/config.js';
import { newId } from '../src/domain/ids.js';
import { nowIso } from '../src/domain/time.js';
import { startServer, type RunningServer } from '../src/server.js';
import { describeChanges } from '../src/services/commits.js';
import type { NewRecord } from '../src/services/records.js';
import { normalizeContent, toRevisionRow } from '../src/services/rows/revisions.js';
import type { DialectName } from '../src/store/dialect.js';
import type { DatasetVersionTable, RecordRevisionTable } from '../src/store/schema.js';
import { quoteIdentifier } from '../src/store/sql-names.js';
import { withPostgresClient } from './support/server.js';
import { percentile } from './support/stats.js';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  records: number;
  batchSize: number;
  databases: DialectName[];
  postgresUrl: string;
  /** Small commits made after ingestion, so that the dataset has many versions to read. */
  extraCommits: number;
  readWarmups: number;
  readRuns: number;
}

function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const databases = (env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((name) => name.trim());
  for (const name of databases) {
    if (name !== 'sqlite' && name !== 'postgres') throw new Error(`BENCH_DATABASES: unknown database ${name}`);
  }
  return {
    records: positiveInteger(env.BENCH_RECORDS, 1_000_000, 'BENCH_RECORDS'),
    // The API's limit per request (LIMITS.recordsPerRequest); the baseline commits batches of the same size.
    batchSize: 10_000,
    databases: databases as DialectName[],
    postgresUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    extraCommits: positiveInteger(env.BENCH_EXTRA_COMMITS, 900, 'BENCH_EXTRA_COMMITS'),
    readWarmups: 5,
    readRuns: 50,
  };
}

function positiveInteger(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The database under test: where it lives, and how to reach it around the server

/** Known in advance, so the bench can call the API without reading the server's output. */
const ADMIN_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;

interface BenchDatabase {
  dialect: DialectName;
  /** Passed to the server: which store it opens. */
  serverConfig: Pick<Config, 'dataDir' | 'databaseUrl'>;
  /** Opens a connection of the bench's own to the same store, for the direct-insert baseline. */
  openDirect(columns: DirectColumns): Promise<DirectInserter>;
  /** Gathers the query planner's statistics, which the server never does itself. */
  analyze(): Promise<void>;
  drop(): Promise<void>;
}

async function createBenchDatabase(dialect: DialectName, settings: Settings): Promise<BenchDatabase> {
  return dialect === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase(settings.postgresUrl);
}

function createSqliteDatabase(): BenchDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalstore-bench-'));
  return {
    dialect: 'sqlite',
    serverConfig: { dataDir },
    openDirect: async (columns) => sqliteInserter(join(dataDir, 'evalstore.db'), columns),
    analyze: async () => {
      const db = new BetterSqlite3(join(dataDir, 'evalstore.db'));
      try {
        db.exec('analyze');
      } finally {
        db.close();
      }
    },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** A fresh schema on the server, so the bench never touches anything else in that database. */
async function createPostgresDatabase(baseUrl: string): Promise<BenchDatabase> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await withPostgresClient(baseUrl, (client) => client.query(`create schema ${quoteIdentifier(schema)}`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const schemaUrl = url.toString();
  return {
    dialect: 'postgres',
    // The data folder is unused when a database URL is set.
    serverConfig: { dataDir: tmpdir(), databaseUrl: schemaUrl },
    openDirect: (columns) => postgresInserter(schemaUrl, columns),
    analyze: async () => {
      // Named tables (found through the search_path), not a bare ANALYZE of every schema in the database.
      await withPostgresClient(schemaUrl, (client) => client.query('analyze record_revisions, dataset_versions, datasets'));
    },
    drop: async () => {
      await withPostgresClient(baseUrl, (client) => client.query(`drop schema ${quoteIdentifier(schema)} cascade`));
    },
  };
}

function startBenchServer(database: BenchDatabase): Promise<RunningServer> {
  const config: Config = {
    ...database.serverConfig,
    host: '127.0.0.1',
    port: 0,
    adminKey: ADMIN_KEY,
    logLevel: 'warn',
  };
  return startServer(config, { print: () => {} });
}

// ---------------------------------------------------------------------------------------------
// Generated records: realistic sizes, the same content for the API run and the baseline

/** A small deterministic generator, so that every run writes the same data. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SUBJECTS = ['river', 'enzyme', 'protocol', 'theorem', 'painter', 'currency', 'algorithm', 'glacier'];
const VERBS = ['first describe', 'replace', 'influence', 'measure', 'depend on', 'contradict'];
const OBJECTS = ['northern trade routes', 'standard model', 'harvest cycle', 'legal framework', 'shipping lanes'];
const ANSWERS = ['In the early nineteenth century', 'Only after the second revision', 'It never did', 'Through trade'];

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)]!;
}

/** Record `n` of the bench: an input question of about 80 characters and an answer of about 40. */
function benchRecord(n: number): NewRecord {
  const random = seededRandom(n);
  const question = `Q${n}: when did the ${pick(SUBJECTS, random)} known as X-${n % 9973} ${pick(VERBS, random)} the ${pick(OBJECTS, random)}?`;
  return {
    input: { question },
    expected_output: `${pick(ANSWERS, random)}, case ${n}.`.padEnd(40, '.'),
    metadata: { difficulty: 1 + (n % 5), source: 'bench' },
    tags: ['bench', `t${n % 10}`],
    splits: [n % 5 === 0 ? 'test' : 'train'],
  };
}

function batchRecords(batch: number, batchSize: number, total: number): NewRecord[] {
  const first = batch * batchSize;
  const records: NewRecord[] = [];
  for (let n = first; n < Math.min(first + batchSize, total); n++) records.push(benchRecord(n));
  return records;
}

function batchCount(settings: Settings): number {
  return Math.ceil(settings.records / settings.batchSize);
}

// ---------------------------------------------------------------------------------------------
// The native API, over real HTTP

interface CommitResponse<T> {
  version: { version: number } | null;
  records: T[];
}

interface RecordPage {
  data: { id: string }[];
  next_cursor: string | null;
  version: number;
}

class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  /**
   * Node's global fetch keeps connections alive by default, so requests sent one after another reuse
   * one connection. The body may be pre-serialized, so that building JSON can be left out of a timing.
   */
  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined || body instanceof Uint8Array ? body : JSON.stringify(body);
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: payload,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  async createDataset(name: string): Promise<string> {
    const dataset = await this.send<{ id: string }>('POST', '/datasets', { name });
    return dataset.id;
  }

  addRecords(datasetId: string, body: unknown): Promise<CommitResponse<{ id: string }>> {
    return this.send('POST', `/datasets/${datasetId}/records`, body);
  }

  listRecords(datasetId: string, query: { version?: number; limit: number; cursor?: string }): Promise<RecordPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.version !== undefined) params.set('version', String(query.version));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    return this.send('GET', `/datasets/${datasetId}/records?${params}`);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Ingestion: over HTTP, and the same records written straight into the database

interface Rate {
  records: number;
  seconds: number;
  /** Each batch's wall time, to show whether batches slow down as the dataset grows. */
  batchMillis: number[];
}

function rateOf(rate: Rate): number {
  return rate.records / rate.seconds;
}

/** Wall time of each timed piece of work. */
class Laps {
  readonly millis: number[] = [];

  async time<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.millis.push(performance.now() - started);
    }
  }

  rate(records: number): Rate {
    const seconds = this.millis.reduce((sum, lap) => sum + lap, 0) / 1000;
    return { records, seconds, batchMillis: this.millis };
  }
}

interface Ingestion {
  viaHttp: Rate;
  direct: Rate;
  /** The dataset filled through the API, and the ids of its records in the order they were sent. */
  httpDatasetId: string;
  recordIds: string[];
}

async function ingestBothWays(api: ApiClient, database: BenchDatabase, settings: Settings): Promise<Ingestion> {
  // Both datasets come from the API, so the baseline's dataset row is exactly what the server makes.
  const httpDatasetId = await api.createDataset('bench-via-http');
  const directDatasetId = await api.createDataset('bench-direct');
  const first = prepareBatch(0, directDatasetId, settings);

  const http = new Laps();
  const direct = new Laps();
  const recordIds: string[] = [];
  const inserter = await database.openDirect(columnsOf(first.rows));
  try {
    // The two paths take turns, batch by batch, so that each writes into a table of the same size.
    // One after the other, the second would pay for the first one's million rows in every index.
    for (let batch = 0; batch < batchCount(settings); batch++) {
      const { body, rows } = batch === 0 ? first : prepareBatch(batch, directDatasetId, settings);
      const result = await http.time(() => api.addRecords(httpDatasetId, body));
      for (const record of result.records) recordIds.push(record.id);
      await direct.time(() => inserter.commit(rows));
    }
  } finally {
    await inserter.close();
  }
  return { viaHttp: http.rate(recordIds.length), direct: direct.rate(settings.records), httpDatasetId, recordIds };
}

/** One batch of records, ready for both paths before either clock starts. */
interface PreparedBatch {
  /** The HTTP request body, already serialized: the client's JSON building is not what is measured. */
  body: Buffer;
  /** The baseline's rows, already hashed and encoded (work the server does too, but not this measure's subject). */
  rows: DirectBatch;
}

/**
 * Prepared just before its turn, not all up front: a million prepared rows would sit in the heap that
 * the in-process server's garbage collector scans, and charge the server for the bench's memory.
 */
function prepareBatch(batch: number, directDatasetId: string, settings: Settings): PreparedBatch {
  const records = batchRecords(batch, settings.batchSize, settings.records);
  const recordCount = Math.min((batch + 1) * settings.batchSize, settings.records);
  return {
    body: Buffer.from(JSON.stringify({ records })),
    rows: buildDirectBatch(directDatasetId, batch + 1, records, recordCount),
  };
}

/** One commit's worth of rows, exactly as the server would store them. */
interface DirectBatch {
  revisions: RecordRevisionTable[];
  version: DatasetVersionTable;
}

interface DirectInserter {
  /** Writes a batch as one transaction: its revisions, its version row, and the dataset's new head. */
  commit(batch: DirectBatch): Promise<void>;
  close(): Promise<void>;
}

/** The rows one commit of `records` as version `version` writes, as the API's admin key would. */
function buildDirectBatch(datasetId: string, version: number, records: readonly NewRecord[], recordCount: number): DirectBatch {
  const now = nowIso();
  const revisions = records.map((record) => toRevisionRow(datasetId, { record_id: newId(), content: normalizeContent(record) }, version, now));
  const counts = { added: revisions.length, updated: 0, removed: 0 };
  return {
    revisions,
    version: {
      dataset_id: datasetId,
      version,
      name: null,
      message: describeChanges(counts),
      created_by: 'admin',
      created_at: now,
      records_added: counts.added,
      records_updated: counts.updated,
      records_removed: counts.removed,
      record_count: recordCount,
      // Ids are time-ordered, so the last record made is the version's highest.
      max_record_id: revisions.at(-1)?.record_id ?? null,
    },
  };
}

/** The columns the baseline writes: exactly those of the rows built, as the server's bulk path does. */
interface DirectColumns {
  revisions: string[];
  version: string[];
}

function columnsOf(batch: DirectBatch): DirectColumns {
  const first = batch.revisions[0];
  if (!first) throw new Error('a batch holds at least one record');
  return { revisions: Object.keys(first), version: Object.keys(batch.version) };
}

/**
 * SQLite's fastest plain path: one prepared INSERT run per row inside one transaction. Its own
 * connection to the server's file, with the server's pragmas, so both paths pay for the same
 * durability and foreign-key checks.
 */
function sqliteInserter(filename: string, columns: DirectColumns): DirectInserter {
  const db = new BetterSqlite3(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  const insertRevision = db.prepare(namedInsert('record_revisions', columns.revisions));
  const insertVersion = db.prepare(namedInsert('dataset_versions', columns.version));
  const moveHead = db.prepare('update datasets set latest_version = @version, record_count = @record_count, updated_at = @created_at where id = @dataset_id');
  const commit = db.transaction((batch: DirectBatch) => {
    for (const row of batch.revisions) insertRevision.run(row);
    insertVersion.run(batch.version);
    moveHead.run(batch.version);
  });
  return {
    commit: async (batch) => commit.immediate(batch),
    close: async () => {
      db.close();
    },
  };
}

function namedInsert(table: string, columns: readonly string[]): string {
  return `insert into ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`;
}

/**
 * PostgreSQL's fastest plain path without COPY: the batch's rows as one array per column, expanded by
 * unnest() in a single INSERT. Ten thousand rows cost one round trip and fifteen parameters (a
 * multi-row VALUES list would need 150,000 parameters, over the protocol's limit of 65,535).
 */
async function postgresInserter(connectionString: string, columns: DirectColumns): Promise<DirectInserter> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const types = await columnTypes(client, 'record_revisions');
  const arrayOf = (column: string, i: number) => `$${i + 1}::${types.get(column)}[]`;
  const insertRevisions =
    `insert into record_revisions (${columns.revisions.map(quoteIdentifier).join(', ')}) ` +
    `select * from unnest(${columns.revisions.map(arrayOf).join(', ')})`;
  const insertVersion =
    `insert into dataset_versions (${columns.version.map(quoteIdentifier).join(', ')}) ` + `values (${columns.version.map((_, i) => `$${i + 1}`).join(', ')})`;
  const moveHead = 'update datasets set latest_version = $1, record_count = $2, updated_at = $3 where id = $4';
  return {
    async commit(batch) {
      await client.query('begin');
      try {
        await client.query(
          insertRevisions,
          columns.revisions.map((column) => batch.revisions.map((row) => field(row, column))),
        );
        await client.query(
          insertVersion,
          columns.version.map((column) => field(batch.version, column)),
        );
        const { version, record_count, created_at, dataset_id } = batch.version;
        await client.query(moveHead, [version, record_count, created_at, dataset_id]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    },
    close: () => client.end(),
  };
}

function field(row: object, column: string): unknown {
  return (row as Record<string, unknown>)[column];
}

async function columnTypes(client: pg.Client, table: string): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type
     from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped`,
    [table],
  );
  return new Map(result.rows.map((row) => [row.name, row.type]));
}

// ---------------------------------------------------------------------------------------------
// 2. Many small commits, then the cost of reading an old version against the latest

/** The ids of the dataset's current records, for picking random ones to change or remove. */
class CurrentRecords {
  private readonly ids: string[];

  constructor(
    ids: readonly string[],
    private readonly random: () => number,
  ) {
    this.ids = [...ids];
  }

  get size(): number {
    return this.ids.length;
  }

  /** `count` distinct ids (one request may not name a record twice). */
  sample(count: number): string[] {
    const chosen = new Set<string>();
    while (chosen.size < Math.min(count, this.ids.length)) chosen.add(this.ids[Math.floor(this.random() * this.ids.length)]!);
    return [...chosen];
  }

  add(ids: readonly string[]): void {
    this.ids.push(...ids);
  }

  remove(ids: readonly string[]): void {
    const gone = new Set(ids);
    // Swap-remove keeps this O(removed) per id rather than rebuilding a million-entry array.
    for (let i = this.ids.length - 1; i >= 0 && gone.size > 0; i--) {
      if (gone.delete(this.ids[i]!)) {
        this.ids[i] = this.ids[this.ids.length - 1]!;
        this.ids.pop();
      }
    }
  }
}

type CommitKind = 'update' | 'delete' | 'add';

/** Mostly edits, with every 10th commit a delete and every 7th a small add. */
function commitKind(commit: number): CommitKind {
  if (commit % 10 === 0) return 'delete';
  if (commit % 7 === 0) return 'add';
  return 'update';
}

interface CommitTimings {
  latestVersion: number;
  millis: Record<CommitKind, number[]>;
}

/** Small commits through the API, numbered on from one call to the next. */
class SmallCommits {
  private commit = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly datasetId: string,
    private readonly current: CurrentRecords,
    /** Bench record numbers for new records continue after the ingested ones, so contents stay distinct. */
    private nextRecord: number,
  ) {}

  async run(count: number): Promise<CommitTimings> {
    const millis: Record<CommitKind, number[]> = { update: [], delete: [], add: [] };
    let latestVersion = 0;
    for (let i = 0; i < count; i++) {
      const commit = ++this.commit;
      const kind = commitKind(commit);
      const started = performance.now();
      const result = await this.send(kind, commit);
      millis[kind].push(performance.now() - started);
      if (!result.version) throw new Error(`commit ${commit} (${kind}) committed no version`);
      latestVersion = result.version.version;
    }
    return { latestVersion, millis };
  }

  private async send(kind: CommitKind, commit: number): Promise<CommitResponse<{ id: string }>> {
    const path = `/datasets/${this.datasetId}/records`;
    if (kind === 'update') {
      const records = this.current.sample(10).map((id, k) => ({ id, expected_output: `Revised in commit ${commit} (${k}).` }));
      return this.api.send('PATCH', path, { records });
    }
    if (kind === 'delete') {
      const ids = this.current.sample(5);
      const result = await this.api.send<CommitResponse<{ id: string }>>('POST', `${path}/delete`, { ids });
      this.current.remove(ids);
      return result;
    }
    const records = Array.from({ length: 5 }, () => benchRecord(this.nextRecord++));
    const result = await this.api.addRecords(this.datasetId, { records });
    this.current.add(result.records.map((record) => record.id));
    return result;
  }
}

interface Latency {
  p50: number;
  p95: number;
  /** Records on the page, to tell an empty page from a full one. */
  rows: number;
}

async function timePage(api: ApiClient, datasetId: string, query: { version?: number; cursor?: string }, settings: Settings): Promise<Latency> {
  const read = () => api.listRecords(datasetId, { ...query, limit: 100 });
  let rows = 0;
  for (let i = 0; i < settings.readWarmups; i++) rows = (await read()).data.length;
  const millis: number[] = [];
  for (let i = 0; i < settings.readRuns; i++) {
    const started = performance.now();
    await read();
    millis.push(performance.now() - started);
  }
  return { p50: percentile(millis, 50), p95: percentile(millis, 95), rows };
}

/** Follows next_cursor (1,000 records a page) until about `position` records are behind it. */
async function cursorAt(api: ApiClient, datasetId: string, position: number, version?: number): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let seen = 0; seen < position; ) {
    const page = await api.listRecords(datasetId, { limit: 1000, version, ...(cursor === undefined ? {} : { cursor }) });
    if (page.next_cursor === null) break;
    seen += page.data.length;
    cursor = page.next_cursor;
  }
  return cursor;
}

/** Where the timed pages start: undefined is the first page. */
interface ReadPositions {
  firstPage: undefined;
  /** Half-way through the latest version; version 1 may hold nothing past it. */
  middleOfLatest: string | undefined;
  /** Half-way through version 1, which both versions have records after. */
  middleOfV1: string | undefined;
}

async function findReadPositions(api: ApiClient, datasetId: string, recordsInV1: number, currentRecords: number): Promise<ReadPositions> {
  return {
    firstPage: undefined,
    middleOfLatest: await cursorAt(api, datasetId, currentRecords / 2),
    middleOfV1: await cursorAt(api, datasetId, recordsInV1 / 2, 1),
  };
}

type VersionReads = Record<keyof ReadPositions, { v1: Latency; latest: Latency }>;

async function timeVersionReads(api: ApiClient, datasetId: string, positions: ReadPositions, settings: Settings): Promise<VersionReads> {
  const atBoth = async (cursor: string | undefined) => {
    const query = cursor === undefined ? {} : { cursor };
    return {
      v1: await timePage(api, datasetId, { ...query, version: 1 }, settings),
      latest: await timePage(api, datasetId, query, settings),
    };
  };
  return {
    firstPage: await atBoth(positions.firstPage),
    middleOfLatest: await atBoth(positions.middleOfLatest),
    middleOfV1: await atBoth(positions.middleOfV1),
  };
}

// ---------------------------------------------------------------------------------------------
// Figures

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function formatRate(label: string, rate: Rate): string {
  return `${label.padEnd(18)}${integer.format(rate.records)} records in ${rate.seconds.toFixed(1)} s = ${integer.format(rate.records / rate.seconds)} records/s`;
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function formatPair(label: string, pair: { v1: Latency; latest: Latency }): string {
  const side = (name: string, latency: Latency) => `${name} p50 ${ms(latency.p50)} p95 ${ms(latency.p95)} (${latency.rows} rows)`;
  return `  ${label.padEnd(18)}${side('v1', pair.v1)} | ${side('latest', pair.latest)} | ratio v1/latest ${(pair.v1.p50 / pair.latest.p50).toFixed(2)}`;
}

function formatCommits(label: string, timings: CommitTimings): string {
  const kinds: CommitKind[] = ['update', 'add', 'delete'];
  const parts = kinds.flatMap((kind) => {
    const millis = timings.millis[kind];
    return millis.length === 0 ? [] : [`${millis.length} ${kind}s p50 ${ms(percentile(millis, 50))} p95 ${ms(percentile(millis, 95))}`];
  });
  return `${label.padEnd(18)}${parts.join(' | ')}`;
}

/** Mean time of the first and of the last ten batches. */
function formatBatchTrend(millis: readonly number[]): string {
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const edge = Math.min(10, millis.length);
  return `first ${edge} ${ms(mean(millis.slice(0, edge)))}, last ${edge} ${ms(mean(millis.slice(-edge)))}`;
}

/** Other work on the machine skews every figure; the load average says how much there was. */
function formatLoad(): string {
  const [one, five] = loadavg();
  return `load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min) on ${availableParallelism()} CPUs`;
}

function megabytes(kilobytes: number): string {
  return `${integer.format(kilobytes / 1024)} MB`;
}

// ---------------------------------------------------------------------------------------------
// One database, start to end

async function benchOne(dialect: DialectName, settings: Settings): Promise<void> {
  print(`\n== ${dialect}`);
  const database = await createBenchDatabase(dialect, settings);
  try {
    const server = await startBenchServer(database);
    try {
      await benchAgainst(server, database, settings);
    } finally {
      await server.close();
    }
  } finally {
    await database.drop();
  }
  // maxRSS is the process's high-water mark so far, so a later section includes the earlier ones.
  const peak = process.resourceUsage().maxRSS;
  print(`peak RSS:         ${megabytes(peak)} (process so far; RSS now ${megabytes(process.memoryUsage().rss / 1024)})`);
  print(`machine load:     ${formatLoad()}`);
}

async function benchAgainst(server: RunningServer, database: BenchDatabase, settings: Settings): Promise<void> {
  const api = new ApiClient(server.url, ADMIN_KEY);

  const { viaHttp, direct, httpDatasetId, recordIds } = await ingestBothWays(api, database, settings);
  print(formatRate('ingest via HTTP:', viaHttp));
  print(formatRate('direct insert:', direct));
  print(`ratio API/direct: ${(rateOf(viaHttp) / rateOf(direct)).toFixed(2)}`);
  print(`per batch:        HTTP ${formatBatchTrend(viaHttp.batchMillis)} | direct ${formatBatchTrend(direct.batchMillis)}`);

  const current = new CurrentRecords(recordIds, seededRandom(42));
  const commits = new SmallCommits(api, httpDatasetId, current, settings.records);
  const committed = await commits.run(settings.extraCommits);
  print(formatCommits('small commits:', committed));
  const positions = await findReadPositions(api, httpDatasetId, Math.min(settings.batchSize, settings.records), current.size);
  print(`version reads (${integer.format(committed.latestVersion)} versions, ${integer.format(current.size)} current records, pages of 100):`);
  printReads(await timeVersionReads(api, httpDatasetId, positions, settings));

  // Neither database gathers planner statistics on its own here (the server never runs ANALYZE; the
  // test PostgreSQL may run without autovacuum), and plans without them can scan a whole dataset. So
  // the same figures again with statistics, to tell a missing-statistics cost from a design cost.
  await database.analyze();
  print('after ANALYZE:');
  printReads(await timeVersionReads(api, httpDatasetId, positions, settings));
  print(formatCommits('  small commits:', await commits.run(ANALYZED_COMMITS)));
}

/** Enough commits after ANALYZE to show their latency, few enough not to blur the version count. */
const ANALYZED_COMMITS = 50;

function printReads(reads: VersionReads): void {
  print(formatPair('first page', reads.firstPage));
  print(formatPair('middle of latest', reads.middleOfLatest));
  print(formatPair('middle of v1', reads.middleOfV1));
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const settings = readSettings();
  print(
    `evalstore records bench: ${integer.format(settings.records)} records in batches of ${integer.format(settings.batchSize)}, ` +
      `then ${integer.format(settings.extraCommits)} small commits; node ${process.version}`,
  );
  print(`machine load at start: ${formatLoad()}`);
  for (const dialect of settings.databases) await benchOne(dialect, settings);
}

await main();

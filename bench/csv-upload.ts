/**
 * CSV upload benchmark: a generated CSV (default 1,000,000 rows, about 150 MB, mixed JSON and text
 * cells) uploaded through Datadog's streaming endpoint (`POST /datadog/api/v2/llm-obs/v2/{project}/
 * datasets/{dataset}/records/upload`, multipart, answered with Server-Sent Events) to a server process
 * on 127.0.0.1, against the same file parsed and inserted straight into the same database, in the same
 * run. Prints both rates and their ratio, the server's peak RSS, and the latency of /healthz polled at a
 * fixed rate during the upload. Runs on SQLite and PostgreSQL in turn. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { nowIso } from '../src/domain/time.js';
import { readEventStream } from '../src/client/event-stream.js';
import { newId } from '../src/domain/ids.js';
import { normalizeContent, toRevisionRow } from '../src/services/rows/revisions.js';
import { csvRows, type CsvMapping } from '../src/services/uploads/index.js';
import type { DialectName } from '../src/store/dialect.js';
import type { RecordRevisionTable } from '../src/store/schema.js';
import { ADMIN_KEY, createBenchDatabase, startServerProcess, type BenchDatabase } from './support/server.js';
import { percentile } from './support/stats.js';

const ROWS = Number((process.env.BENCH_ROWS ?? '1000000').replace(/[_,]/g, ''));
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((d) => d.trim()) as DialectName[];
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const HEALTH_EVERY_MS = 50;
const BATCH = 5_000;

const MAPPING: CsvMapping = {
  input: { column: 'input', required: true },
  expected_output: { column: 'expected_output' },
  metadata: { column: 'metadata' },
  tags: { column: 'tags' },
  external_id: { column: 'id' },
};

const WORDS = ['capital', 'river', 'mountain', 'ocean', 'language', 'currency', 'population', 'border', 'climate', 'history'];

/** About 150 bytes a row: JSON objects and plain text in input and expected_output, JSON metadata, tags. */
async function generateCsv(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('input,expected_output,metadata,tags,id\n');
  let buffer = '';
  for (let i = 0; i < rows; i += 1) {
    const word = WORDS[i % WORDS.length]!;
    const input = i % 2 === 0 ? `"{""question"": ""What is the ${word} of country ${i}?"", ""n"": ${i}}"` : `What is the ${word} of country number ${i}?`;
    const expected = i % 3 === 0 ? `"{""answer"": ""${word}-${i}""}"` : `The ${word} is ${i * 7}`;
    buffer += `${input},${expected},"{""source"": ""gen"", ""i"": ${i}}","topic:${word},batch:${i % 100}",rec-${i}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return statSync(path).size;
}

/** The same file inserted straight into the bench database, without the server: the baseline. */
type DirectInsert = (datasetId: string, file: string) => Promise<number>;

function directInsert(database: BenchDatabase): DirectInsert {
  if (database.dialect === 'sqlite') {
    return async (datasetId, file) => {
      const db = new BetterSqlite3(database.location);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 10000');
      let statement: BetterSqlite3.Statement | undefined;
      let count = 0;
      db.exec('begin immediate');
      const now = nowIso();
      for await (const rows of batches(file, datasetId, now)) {
        for (const row of rows) {
          statement ??= db.prepare(
            `insert into record_revisions (${Object.keys(row).join(', ')}) values (${Object.keys(row)
              .map(() => '?')
              .join(', ')})`,
          );
          statement.run(Object.values(row));
        }
        count += rows.length;
      }
      db.prepare(
        'insert into dataset_versions (dataset_id, version, name, message, created_by, created_at, records_added, records_updated, records_removed, record_count) values (?, 1, null, ?, ?, ?, ?, 0, 0, ?)',
      ).run(datasetId, 'direct', 'bench', now, count, count);
      db.prepare('update datasets set latest_version = 1, record_count = ? where id = ?').run(count, datasetId);
      db.exec('commit');
      db.close();
      return count;
    };
  }
  return async (datasetId, file) => {
    const client = new pg.Client({ connectionString: database.location });
    await client.connect();
    const types = new Map(
      (
        await client.query<{ name: string; type: string }>(
          `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = to_regclass('record_revisions') and attnum > 0 and not attisdropped`,
        )
      ).rows.map((r) => [r.name, r.type]),
    );
    let count = 0;
    await client.query('begin');
    const now = nowIso();
    for await (const rows of batches(file, datasetId, now)) {
      const columns = Object.keys(rows[0]!);
      const arrays = columns.map((column) => rows.map((row) => (row as unknown as Record<string, unknown>)[column]));
      await client.query(
        `insert into record_revisions (${columns.join(', ')}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${types.get(c)}[]`).join(', ')})`,
        arrays,
      );
      count += rows.length;
    }
    await client.query(
      'insert into dataset_versions (dataset_id, version, name, message, created_by, created_at, records_added, records_updated, records_removed, record_count) values ($1, 1, null, $2, $3, $4, $5, 0, 0, $5)',
      [datasetId, 'direct', 'bench', now, count],
    );
    await client.query('update datasets set latest_version = 1, record_count = $1 where id = $2', [count, datasetId]);
    await client.query('commit');
    await client.end();
    return count;
  };
}

/** The file parsed by the upload's own CSV reader, as the rows the server would store, in batches. */
async function* batches(file: string, datasetId: string, now: string): AsyncGenerator<RecordRevisionTable[]> {
  let rows: RecordRevisionTable[] = [];
  for await (const { record } of csvRows(createReadStream(file, { highWaterMark: 64 * 1024 }), { mapping: MAPPING })) {
    rows.push(toRevisionRow(datasetId, { record_id: newId(), content: normalizeContent(record) }, 1, now));
    if (rows.length >= BATCH) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length) yield rows;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'DD-API-KEY': ADMIN_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

/** Streams the file from disk as a multipart body and reads the event stream to its terminal event. */
/** Uploads the file; answers the `completed` summary and when the server said it began committing (staging's end). */
async function uploadOverHttp(base: string, path: string, file: string): Promise<{ completed: any; committingAt: number }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const req = httpRequest(new URL(path, base), {
    method: 'POST',
    headers: {
      'DD-API-KEY': ADMIN_KEY,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': Buffer.byteLength(head) + statSync(file).size + Buffer.byteLength(tail),
    },
  });
  let committingAt = Number.NaN;
  const answered = new Promise<any>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', async (response) => {
      try {
        for await (const { event, data } of readEventStream(response)) {
          if (event === 'progress' && Number.isNaN(committingAt) && JSON.parse(data).phase === 'committing') committingAt = performance.now();
          if (event === 'completed') return resolve(JSON.parse(data));
          if (event === 'error') return reject(new Error(`upload failed: ${data}`));
        }
        reject(new Error(`the stream ended without a terminal event (status ${response.statusCode})`));
      } catch (error) {
        reject(error);
      }
    });
  });
  req.write(head);
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    if (!req.write(chunk)) await once(req, 'drain');
  }
  req.end(tail);
  const completed = await answered;
  return { completed, committingAt };
}

async function run(dialect: DialectName, file: string, bytes: number): Promise<void> {
  console.log(`\n== ${dialect}: ${ROWS.toLocaleString('en-US')} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
  const database = await createBenchDatabase(dialect, POSTGRES_URL, 'bench-csv');
  const server = await startServerProcess(database);
  const base = server.baseUrl;
  try {
    const project = await api(base, 'POST', '/datadog/api/v2/llm-obs/v1/projects', { data: { type: 'projects', attributes: { name: 'bench' } } });
    const pid = project.data.id;
    const viaHttp = await api(base, 'POST', `/datadog/api/v2/llm-obs/v1/${pid}/datasets`, { data: { type: 'datasets', attributes: { name: 'via-http' } } });
    const direct = await api(base, 'POST', `/datadog/api/v2/llm-obs/v1/${pid}/datasets`, { data: { type: 'datasets', attributes: { name: 'direct' } } });

    // /healthz at a fixed rate (each poll timed on its own, whether or not the last one answered).
    const latencies: number[] = [];
    let polling = true;
    const pending = new Set<Promise<void>>();
    const poller = setInterval(() => {
      if (!polling) return;
      const started = performance.now();
      const poll = fetch(`${base}/healthz`, { signal: AbortSignal.timeout(60_000) })
        .then((r) => r.arrayBuffer())
        .then(
          () => void latencies.push(performance.now() - started),
          () => void latencies.push(performance.now() - started),
        )
        .finally(() => pending.delete(poll));
      pending.add(poll);
    }, HEALTH_EVERY_MS);

    const httpStart = performance.now();
    const { completed, committingAt } = await uploadOverHttp(base, `/datadog/api/v2/llm-obs/v2/${pid}/datasets/${viaHttp.data.id}/records/upload`, file);
    const httpSeconds = (performance.now() - httpStart) / 1000;
    const stagingSeconds = (committingAt - httpStart) / 1000;
    polling = false;
    clearInterval(poller);
    await Promise.all(pending);
    const rss = peakRssMb(server.pid);
    if (completed.records_created !== ROWS) throw new Error(`expected ${ROWS} records, got ${JSON.stringify(completed)}`);

    const directStart = performance.now();
    const inserted = await directInsert(database)(direct.data.id, file);
    const directSeconds = (performance.now() - directStart) / 1000;
    if (inserted !== ROWS) throw new Error(`the direct path inserted ${inserted} rows`);

    const httpRate = ROWS / httpSeconds;
    const directRate = ROWS / directSeconds;
    console.log(
      `upload over HTTP (multipart, SSE):  ${httpSeconds.toFixed(1)} s  ${Math.round(httpRate).toLocaleString('en-US')} rows/s ` +
        `(staged in ${stagingSeconds.toFixed(1)} s, committed in ${(httpSeconds - stagingSeconds).toFixed(1)} s)`,
    );
    console.log(`direct parse + insert:              ${directSeconds.toFixed(1)} s  ${Math.round(directRate).toLocaleString('en-US')} rows/s`);
    console.log(`ratio HTTP/direct:                  ${(httpRate / directRate).toFixed(2)}  (target >= 0.5)`);
    console.log(`server peak RSS:                    ${rss.toFixed(0)} MB  (target < 300)`);
    console.log(
      `/healthz during the upload:         ${latencies.length} polls every ${HEALTH_EVERY_MS} ms; p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(0)} ms  (target p99 < 100)`,
    );
  } finally {
    await server.stop();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'evalstore-bench-file-'));
  const file = join(dir, 'bench.csv');
  try {
    const started = performance.now();
    const bytes = await generateCsv(file, ROWS);
    console.log(
      `generated ${file}: ${ROWS.toLocaleString('en-US')} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const dialect of DATABASES) await run(dialect, file, bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

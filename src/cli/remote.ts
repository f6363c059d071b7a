import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readEventStream } from '../http/sse.js';

/** Commands that talk to a running server over the native API (`--url`, `--key`). */
export interface Remote {
  url: string;
  key: string;
}

function send(remote: Remote, method: string, path: string, headers: Record<string, string | number> = {}): ReturnType<typeof httpRequest> {
  const url = new URL(path, remote.url.endsWith('/') ? remote.url : `${remote.url}/`);
  const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return make(url, { method, headers: { authorization: `Bearer ${remote.key}`, ...headers } });
}

function responseOf(req: ReturnType<typeof httpRequest>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
}

async function textOf(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += chunk;
  return text;
}

async function json(remote: Remote, method: string, path: string, body?: unknown): Promise<any> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const req = send(remote, method, path, payload === undefined ? {} : { 'content-type': 'application/json' });
  const answer = responseOf(req);
  req.end(payload);
  const response = await answer;
  const text = await textOf(response);
  const parsed = text ? JSON.parse(text) : null;
  if ((response.statusCode ?? 500) >= 400) throw new Error(parsed?.detail ?? `${method} ${path} answered ${response.statusCode}`);
  return parsed;
}

async function datasetByName(remote: Remote, name: string): Promise<{ id: string; latest_version: number } | undefined> {
  const page = await json(remote, 'GET', `api/v1/datasets?name=${encodeURIComponent(name)}`);
  return page.data[0];
}

export interface UploadFlags {
  dataset: string;
  create?: boolean;
  dedupe?: boolean;
  tag?: string[];
  format?: 'csv' | 'jsonl';
}

/** Streams FILE to the server, drawing a progress bar from the server's progress events. */
export async function uploadFile(remote: Remote, file: string, flags: UploadFlags, out: NodeJS.WriteStream = process.stderr): Promise<any> {
  let dataset = await datasetByName(remote, flags.dataset);
  if (!dataset) {
    if (!flags.create) throw new Error(`No dataset is named ${JSON.stringify(flags.dataset)} (add --create to make it)`);
    dataset = await json(remote, 'POST', 'api/v1/datasets', { name: flags.dataset });
  }
  const format = flags.format ?? (/\.csv$/i.test(file) ? 'csv' : 'jsonl');
  const size = statSync(file).size;
  const query = new URLSearchParams({ filename: basename(file), format });
  if (flags.dedupe) query.set('deduplicate', 'true');
  for (const tag of flags.tag ?? []) query.append('tag', tag);
  const req = send(remote, 'POST', `api/v1/datasets/${dataset!.id}/uploads?${query}`, {
    'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson',
    'content-length': size,
    accept: 'text/event-stream',
  });
  const answer = responseOf(req);
  let sent = 0;
  let rows = 0;
  let phase = 'sending';
  const tty = out.isTTY === true;
  const draw = (final = false) => {
    const width = 30;
    const done = Math.round((sent / Math.max(size, 1)) * width);
    const line = `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${((100 * sent) / Math.max(size, 1)).toFixed(0)}%  ${rows.toLocaleString('en-US')} rows  ${phase}`;
    if (tty) out.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else if (final) out.write(`${line}\n`);
  };
  const source = createReadStream(file);
  source.on('data', (chunk) => {
    sent += chunk.length;
  });
  const sending = pipeline(source, req).catch(() => undefined);
  const response = await answer;
  if (response.statusCode !== 200) {
    const text = await textOf(response);
    await sending;
    throw new Error(JSON.parse(text || '{}').detail ?? `the upload answered ${response.statusCode}`);
  }
  let result: any;
  for await (const { event, data } of readEventStream(response)) {
    const payload = JSON.parse(data);
    if (event === 'progress') {
      rows = payload.rows_received ?? rows;
      phase = payload.phase ?? phase;
      draw();
    } else if (event === 'completed') {
      result = payload;
      phase = 'committed';
    } else if (event === 'error') {
      draw(true);
      throw new Error(payload.detail ?? payload.message ?? 'the upload failed');
    }
  }
  await sending;
  draw(true);
  if (!result) throw new Error('the server closed the stream before the upload finished');
  return result;
}

/** Writes a version of a dataset (by name or id) as CSV or JSONL to `output` (stdout by default). */
export async function exportDataset(
  remote: Remote,
  nameOrId: string,
  flags: { version?: string; format: 'csv' | 'jsonl'; output?: string },
): Promise<void> {
  const dataset = /^[0-9a-f-]{36}$/i.test(nameOrId) ? { id: nameOrId } : await datasetByName(remote, nameOrId);
  if (!dataset) throw new Error(`No dataset is named ${JSON.stringify(nameOrId)}`);
  const query = new URLSearchParams({ format: flags.format, ...(flags.version ? { version: flags.version } : {}) });
  const req = send(remote, 'GET', `api/v1/datasets/${dataset.id}/export?${query}`);
  const answer = responseOf(req);
  req.end();
  const response = await answer;
  if (response.statusCode !== 200) throw new Error(JSON.parse((await textOf(response)) || '{}').detail ?? `the export answered ${response.statusCode}`);
  await pipeline(response, flags.output ? createWriteStream(flags.output) : process.stdout);
}

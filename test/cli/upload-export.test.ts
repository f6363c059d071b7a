import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evalstore } from '../../src/client/client.js';
import { useTestServer } from '../support/app.js';
import { runCli } from '../support/processes.js';

/** `evalstore upload` and `evalstore export` against a running server (SQLite: these commands speak HTTP only). */
describe('CLI upload and export', () => {
  const t = useTestServer('sqlite');
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'evalstore-cli-'));
  });
  afterAll(async () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const client = () => new Evalstore({ url: t.url, apiKey: t.adminKey });
  const cli = (args: string[]) => runCli([...args, '--url', t.url, '--key', t.adminKey], { timeoutMs: 60_000 });

  it('uploads a CSV as one version with a progress bar, de-duplicating when asked, and exports it back', async () => {
    const csv = join(folder, 'capitals.csv');
    writeFileSync(
      csv,
      ['input,expected_output,tags', ...Array.from({ length: 3_000 }, (_, i) => `"Capital of country ${i % 2_500}?",City ${i},geo`)].join('\n'),
    );
    const uploaded = await cli(['upload', csv, '--dataset', 'capitals', '--create', '--dedupe', '--tag', 'cli']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stdout).toContain('version 1: 2500 created');
    expect(uploaded.stdout).toContain('500 skipped as duplicates');
    expect(uploaded.stderr).toMatch(/100%|done|committ/i);

    const again = await cli(['upload', csv, '--dataset', 'capitals', '--dedupe']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no new version');

    const output = join(folder, 'capitals.jsonl');
    const exported = await cli(['export', 'capitals', '--version', '1', '-o', output]);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2_500);
    expect(lines[0]).toMatchObject({ tags: ['geo', 'cli'] });
  });

  it('keeps the columns no field uses as metadata, says where each went, and reads cells as text when asked', async () => {
    const csv = join(folder, 'qa.csv');
    writeFileSync(csv, 'question,answer,topic,zip\nCapital of France?,Paris,geography,00042\nWhat is 2+2?,4,math,40068\n');
    const uploaded = await cli(['upload', csv, '--dataset', 'qa', '--create', '--input-column', 'question', '--expected-column', 'answer', '--cells', 'text']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stdout).toContain('columns: question -> input; answer -> expected_output; topic, zip -> metadata');
    const dataset = (await client().datasets.find('qa'))!;
    const records = (await client().records.list(dataset.id)).data;
    expect(records.map(({ expected_output, metadata }) => ({ expected_output, metadata }))).toEqual([
      { expected_output: 'Paris', metadata: { topic: 'geography', zip: '00042' } },
      { expected_output: '4', metadata: { topic: 'math', zip: '40068' } },
    ]);
    const dropped = await cli(['upload', csv, '--dataset', 'qa', '--input-column', 'question', '--ignore-column', 'zip', '--other-columns', 'ignore']);
    expect(dropped.stdout).toContain('topic, zip ignored');
  });

  it('prints its version, and names the role a key needs in each command', async () => {
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    expect((await runCli(['export', '--help'])).stdout).toContain('read role');
    expect((await runCli(['eval', '--help'])).stdout).toContain('write role');
  });

  it('fails with a clear message and a non-zero exit on a bad file, a missing dataset or a bad key', async () => {
    const bad = join(folder, 'bad.csv');
    writeFileSync(bad, 'input,metadata\nfine,{}\nbroken,{not json\n');
    const refused = await cli(['upload', bad, '--dataset', 'broken', '--create']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/line 3/);
    expect(await client().datasets.find('broken'), 'the dataset made for a refused upload is not left behind').toBeUndefined();

    const absent = await cli(['upload', join(folder, 'nope.csv'), '--dataset', 'never-made', '--create']);
    expect(absent.code).not.toBe(0);
    expect(absent.stderr.trim()).toBe(`evalstore: No file ${join(folder, 'nope.csv')}`);
    expect(await client().datasets.find('never-made')).toBeUndefined();
    const missing = await cli(['upload', bad, '--dataset', 'no-such-dataset']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no-such-dataset/);
    const unauthorized = await runCli(['export', 'capitals', '--url', t.url, '--key', 'es_wrong'], { timeoutMs: 60_000 });
    expect(unauthorized.code).not.toBe(0);
  });
});

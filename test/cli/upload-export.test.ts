import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('fails with a clear message and a non-zero exit on a bad file, a missing dataset or a bad key', async () => {
    const bad = join(folder, 'bad.csv');
    writeFileSync(bad, 'input,metadata\nfine,{}\nbroken,{not json\n');
    const refused = await cli(['upload', bad, '--dataset', 'broken', '--create']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/line 3/);
    const missing = await cli(['upload', bad, '--dataset', 'no-such-dataset']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no-such-dataset/);
    const unauthorized = await runCli(['export', 'capitals', '--url', t.url, '--key', 'es_wrong'], { timeoutMs: 60_000 });
    expect(unauthorized.code).not.toBe(0);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evalstore } from '../../src/client/index.js';
import { useTestServer } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { killAllChildren, runCli, spawnCli } from '../support/processes.js';

const RECORDS = 200;

/**
 * A module as a user writes one: the target sleeps TARGET_DELAY_MS per call, so the test can kill the
 * runner half way; TARGET_VARIANT=better answers right for every record; TARGET_FLAKY fails every 50th.
 */
const MODULE = `
export const experiment = { metadata: { prompt: 'v1' } };

export async function target(input: { n: number }, context: { report(usage: object): void }) {
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.TARGET_DELAY_MS ?? 0)));
  if (process.env.TARGET_FLAKY && input.n % 50 === 0) throw new Error('the model timed out');
  context.report({ total_tokens: 4, total_cost: 0.001 });
  return process.env.TARGET_VARIANT === 'better' || input.n % 2 === 0 ? input.n * 2 : -1;
}

export const evaluators = [
  function exact({ output, expected }: { output: unknown; expected: unknown }) {
    return output === expected;
  },
  function sign({ output }: { output: unknown }) {
    return { key: 'sign', score: Math.sign(Number(output)), comment: 'the sign of the answer' };
  },
];

export const summaryEvaluators = [
  (results: { scores: { key: string; score?: number | null }[] }[]) => ({
    key: 'share_exact',
    score: results.filter((result) => result.scores.some((score) => score.key === 'exact' && score.score === 1)).length / results.length,
  }),
];
`;

/** `evalstore eval` end to end against a server on 127.0.0.1, once per database. */
describe.each(DIALECTS)('evalstore eval on %s', (dialect) => {
  const t = useTestServer(dialect);
  let folder: string;
  let module: string;
  let evalstore: Evalstore;

  beforeAll(async () => {
    evalstore = new Evalstore({ url: t.url, apiKey: t.adminKey });
    await evalstore.datasets.create({ name: 'numbers', records: Array.from({ length: RECORDS }, (_, n) => ({ input: { n }, expected_output: n * 2 })) });
    folder = mkdtempSync(join(tmpdir(), 'evalstore-eval-'));
    module = join(folder, 'doubler.eval.ts');
    writeFileSync(module, MODULE);
  });
  afterAll(async () => {
    await killAllChildren();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const args = (...more: string[]) => ['eval', module, '--dataset', 'numbers', '--url', t.url, '--key', t.adminKey, ...more];

  async function runsOf(experimentName: string) {
    const experiment = (await evalstore.experiments.list({ name: experimentName })).data[0];
    if (!experiment) return [];
    const runs = [];
    for await (const run of evalstore.runs.iterate(experiment.id, { limit: 1000 })) runs.push(run);
    return runs;
  }

  it('survives being killed half way: the rerun resumes without running or recording anything twice', async () => {
    const runner = spawnCli(args('--experiment', 'first', '--repetitions', '2', '--concurrency', '8', '--batch-size', '20'), {
      env: { TARGET_DELAY_MS: '20' },
    });
    // Kill it once some batches are recorded and well before the 400 calls are done.
    const deadline = Date.now() + 60_000;
    let recorded = 0;
    while (recorded < 100 && Date.now() < deadline && !runner.hasExited) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      recorded = (await runsOf('first')).length;
    }
    await runner.kill();
    // A batch the runner sent just before it died still commits on the server: read once that has settled.
    let before = await runsOf('first');
    for (let settled = false; !settled; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const again = await runsOf('first');
      settled = again.length === before.length;
      before = again;
    }
    expect(before.length, runner.describeOutput()).toBeGreaterThanOrEqual(100);
    expect(before.length).toBeLessThan(2 * RECORDS);
    // Batches are transactions: a run is there with all its scores, or not at all.
    expect(before.length % 20).toBe(0);

    const rerun = await runCli(args('--experiment', 'first', '--repetitions', '2', '--concurrency', '8', '--batch-size', '20'), { timeoutMs: 60_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`(${before.length} done before)`);
    const after = await runsOf('first');
    expect(after).toHaveLength(2 * RECORDS);
    expect(new Set(after.map((run) => `${run.record_id}#${run.repetition}`)).size).toBe(2 * RECORDS);
    expect(after.filter((run) => before.some((earlier) => earlier.id === run.id))).toHaveLength(before.length);

    // The aggregate table: every run of both sessions, and the summary evaluator over all of them.
    expect(rerun.stdout).toMatch(/runs\s+400 over 200 records/);
    expect(rerun.stdout).toMatch(/errors\s+0 \(0\.0%\)/);
    expect(rerun.stdout).toMatch(/tokens\s+1,600/);
    expect(rerun.stdout).toMatch(/cost\s+\$0\.4/);
    expect(rerun.stdout).toMatch(/score exact\s+mean 0\.500/);
    expect(rerun.stdout).toMatch(/summary share_exact\s+0\.5\b/);
    const experiment = (await evalstore.experiments.list({ name: 'first' })).data[0]!;
    expect(experiment.metadata).toEqual({ prompt: 'v1' });
  });

  it('compares a second experiment with the first, printing what improved and whether it is significant', async () => {
    const result = await runCli(args('--experiment', 'second', '--baseline', 'first', '--repetitions', '2', '--metadata', '{"prompt":"v2"}'), {
      env: { TARGET_VARIANT: 'better' },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Against the baseline:');
    expect(result.stdout).toMatch(
      /exact: 100 improved, 0 regressed, 100 unchanged; mean 0\.500 -> 1\.000 \(paired t-test, n 200, p = .*, significant at 0\.05\)/,
    );
    expect(result.stdout).toMatch(/sign: 100 improved/);
    const [first, second] = await Promise.all(['first', 'second'].map(async (name) => (await evalstore.experiments.list({ name })).data[0]!));
    expect(result.stdout).toContain(`experiment  ${t.url}/experiments/${second!.id}`);
    const comparison = `${t.url}/datasets/${second!.dataset_id}/compare?experiments=${first!.id},${second!.id}&baseline=${first!.id}`;
    expect(result.stdout).toContain(`comparison  ${comparison}`);
    // The link is one of the app's own routes (the page, or without a built bundle the page saying so), not a 404.
    const page = await fetch(comparison);
    expect([200, 503]).toContain(page.status);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await evalstore.experiments.list({ name: 'second' })).data[0]?.metadata).toEqual({ prompt: 'v2' });
  });

  it('retries the failed calls of an experiment with --retry-errors, replacing their runs', async () => {
    const flaky = await runCli(args('--experiment', 'flaky'), { env: { TARGET_FLAKY: '1' }, timeoutMs: 60_000 });
    expect(flaky.code, flaky.stderr).toBe(0);
    expect(flaky.stdout).toMatch(/errors\s+4 \(2\.0%\)/);
    const retried = await runCli(args('--experiment', 'flaky', '--retry-errors'), { timeoutMs: 60_000 });
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toContain('(196 done before)  (4 failed before, retried)');
    expect(retried.stdout).toMatch(/runs\s+200 over 200 records/);
    expect(retried.stdout).toMatch(/errors\s+0 \(0\.0%\)/);
    expect(await runsOf('flaky')).toHaveLength(RECORDS);
  });

  it('fails with a clear message on a module without a target or an unknown dataset', async () => {
    const empty = join(folder, 'empty.mjs');
    writeFileSync(empty, 'export const evaluators = [];\n');
    const noTarget = await runCli(['eval', empty, '--dataset', 'numbers', '--url', t.url, '--key', t.adminKey]);
    expect(noTarget.code).not.toBe(0);
    expect(noTarget.stderr).toMatch(/exports no target/);
    const unknown = await runCli(args('--experiment', 'x').map((arg) => (arg === 'numbers' ? 'nothing-here' : arg)));
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/No dataset is named "nothing-here"/);
  });
});

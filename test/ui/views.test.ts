import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ensureUiBundle } from './support/bundle.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { REGIONS, seedExperiments, type SeededExperiment } from './support/fixtures.js';
import { startUiServer, type UiServer } from './support/server.js';

/**
 * The views for finding things (issue 18): the experiment page's run filters, sorts, total and pages,
 * the comparison's sort by change, text search and total, all kept in the address; the CSV upload's
 * column mapping; ids that tell records apart; the score charts. Screenshots go to test/output/ui/
 * (ignored by git).
 */
const SCREENSHOTS = fileURLToPath(new URL('../output/ui/', import.meta.url));
const RECORDS = 150;
const STEP_TIMEOUT = 240_000;

/** What seedExperiments gives each run of `candidate-verbose` (the third experiment), by record index. */
const verbose = (i: number) => ({ failed: i % 25 === 24, quality: Number((0.55 + (i % 4) * 0.05).toFixed(2)) });
/** The `quality` score seedExperiments gives each experiment's run of record `i`. */
const quality = [(i: number) => 0.6 + (i % 5) * 0.05, (i: number) => 0.7 + (i % 3) * 0.05, (i: number) => 0.55 + (i % 4) * 0.05].map(
  (plan) => (i: number) => Number(plan(i).toFixed(2)),
);
/** The baseline's `correct` score: its output is the expected one except on every tenth record from the fourth. */
const baselineCorrect = (i: number) => (i % 10 === 3 ? 0 : 1);

let browser: Browser;
let server: UiServer;
let page: Page;
let datasetId: string;
let experiments: SeededExperiment[];
let tracedRunId: string;

async function signIn(): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/sign-in');
  await page.getByLabel('API key').fill(server.adminKey);
  await page.getByRole('button', { name: 'Use this key' }).click();
  await page.waitForURL('**/datasets');
}

/** Polls for what the page shows, allowing for a busy machine. */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 100 });

const total = async () => Number(await page.getByTestId('runs-total').getAttribute('data-total'));

describe.skipIf(!DIALECTS.includes('sqlite'))('finding things in the web UI, in Chromium on SQLite', () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureUiBundle();
    browser = await launchChromium();
    server = await startUiServer('sqlite');
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    // Every third record has an external id; the others are told apart by their ids alone.
    const records = Array.from({ length: RECORDS }, (_, n) => ({
      input: `What is the capital of country ${n}?`,
      expected_output: `City ${n}`,
      metadata: { region: REGIONS[n % 3] },
      ...(n % 3 === 0 ? { external_id: `q-${n}` } : {}),
    }));
    datasetId = (await server.api('POST', '/datasets', { name: 'geography', records })).id;
    ({ experiments, tracedRunId } = await seedExperiments(server, datasetId, RECORDS));
    await signIn();
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await page?.close();
    await server?.close();
    await browser?.close();
  });

  it('filters an experiment’s runs to errors, then to a score range, with the right total', async () => {
    const candidate = experiments[2]!;
    await page.goto(`${server.url}/experiments/${candidate.id}`);
    const runs = page.getByTestId('runs-table');
    await runs.waitFor();
    await poll(total).toBe(RECORDS);

    await page.getByLabel('Errors only').click();
    const failed = Array.from({ length: RECORDS }, (_, i) => verbose(i)).filter((run) => run.failed).length;
    expect(failed).toBe(6);
    await poll(total).toBe(failed);
    await poll(() => runs.locator('tbody tr').count()).toBe(failed);
    expect(await runs.locator('tbody tr[data-status=error]').count()).toBe(failed);
    expect(new URL(page.url()).searchParams.get('errors')).toBe('1');

    await page.getByLabel('Errors only').click();
    await page.getByLabel('Score key').selectOption('quality');
    await page.getByLabel('Score at least').fill('0.6');
    await page.getByLabel('Score at most').fill('0.65');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const inRange = Array.from({ length: RECORDS }, (_, i) => verbose(i)).filter((run) => !run.failed && run.quality >= 0.6 && run.quality <= 0.65).length;
    expect(inRange).toBe(72);
    await poll(total).toBe(inRange);
    const api = await server.api('GET', `/experiments/${candidate.id}/runs?root_only=true&score_key=quality&score_min=0.6&score_max=0.65&limit=1`);
    expect(api.total).toBe(inRange);
    await poll(() => runs.locator('tbody tr').count()).toBe(50);
    const shown = await runs.locator('td[data-score-key=quality]').allTextContents();
    await expect
      .poll(async () => (await runs.locator('td[data-score-key=quality]').allTextContents()).every((text) => ['0.6', '0.65'].includes(text)))
      .toBe(true);
    expect(shown.length).toBe(50);

    // Errors and the score range together: the failed runs have no score, so none.
    await page.getByLabel('Errors only').click();
    await poll(total).toBe(0);
    await page.getByText('No run matches these filters').waitFor();
    await page.getByLabel('Errors only').click();
    await poll(total).toBe(inRange);
    await page.screenshot({ path: join(SCREENSHOTS, 'experiment-runs-filtered.png'), fullPage: true });
  });

  it('reloads a filtered, sorted, paged view with a run’s drawer and trace node open, and shows the same', async () => {
    const baseline = experiments[0]!;
    await page.goto(`${server.url}/experiments/${baseline.id}`);
    await page.getByTestId('runs-table').waitFor();
    await page.getByLabel('Score key').selectOption('correct');
    await page.getByLabel('Score at least').fill('1');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const correct = Array.from({ length: RECORDS }, (_, i) => baselineCorrect(i)).filter((score) => score === 1).length;
    await poll(total).toBe(correct);
    await page.getByLabel('Sort runs by').selectOption('start_time');
    await page.getByLabel('Sort order').selectOption('desc');
    // Record 0's run (the traced one) started first, so it is the last of the last page.
    for (const expected of [2, 3]) {
      await page.getByRole('button', { name: 'Next →' }).click();
      await poll(() => page.locator('.pager').textContent()).toContain(`Page ${expected}`);
    }
    const row = page.locator(`tr[data-run-id="${tracedRunId}"]`);
    await row.waitFor();
    expect(await page.locator('[data-testid=runs-table] tbody tr').count()).toBe(correct - 100);
    await row.click();
    const tree = page.getByTestId('trace-tree');
    await tree.waitFor();
    await tree.getByText('tokenize').click();
    await poll(() => tree.locator('li.selected .trace-name').textContent()).toBe('tokenize');
    const before = new URL(page.url()).searchParams;
    expect(before.get('run')).toBe(tracedRunId);
    expect(before.getAll('cursor')).toHaveLength(2);

    await page.reload();
    await poll(total).toBe(correct);
    await poll(() => page.locator('.pager').textContent()).toContain('Page 3');
    expect(await page.getByLabel('Sort runs by').inputValue()).toBe('start_time');
    expect(await page.getByLabel('Score at least').inputValue()).toBe('1');
    await page.getByTestId('trace-tree').waitFor();
    await poll(() => page.getByTestId('trace-tree').locator('li.selected .trace-name').textContent()).toBe('tokenize');
    await poll(() => page.getByTestId('run-scores').textContent()).toContain('correct');
    expect(await page.locator(`[data-testid=runs-table] tr[data-run-id="${tracedRunId}"]`).count()).toBe(1);

    // Closing the drawer and going back opens it again: the drawer is a step of the history.
    await page.keyboard.press('Escape');
    await page.getByTestId('trace-tree').waitFor({ state: 'detached' });
    await page.goBack();
    await page.getByTestId('trace-tree').waitFor();
    await page.keyboard.press('Escape');
  });

  it('sorts the comparison by change against the baseline, largest regression first, with the total', async () => {
    const [baseline, short, wordy] = experiments as [SeededExperiment, SeededExperiment, SeededExperiment];
    await page.goto(`${server.url}/datasets/${datasetId}/compare?experiments=${baseline.id},${short.id},${wordy.id}&baseline=${baseline.id}`);
    const rows = page.getByTestId('comparison-row');
    await rows.first().waitFor();
    await poll(() => page.getByTestId('rows-total').getAttribute('data-total')).toBe(String(RECORDS));

    await page.getByRole('combobox', { name: 'Score', exact: true }).selectOption('quality');
    await page.getByLabel('Sort records by').selectOption('change');
    await poll(() => new URL(page.url()).searchParams.get('sort')).toBe('change');
    // By hand: the short prompt scores 0.7 to 0.8, the baseline 0.6 to 0.8, so the largest regression is 0.7 against 0.8.
    const deltas = Array.from({ length: RECORDS }, (_, i) => quality[1]!(i) - quality[0]!(i));
    const largest = Math.min(...deltas);
    expect(largest).toBeCloseTo(-0.1, 9);
    const chip = (index: number) => rows.nth(index).locator(`[data-experiment-id="${short.id}"] [data-score-key=quality]`);
    await poll(async () => Number(await chip(0).getAttribute('data-delta'))).toBeCloseTo(largest, 9);
    const shown = await rows.count();
    const seen: number[] = [];
    for (let index = 0; index < shown; index += 1) seen.push(Number(await chip(index).getAttribute('data-delta')));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.filter((delta) => Math.abs(delta - largest) < 1e-9).length).toBe(Math.min(shown, deltas.filter((d) => Math.abs(d - largest) < 1e-9).length));

    // Regressions only (of any candidate), hiding the wordy candidate's column: the total is counted by hand.
    await page.getByRole('button', { name: 'Regressions only' }).click();
    const regressed = Array.from(
      { length: RECORDS },
      (_, i) => quality[1]!(i) < quality[0]!(i) || (!verbose(i).failed && quality[2]!(i) < quality[0]!(i)),
    ).filter(Boolean).length;
    await poll(() => page.getByTestId('rows-total').getAttribute('data-total')).toBe(String(regressed));
    await page.getByText(/^Columns/).click();
    await page.getByLabel(`Show the column of ${wordy.name}`).click();
    await poll(() => rows.first().locator(`[data-experiment-id="${wordy.id}"]`).count()).toBe(0);
    await page.getByText(/^Columns/).click();
    await poll(async () => Number(await chip(0).getAttribute('data-delta'))).toBeCloseTo(largest, 9);
    await page.screenshot({ path: join(SCREENSHOTS, 'comparison-sorted-by-change.png') });

    // All of it is in the address: a reload shows the same.
    await page.reload();
    await poll(() => page.getByTestId('rows-total').getAttribute('data-total')).toBe(String(regressed));
    expect(await page.getByLabel('Sort records by').inputValue()).toBe('change');
    await poll(async () => Number(await chip(0).getAttribute('data-delta'))).toBeCloseTo(largest, 9);
    expect(await rows.first().locator(`[data-experiment-id="${wordy.id}"]`).count()).toBe(0);

    // Text search narrows the records; its total matches the API's.
    await page.getByRole('button', { name: 'All records' }).click();
    await page.getByRole('form', { name: 'Search the records' }).getByLabel('Search records').fill('country 1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const api = await server.api('POST', '/comparisons/rows', {
      experiment_ids: [baseline.id, short.id, wordy.id],
      baseline_id: baseline.id,
      q: 'country 1',
      count: true,
      limit: 1,
    });
    // "country 1", "country 10" to "country 19", "country 100" to "country 149".
    expect(api.total).toBe(1 + 10 + 50);
    await poll(() => page.getByTestId('rows-total').getAttribute('data-total')).toBe(String(api.total));
  });

  it('tells the records of a page apart: the external id when there is one, else enough of the id’s random part', async () => {
    await page.goto(`${server.url}/datasets/${datasetId}`);
    const table = page.getByTestId('records-table');
    await poll(() => table.locator('tbody tr').count()).toBe(50);
    const api = (await server.api('GET', `/datasets/${datasetId}/records?limit=50`)).data as { id: string; external_id: string | null }[];
    const shown = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-record-id')!, row.querySelector('[data-testid=record-label]')!.textContent!] as const));
    expect(shown.map(([id]) => id)).toEqual(api.map((record) => record.id));
    const labels = shown.map(([, label]) => label);
    expect(new Set(labels).size).toBe(50);
    // The 8-digit prefixes the page showed before tell hardly any of them apart: they are the ids' timestamps.
    expect(new Set(api.map((record) => record.id.slice(0, 8))).size).toBeLessThan(10);
    for (const [index, record] of api.entries()) {
      if (record.external_id) expect(labels[index]).toBe(record.external_id);
      else {
        expect(labels[index]).toMatch(/^…[0-9a-f]{6,}$/);
        expect(record.id.replaceAll('-', '').endsWith(labels[index]!.slice(1))).toBe(true);
      }
    }
    expect(api.filter((record) => record.external_id).length).toBeGreaterThan(0);
    expect(api.filter((record) => !record.external_id).length).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'records-distinct-ids.png') });
  });

  it('uploads a CSV through the UI with its columns mapped: an extra column kept as metadata, one dropped, cells as text', async () => {
    const target = await server.api('POST', '/datasets', { name: 'qa' });
    await page.goto(`${server.url}/datasets/${target.id}?tab=upload`);
    const csv = [
      'question,answer,topic,notes,code',
      ...Array.from({ length: 12 }, (_, n) => `What is ${n} + ${n}?,${2 * n},${n % 2 ? 'odd' : 'even'},scratch ${n},0${40068 + n}`),
    ].join('\n');
    await page.locator('input[type=file]').setInputFiles({ name: 'qa.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\n`) });
    const mapping = page.getByTestId('column-mapping');
    await mapping.waitFor();
    expect(await mapping.locator('tbody tr').count()).toBe(5);
    expect(await mapping.locator('tbody tr').first().textContent()).toContain('What is 0 + 0?');
    // The columns named after no field are kept as metadata keys unless told otherwise; without an input, no upload.
    expect(await page.getByLabel('Column topic becomes').inputValue()).toBe('metadata_key');
    expect(await page.getByRole('button', { name: 'Upload', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Column question becomes').selectOption('input');
    await page.getByLabel('Column answer becomes').selectOption('expected_output');
    await page.getByLabel('Column notes becomes').selectOption('drop');
    await page.getByLabel('Text as it is').check();
    await page.screenshot({ path: join(SCREENSHOTS, 'upload-mapping.png'), fullPage: true });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();

    await page.locator('[data-testid=upload-progress][data-phase=completed]').waitFor();
    expect(await page.getByTestId('columns-used').textContent()).toContain('question → input');
    expect(await page.getByTestId('columns-used').textContent()).toContain('answer → expected_output');
    expect(await page.getByTestId('columns-metadata').textContent()).toBe('topic, code');
    expect(await page.getByTestId('columns-ignored').textContent()).toBe('notes');
    await page.screenshot({ path: join(SCREENSHOTS, 'upload-columns-report.png'), fullPage: true });

    const records = (await server.api('GET', `/datasets/${target.id}/records?limit=100`)).data;
    expect(records).toHaveLength(12);
    const three = records.find((record: any) => record.input === 'What is 3 + 3?');
    // Text as it is: "6" stays text and the leading zero of the code is kept.
    expect(three).toMatchObject({ expected_output: '6', metadata: { topic: 'odd', code: '040071' } });
    expect(Object.keys(three.metadata).sort()).toEqual(['code', 'topic']);
  });

  it('charts each score: counts per value for binary and categorical scores, a histogram for numeric ones, and each score over time', async () => {
    const [baseline, short, wordy] = experiments as [SeededExperiment, SeededExperiment, SeededExperiment];
    // A categorical judgement on the first two: "bad" on every fifth run, else "good".
    for (const experiment of [baseline, short]) {
      const runs = (await server.api('GET', `/experiments/${experiment.id}/runs?root_only=true&limit=200`)).data as { id: string }[];
      expect(runs).toHaveLength(RECORDS);
      await server.api('POST', `/experiments/${experiment.id}/scores`, {
        scores: runs.map((run, k) => ({ run_id: run.id, key: 'verdict', value: k % 5 === 0 ? 'bad' : 'good' })),
      });
    }
    await page.goto(`${server.url}/datasets/${datasetId}/compare?experiments=${baseline.id},${short.id},${wordy.id}&baseline=${baseline.id}`);
    const chart = (key: string) => page.locator(`[data-testid=score-chart][data-score-key=${key}]`);
    const count = (key: string, value: string, experimentId: string) =>
      chart(key).locator(`g[data-value="${value}"] rect[data-experiment-id="${experimentId}"]`).getAttribute('data-count');

    // correct is 0 or 1: the baseline misses every tenth record from the fourth.
    await poll(() => chart('correct').getAttribute('data-kind')).toBe('values');
    const wrong = Array.from({ length: RECORDS }, (_, i) => baselineCorrect(i)).filter((score) => score === 0).length;
    await poll(() => count('correct', '0', baseline.id)).toBe(String(wrong));
    await poll(() => count('correct', '1', baseline.id)).toBe(String(RECORDS - wrong));

    // quality is numeric: ten bins from 0.55 to 0.8; the short prompt's 0.7, 0.75 and 0.8 fall in three of them.
    await poll(() => chart('quality').getAttribute('data-kind')).toBe('histogram');
    expect(await chart('quality').locator('g[data-value]').count()).toBe(10);
    const bars = chart('quality').locator(`rect[data-experiment-id="${short.id}"]`);
    await poll(async () => (await bars.evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-count'))))).reduce((a, b) => a + b, 0)).toBe(
      RECORDS,
    );
    const perBin = await bars.evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-count'))));
    expect(perBin.filter((n) => n > 0).sort()).toEqual([50, 50, 50]);
    const wordyBars = chart('quality').locator(`rect[data-experiment-id="${wordy.id}"]`);
    await poll(async () =>
      (await wordyBars.evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-count'))))).reduce((a, b) => a + b, 0),
    ).toBe(RECORDS - 6);

    // verdict is categorical: the server's counts of each value.
    await poll(() => chart('verdict').getAttribute('data-kind')).toBe('categorical');
    expect(await count('verdict', 'bad', short.id)).toBe(String(RECORDS / 5));
    expect(await count('verdict', 'good', short.id)).toBe(String(RECORDS - RECORDS / 5));
    await page.locator('.charts').screenshot({ path: join(SCREENSHOTS, 'score-charts.png') });

    // Over time, on the dataset's experiments tab: a point per experiment at its mean, in the order they ran.
    await page.goto(`${server.url}/datasets/${datasetId}?tab=experiments`);
    const trend = page.locator('[data-testid=score-trend][data-score-key=quality]');
    await trend.waitFor();
    const comparison = await server.api('POST', '/comparisons', { experiment_ids: experiments.map((e) => e.id) });
    const points = await trend.locator('circle').evaluateAll((circles) =>
      circles.map((circle) => ({
        id: circle.getAttribute('data-experiment-id'),
        x: Number(circle.getAttribute('cx')),
        mean: Number(circle.getAttribute('data-mean')),
      })),
    );
    expect(points.map((point) => point.id)).toEqual(experiments.map((e) => e.id));
    expect(points.map((point) => point.x)).toEqual([...points.map((point) => point.x)].sort((a, b) => a - b));
    for (const [index, point] of points.entries()) expect(point.mean).toBeCloseTo(comparison.stats[index].scores.quality.mean, 9);
    await page.getByTestId('score-trends').screenshot({ path: join(SCREENSHOTS, 'score-trends.png') });
  });
});

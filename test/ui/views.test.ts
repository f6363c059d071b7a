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
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/datasets');
}

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
    await expect.poll(total).toBe(RECORDS);

    await page.getByLabel('Errors only').click();
    const failed = Array.from({ length: RECORDS }, (_, i) => verbose(i)).filter((run) => run.failed).length;
    expect(failed).toBe(6);
    await expect.poll(total).toBe(failed);
    await expect.poll(() => runs.locator('tbody tr').count()).toBe(failed);
    expect(await runs.locator('tbody tr[data-status=error]').count()).toBe(failed);
    expect(new URL(page.url()).searchParams.get('errors')).toBe('1');

    await page.getByLabel('Errors only').click();
    await page.getByLabel('Score key').selectOption('quality');
    await page.getByLabel('Score at least').fill('0.6');
    await page.getByLabel('Score at most').fill('0.65');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const inRange = Array.from({ length: RECORDS }, (_, i) => verbose(i)).filter((run) => !run.failed && run.quality >= 0.6 && run.quality <= 0.65).length;
    expect(inRange).toBe(72);
    await expect.poll(total).toBe(inRange);
    const api = await server.api('GET', `/experiments/${candidate.id}/runs?root_only=true&score_key=quality&score_min=0.6&score_max=0.65&limit=1`);
    expect(api.total).toBe(inRange);
    await expect.poll(() => runs.locator('tbody tr').count()).toBe(50);
    const shown = await runs.locator('td[data-score-key=quality]').allTextContents();
    await expect
      .poll(async () => (await runs.locator('td[data-score-key=quality]').allTextContents()).every((text) => ['0.6', '0.65'].includes(text)))
      .toBe(true);
    expect(shown.length).toBe(50);

    // Errors and the score range together: the failed runs have no score, so none.
    await page.getByLabel('Errors only').click();
    await expect.poll(total).toBe(0);
    await page.getByText('No run matches these filters').waitFor();
    await page.getByLabel('Errors only').click();
    await expect.poll(total).toBe(inRange);
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
    await expect.poll(total).toBe(correct);
    await page.getByLabel('Sort runs by').selectOption('start_time');
    await page.getByLabel('Sort order').selectOption('desc');
    // Record 0's run (the traced one) started first, so it is the last of the last page.
    for (const expected of [2, 3]) {
      await page.getByRole('button', { name: 'Next →' }).click();
      await expect.poll(() => page.locator('.pager').textContent()).toContain(`Page ${expected}`);
    }
    const row = page.locator(`tr[data-run-id="${tracedRunId}"]`);
    await row.waitFor();
    expect(await page.locator('[data-testid=runs-table] tbody tr').count()).toBe(correct - 100);
    await row.click();
    const tree = page.getByTestId('trace-tree');
    await tree.waitFor();
    await tree.getByText('tokenize').click();
    await expect.poll(() => tree.locator('li.selected .trace-name').textContent()).toBe('tokenize');
    const before = new URL(page.url()).searchParams;
    expect(before.get('run')).toBe(tracedRunId);
    expect(before.getAll('cursor')).toHaveLength(2);

    await page.reload();
    await expect.poll(total).toBe(correct);
    await expect.poll(() => page.locator('.pager').textContent()).toContain('Page 3');
    expect(await page.getByLabel('Sort runs by').inputValue()).toBe('start_time');
    expect(await page.getByLabel('Score at least').inputValue()).toBe('1');
    await page.getByTestId('trace-tree').waitFor();
    await expect.poll(() => page.getByTestId('trace-tree').locator('li.selected .trace-name').textContent()).toBe('tokenize');
    await expect.poll(() => page.getByTestId('run-scores').textContent()).toContain('correct');
    expect(await page.locator(`[data-testid=runs-table] tr[data-run-id="${tracedRunId}"]`).count()).toBe(1);

    // Closing the drawer and going back opens it again: the drawer is a step of the history.
    await page.keyboard.press('Escape');
    await page.getByTestId('trace-tree').waitFor({ state: 'detached' });
    await page.goBack();
    await page.getByTestId('trace-tree').waitFor();
    await page.keyboard.press('Escape');
  });
});

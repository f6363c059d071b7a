import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ensureUiBundle } from './support/bundle.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { capitalsCsv, REGIONS, seedExperiments, type SeededExperiment } from './support/fixtures.js';
import { startUiServer, type UiServer } from './support/server.js';

/** Screenshots for people to look at; git ignores the folder. */
const SCREENSHOTS = fileURLToPath(new URL('../output/ui/', import.meta.url));
const ROWS = 8_000;
const EXPERIMENT_RECORDS = 150;
const STEP_TIMEOUT = 240_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signIn(page: Page, server: UiServer): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/sign-in');
  await page.getByLabel('API key').fill(server.adminKey);
  await page.getByRole('button', { name: 'Use this key' }).click();
  await page.waitForURL('**/datasets');
}

/** Every row the rows API has for this query, paged through as a client would. */
async function allRows(server: UiServer, body: object): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await server.api('POST', '/comparisons/rows', { ...body, limit: 200, ...(cursor ? { cursor } : {}) });
    rows.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return rows;
}

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await ensureUiBundle();
  browser = await launchChromium();
}, STEP_TIMEOUT);

afterAll(async () => browser?.close());

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

describe.skipIf(!DIALECTS.includes('sqlite'))('web UI in Chromium, on SQLite', () => {
  let server: UiServer;
  let page: Page;
  let datasetId: string;
  let experiments: SeededExperiment[];
  let tracedRunId: string;

  beforeAll(async () => {
    server = await startUiServer('sqlite');
    page = await newPage();
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await page?.close();
    await server?.close();
  });

  it('signs in with an API key and shows the workspace', async () => {
    await page.goto(`${server.url}/datasets`);
    await page.waitForURL('**/sign-in');
    await page.getByLabel('API key').fill('es_not-a-key-of-this-server');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('does not know this key');
    await signIn(page, server);
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe(server.workspaceName);
    await page.getByText('No datasets yet').waitFor();
  });

  it('creates a dataset by uploading a CSV, with a live progress bar to the end', async () => {
    await page.getByRole('button', { name: 'New dataset' }).click();
    await page.getByLabel('Name', { exact: true }).fill('capitals');
    await page.getByLabel('Description').fill('Capital cities, for the UI test');
    const csv = capitalsCsv(ROWS);
    await page.locator('input[type=file]').setInputFiles({ name: 'capitals.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // A slow uplink, as from a laptop far from the server, so the upload is seen in progress.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 400 * 1024 });
    await page.getByRole('button', { name: 'Create and upload' }).click();

    // Watch the bar as a person would, from the first byte sent to the committed version.
    const view = page.getByTestId('upload-progress');
    const seen: { phase: string | null; sent: number; value: string | null }[] = [];
    let screenshot = false;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(40)) {
      const [phase, style, value] = await Promise.all([
        view.getAttribute('data-phase'),
        view.locator('.progress-sent').getAttribute('style'),
        view.getByRole('progressbar').getAttribute('aria-valuenow'),
      ]);
      const state = { phase, sent: Number(/width: ([\d.]+)%/.exec(style ?? '')?.[1] ?? NaN), value };
      seen.push(state);
      if (!screenshot && phase === 'sending' && state.sent >= 25 && state.sent <= 80) {
        await page.screenshot({ path: join(SCREENSHOTS, 'upload-in-progress.png') });
        screenshot = true;
      }
      if (phase === 'completed' || phase === 'failed') break;
    }
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(screenshot).toBe(true);
    const sending = seen.filter((state) => state.phase === 'sending');
    expect(new Set(sending.map((state) => state.sent)).size).toBeGreaterThan(3);
    expect(sending.map((state) => state.sent)).toEqual([...sending.map((state) => state.sent)].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual({ phase: 'completed', sent: 100, value: '100' });

    const report = page.getByTestId('upload-report');
    await expect.poll(() => report.textContent()).toContain('version 1');
    const datasets = await server.api('GET', '/datasets?name=capitals');
    datasetId = datasets.data[0].id;
    expect(datasets.data[0]).toMatchObject({ record_count: ROWS, latest_version: 1 });
    expect(await report.textContent()).toContain(`Records created${ROWS.toLocaleString('en-US')}`);
  });

  it('shows the dataset: its records, a record in full, its facts', async () => {
    await page.getByRole('link', { name: 'Open capitals' }).click();
    await page.waitForURL(`**/datasets/${datasetId}`);
    const table = page.getByTestId('records-table');
    await table.waitFor();
    expect(await page.getByTestId('dataset-record-count').textContent()).toBe(ROWS.toLocaleString('en-US'));
    expect(await table.locator('tbody tr').count()).toBe(50);
    const first = (await server.api('GET', `/datasets/${datasetId}/records?limit=1`)).data[0];
    expect(await table.locator('tbody tr').first().textContent()).toContain(first.input);
    await page.screenshot({ path: join(SCREENSHOTS, 'dataset-page.png') });

    await table.locator('tbody tr').first().click();
    const details = page.getByTestId('record-details');
    await details.waitFor();
    expect(await details.textContent()).toContain(JSON.stringify(first.metadata, null, 2).split('\n')[1]!.trim());
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });

    await page.getByLabel('Filter by splits (any of them)').fill('test');
    await page.getByLabel('Search records').fill('country 1');
    const filtered = await server.api('GET', `/datasets/${datasetId}/records?split=test&q=country%201&limit=50`);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(filtered.data.length);
  });

  it('browses version 1 and diffs it against version 2', async () => {
    const firstThree = (await server.api('GET', `/datasets/${datasetId}/records?limit=3`)).data;
    await server.api('PATCH', `/datasets/${datasetId}/records`, {
      records: firstThree.map((record: any) => ({ id: record.id, expected_output: `${record.expected_output} (revised)` })),
      message: 'Revise three answers',
    });
    await page.goto(`${server.url}/datasets/${datasetId}?tab=versions`);
    const versions = page.getByTestId('versions-table');
    await versions.waitFor();
    expect(await versions.locator('tbody tr').count()).toBe(2);
    expect(await versions.locator('tr[data-version="2"]').textContent()).toContain('Revise three answers');

    await versions.locator('tr[data-version="1"]').getByRole('button', { name: 'Browse' }).click();
    await expect.poll(() => page.getByTestId('records-version').textContent()).toContain('Showing version 1');
    expect(await page.getByTestId('records-table').locator('tbody tr').first().textContent()).not.toContain('(revised)');

    await page.getByRole('tab', { name: 'Versions', exact: true }).click();
    await versions.locator('tr[data-version="2"]').getByRole('button', { name: 'Diff with v1' }).click();
    const diff = page.getByTestId('diff-list');
    await diff.waitFor();
    const apiDiff = await server.api('GET', `/datasets/${datasetId}/diff?from=1&to=2`);
    expect(await diff.locator('[data-change]').count()).toBe(apiDiff.data.length);
    expect(await diff.locator('[data-change=changed]').count()).toBe(3);
    expect(await diff.locator('ins').first().textContent()).toContain('(revised)');
    await page.screenshot({ path: join(SCREENSHOTS, 'version-diff.png') });
  });

  it('reports the line and column at fault in a bad upload, and commits nothing', async () => {
    await page.goto(`${server.url}/datasets/${datasetId}?tab=upload`);
    await page.locator('input[type=file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('input,metadata\nfine,{}\nbroken,3\n') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const failed = page.locator('[data-testid=upload-progress][data-phase=failed]');
    await failed.waitFor();
    const report = await failed.locator('[role=alert]').textContent();
    expect(report).toContain('Line 3, column metadata, field /metadata: ');
    expect(report).toContain('Nothing was committed');
    expect((await server.api('GET', `/datasets/${datasetId}`)).latest_version).toBe(2);
  });

  it('opens an experiment with its runs and a run’s trace tree', async () => {
    ({ experiments, tracedRunId } = await seedExperiments(server, datasetId, EXPERIMENT_RECORDS));
    await page.goto(`${server.url}/datasets/${datasetId}?tab=experiments`);
    const table = page.getByTestId('experiments-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    const stats = (await server.api('POST', '/comparisons', { experiment_ids: experiments.map((e) => e.id) })).stats;
    const verbose = table.locator('tr[data-experiment="candidate-verbose"]');
    await expect.poll(() => verbose.textContent()).toContain(`${stats[2].error_count} (`);

    await table.getByRole('link', { name: 'baseline-gpt' }).click();
    const runs = page.getByTestId('runs-table');
    await runs.waitFor();
    expect(await runs.locator('tbody tr').count()).toBe(50);
    expect(await page.getByTestId('experiment-stats').textContent()).toContain(String(EXPERIMENT_RECORDS));
    // The traced run is the first to start (its id, chosen by the test, may sort anywhere).
    await page.getByLabel('Sort runs by').selectOption('start_time');
    await runs.locator(`tr[data-run-id="${tracedRunId}"]`).click();
    const tree = page.getByTestId('trace-tree');
    await tree.waitFor();
    expect(await tree.locator('li').count()).toBe(4);
    expect((await tree.locator('li').allTextContents()).map((text) => text.split(/\d/)[0])).toEqual([
      'answerchain',
      'retrieveretriever',
      'llmllm',
      'tokenizetool',
    ]);
    await tree.getByText('tokenize').click();
    // The details show the tokenize run: its tree line is the selected one, and its output is exactly 7
    // (the root run, shown before the click, outputs text).
    await expect.poll(() => tree.locator('li.selected .trace-name').textContent()).toBe('tokenize');
    const output = page
      .getByTestId('run-details')
      .locator('.json-block')
      .filter({ has: page.locator('.json-label', { hasText: /^Output$/ }) });
    await expect.poll(() => output.locator('pre').textContent()).toBe('7');
    await page.screenshot({ path: join(SCREENSHOTS, 'experiment-trace.png') });
    await page.keyboard.press('Escape');
  });

  it('compares three experiments against a baseline, and filters to regressions', async () => {
    await page.goto(`${server.url}/datasets/${datasetId}?tab=experiments`);
    const table = page.getByTestId('experiments-table');
    for (const experiment of experiments) await table.getByLabel(`Select ${experiment.name}`).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    await page.waitForURL('**/compare?**');
    const cards = page.getByTestId('experiment-card');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(3);

    const ids = experiments.map((e) => e.id);
    const comparison = await server.api('POST', '/comparisons', { experiment_ids: ids, baseline_id: ids[0] });
    for (const [index, experiment] of experiments.entries()) {
      const card = page.locator(`[data-experiment-id="${experiment.id}"]`);
      expect(await card.locator('[data-stat=run_count]').textContent()).toBe(String(comparison.stats[index].run_count));
      if (index === 0) continue;
      const change = comparison.baseline.changes.find((c: any) => c.experiment_id === experiment.id && c.key === 'correct');
      const summary = card.locator('[data-score-key=correct] [data-testid=change-summary]');
      expect(await summary.getAttribute('data-regressed')).toBe(String(change.regressed));
      expect(await summary.getAttribute('data-improved')).toBe(String(change.improved));
      expect(await summary.getAttribute('data-significant')).toBe(String(change.test.significant));
    }
    const rows = page.getByTestId('comparison-row');
    await rows.first().waitFor();
    // Virtualized: however many records are loaded, only those on screen are in the page.
    expect(await rows.count()).toBeLessThan(20);
    await page.screenshot({ path: join(SCREENSHOTS, 'comparison.png') });

    await page.getByRole('button', { name: 'Regressions only' }).click();
    const regressed = await allRows(server, { experiment_ids: ids, baseline_id: ids[0], change: { kind: 'regressed', key: 'correct' } });
    expect(regressed.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('rows-status').textContent()).toContain(`${regressed.length} records loaded, all of them`);
    const shown = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-record-id')));
    expect(shown).toEqual(regressed.slice(0, shown.length).map((row) => row.record.id));
    for (let index = 0; index < shown.length; index += 1) {
      expect(await rows.nth(index).locator('[data-score-key=correct][data-change=regressed]').count()).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'comparison-regressions.png') });
  });

  it('groups the comparison by a record metadata key', async () => {
    await page.getByLabel('Metadata key').fill('region');
    await page.getByRole('button', { name: 'Group', exact: true }).click();
    const groups = page.getByTestId('group-table');
    await groups.waitFor();
    expect((await groups.locator('tr[data-group]').evaluateAll((rows) => rows.map((row) => JSON.parse(row.getAttribute('data-group')!)))).sort()).toEqual(
      [...REGIONS].sort(),
    );
    await groups.getByRole('button', { name: 'europe' }).click();
    const ids = experiments.map((e) => e.id);
    const europe = await allRows(server, {
      experiment_ids: ids,
      baseline_id: ids[0],
      change: { kind: 'regressed', key: 'correct' },
      filters: { record_metadata: { region: 'europe' } },
    });
    await expect.poll(() => page.getByTestId('rows-status').textContent()).toContain(`${europe.length} records loaded`);
  });

  it('signs out, forgetting the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    expect(await page.evaluate('Object.keys(window.localStorage)')).toEqual([]);
    await page.goto(`${server.url}/datasets/${datasetId}`);
    await page.waitForURL('**/sign-in');
  });
});

describe.skipIf(!DIALECTS.includes('postgres'))('web UI in Chromium, on PostgreSQL (smoke)', () => {
  let server: UiServer;
  let page: Page;

  beforeAll(async () => {
    server = await startUiServer('postgres');
    page = await newPage();
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await page?.close();
    await server?.close();
  });

  it('lists a dataset, shows its records, and compares two experiments', async () => {
    const records = Array.from({ length: 30 }, (_, n) => ({ input: `question ${n}`, expected_output: `answer ${n}`, metadata: { region: REGIONS[n % 3] } }));
    const dataset = await server.api('POST', '/datasets', { name: 'on-postgres', records });
    const { experiments } = await seedExperiments(server, dataset.id, 30);
    await signIn(page, server);
    const list = page.getByTestId('datasets-table');
    await list.waitFor();
    expect(await list.locator('tbody tr').first().textContent()).toContain('on-postgres');
    await list.getByRole('link', { name: 'on-postgres' }).click();
    await expect.poll(() => page.getByTestId('records-table').locator('tbody tr').count()).toBe(30);

    await page.goto(`${server.url}/datasets/${dataset.id}/compare?experiments=${experiments[0]!.id},${experiments[1]!.id}`);
    const comparison = await server.api('POST', '/comparisons', { experiment_ids: [experiments[0]!.id, experiments[1]!.id], baseline_id: experiments[0]!.id });
    const change = comparison.baseline.changes.find((c: any) => c.key === 'correct');
    const summary = page.locator(`[data-experiment-id="${experiments[1]!.id}"] [data-score-key=correct] [data-testid=change-summary]`);
    await summary.waitFor();
    expect(await summary.getAttribute('data-regressed')).toBe(String(change.regressed));
    // The page's requests end before the page closes: a request cut off while PostgreSQL works on it
    // was seen to keep the server's close waiting past the hook's timeout (to be found; see the closing note).
    await page.waitForLoadState('networkidle');
  });
});

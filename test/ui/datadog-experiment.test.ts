import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ensureUiBundle } from './support/bundle.js';
import { type Browser, launchChromium } from './support/chromium.js';
import { startUiServer, type UiServer } from './support/server.js';

const STEP_TIMEOUT = 240_000;

/** Calls the Datadog surface of `server` as its clients do (JSON:API, the key in DD-API-KEY). */
async function datadog(server: UiServer, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}/datadog/api/v2/llm-obs/v1${path}`, {
    method,
    headers: { 'dd-api-key': server.adminKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
const envelope = (type: string, attributes: Record<string, unknown>) => ({ data: { type, attributes } });

/** A Datadog experiment over the dataset's records r1..r3: a span per record with its output, and two metrics a span. */
async function pushExperiment(server: UiServer, projectId: string, datasetId: string, name: string, outputs: string[]) {
  const experiment = (
    await datadog(server, 'POST', '/experiments', envelope('experiments', { name, project_id: projectId, dataset_id: datasetId, ensure_unique: true }))
  ).data;
  const now = Date.now();
  const spans = outputs.map((output, i) => ({
    span_id: `${name}-s${i}`,
    trace_id: `${name}-t${i}`,
    project_id: projectId,
    dataset_id: datasetId,
    name: 'task',
    start_ns: now * 1e6,
    duration: (i + 1) * 1e7,
    status: 'ok',
    tags: [`dataset_record_id:r${i + 1}`, 'run_iteration:1', `experiment_id:${experiment.id}`],
    meta: { input: { q: i + 1 }, output, expected_output: `A${i + 1}` },
  }));
  const metrics = outputs.flatMap((output, i) => [
    { span_id: `${name}-s${i}`, trace_id: `${name}-t${i}`, label: 'exact', metric_type: 'boolean', boolean_value: output === `A${i + 1}`, timestamp_ms: now },
    { span_id: `${name}-s${i}`, trace_id: `${name}-t${i}`, label: 'grade', metric_type: 'categorical', categorical_value: 'fine', timestamp_ms: now },
  ]);
  metrics.push({ span_id: '', trace_id: '', label: 'accuracy', metric_type: 'score', score_value: 0.5, timestamp_ms: now, metric_source: 'summary' } as never);
  await datadog(server, 'POST', `/experiments/${experiment.id}/events`, envelope('experiments', { spans, metrics }));
  await datadog(server, 'PATCH', `/experiments/${experiment.id}`, envelope('experiments', { status: 'completed' }));
  return experiment;
}

describe.skipIf(!DIALECTS.includes('sqlite'))('web UI in Chromium: Datadog experiments like any other', () => {
  let browser: Browser;
  let server: UiServer;
  let page: Page;

  beforeAll(async () => {
    await ensureUiBundle();
    browser = await launchChromium();
    server = await startUiServer('sqlite');
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await page?.close();
    await server?.close();
    await browser?.close();
  });

  it(
    'opens a Datadog experiment with its runs and scores, and compares it with another',
    async () => {
      const project = (await datadog(server, 'POST', '/projects', envelope('projects', { name: 'dd-ui' }))).data;
      const dataset = (await datadog(server, 'POST', `/${project.id}/datasets`, envelope('datasets', { name: 'dd-ui-dataset' }))).data;
      const records = [1, 2, 3].map((n) => ({ id: `r${n}`, input: { q: n }, expected_output: `A${n}` }));
      await datadog(server, 'POST', `/${project.id}/datasets/${dataset.id}/records`, envelope('records', { records }));
      const baseline = await pushExperiment(server, project.id, dataset.id, 'dd-baseline', ['A1', 'A2', 'no']);
      const candidate = await pushExperiment(server, project.id, dataset.id, 'dd-candidate', ['A1', 'no', 'no']);

      await page.goto(`${server.url}/`);
      await page.waitForURL('**/sign-in');
      await page.getByLabel('API key').fill(server.adminKey);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await page.waitForURL('**/datasets');

      await page.goto(`${server.url}/experiments/${baseline.id}`);
      const runs = page.getByTestId('runs-table');
      await runs.waitFor();
      expect(await runs.locator('tbody tr').count()).toBe(3);
      const headers = await runs.locator('thead th').allTextContents();
      expect(headers).toEqual(expect.arrayContaining(['exact', 'grade']));
      expect((await runs.locator('tbody').textContent()) ?? '').toContain('A2');
      const stats = page.getByTestId('experiment-stats');
      // The per-row metrics are summed up like any score (the UI shows no experiment-level scores, so the summary metric is not on the page).
      await expect.poll(() => stats.textContent()).toContain('exact0.667');
      expect(await stats.textContent()).toContain('gradefine');

      await page.goto(`${server.url}/datasets/${dataset.id}/compare?experiments=${baseline.id},${candidate.id}`);
      const cards = page.getByTestId('experiment-card');
      await cards.first().waitFor();
      expect(await cards.count()).toBe(2);
      const comparison = await server.api('POST', '/comparisons', { experiment_ids: [baseline.id, candidate.id], baseline_id: baseline.id });
      const change = comparison.baseline.changes.find((c: any) => c.experiment_id === candidate.id && c.key === 'exact');
      expect(change.regressed).toBe(1);
      const summary = page.locator(`[data-experiment-id="${candidate.id}"] [data-score-key=exact] [data-testid=change-summary]`);
      await summary.waitFor();
      expect(await summary.getAttribute('data-regressed')).toBe('1');
    },
    STEP_TIMEOUT,
  );
});

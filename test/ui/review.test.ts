import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ensureUiBundle } from './support/bundle.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { startUiServer, type UiServer } from './support/server.js';

/** Screenshots for people to look at; git ignores the folder. */
const SCREENSHOTS = fileURLToPath(new URL('../output/ui/', import.meta.url));
const STEP_TIMEOUT = 240_000;

/**
 * The review screen in Chromium: a reviewer reviews five items with the keyboard alone, sees their
 * progress, and the queue's page shows how far they agree with another reviewer (who reviewed through
 * the API). The scores land on the runs as human scores.
 */
describe.skipIf(!DIALECTS.includes('sqlite'))('review screen in Chromium, on SQLite', () => {
  let browser: Browser;
  let server: UiServer;
  let page: Page;
  let queueId: string;
  let experimentId: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureUiBundle();
    browser = await launchChromium();
    server = await startUiServer('sqlite');
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    const dataset = await server.api('POST', '/datasets', {
      name: 'review-ds',
      records: Array.from({ length: 6 }, (_, i) => ({ input: { question: `What is ${i} + ${i}?` }, expected_output: { answer: String(2 * i) } })),
    });
    const records = (await server.api('GET', `/datasets/${dataset.id}/records`)).data as { id: string; input: { question: string } }[];
    const experiment = await server.api('POST', '/experiments', {
      name: 'review-exp',
      dataset_id: dataset.id,
      runs: records.map((record, i) => ({ record_id: record.id, input: record.input, output: { answer: String(i % 2 === 0 ? 2 * i : i) } })),
    });
    experimentId = experiment.id;
    const correct = await server.api('POST', '/score-configs', { name: 'correct', type: 'boolean', description: 'Is the answer right?' });
    const verdict = await server.api('POST', '/score-configs', { name: 'verdict', type: 'categorical', categories: ['good', 'bad', 'unsure'] });
    const queue = await server.api('POST', '/annotation-queues', { name: 'arithmetic check', score_config_ids: [correct.id, verdict.id], reviews_needed: 2 });
    queueId = queue.id;
    await server.api('POST', `/annotation-queues/${queueId}/items`, { run_ids: experiment.run_ids });
    // Another reviewer, with a key of their own, through the API: `correct` yes and `good` on every item.
    const { key } = await server.api('POST', '/keys', { name: 'bob', role: 'write' });
    const asBob = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json()) as any;
    };
    for (;;) {
      const { item } = await asBob('POST', `/annotation-queues/${queueId}/next`);
      if (!item) break;
      await asBob('POST', `/annotation-queues/${queueId}/items/${item.id}/review`, { scores: { correct: true, verdict: 'good' } });
    }
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await page?.close();
    await server?.close();
    await browser?.close();
  });

  it('reviews five items with the keyboard only, and shows progress, scores and agreement', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL('**/sign-in');
    await page.getByLabel('API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.waitForURL('**/datasets');
    await page.goto(`${server.url}/queues/${queueId}/review`);
    await page.getByTestId('review-screen').waitFor();
    await expect.poll(() => page.getByText('0 / 6 reviewed by you').count()).toBe(1);
    for (let i = 1; i <= 5; i++) {
      await page.getByText('Expected output').first().waitFor();
      // correct: yes (1) for odd steps, no (0) for even; verdict: good (1) or bad (2); Enter submits.
      await page.keyboard.press(i % 2 === 1 ? '1' : '0');
      await page.keyboard.press(i % 2 === 1 ? '1' : '2');
      if (i === 1) await page.screenshot({ path: join(SCREENSHOTS, 'review-screen.png'), fullPage: true });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByText(`${i} / 6 reviewed by you`).count()).toBe(1);
    }
    // Back (b) shows the last review given.
    await page.keyboard.press('b');
    await expect.poll(async () => page.getByTestId('score-verdict').locator('button.selected').textContent()).toContain('good');

    const scores = (await server.api('GET', `/experiments/${experimentId}/scores?limit=100`)).data as { source: string; reviewer: { id: string } }[];
    expect(scores).toHaveLength(22);
    expect(scores.every((score) => score.source === 'human' && score.reviewer.id)).toBe(true);
    const progress = await server.api('GET', `/annotation-queues/${queueId}/progress`);
    expect(progress.mine).toEqual({ reviewed: 5, skipped: 0, remaining: 1 });

    await page.goto(`${server.url}/queues/${queueId}`);
    await page.getByTestId('queue-progress').waitFor();
    await page.getByTestId('agreement').waitFor();
    expect(await page.getByTestId('agreement').textContent()).toContain('Over 5 items');
    await page.screenshot({ path: join(SCREENSHOTS, 'queue-agreement.png'), fullPage: true });
  });
});

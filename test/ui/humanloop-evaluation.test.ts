import { HumanloopClient } from 'humanloop-v5';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ensureUiBundle } from './support/bundle.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { startUiServer, type UiServer } from './support/server.js';

const STEP_TIMEOUT = 240_000;

/**
 * A Humanloop evaluation in the web UI: `evaluations.run()` of humanloop@0.8.20 runs twice against the
 * server, then Chromium opens a run's experiment page (its 20 runs, each with both evaluators'
 * scores) and the evaluation's `url`, the comparison of its two runs on their dataset.
 */
let browser: Browser;

beforeAll(async () => {
  await ensureUiBundle();
  browser = await launchChromium();
}, STEP_TIMEOUT);

afterAll(async () => browser?.close());

type Log = { output?: string };
type Datapoint = { target?: { answer?: string } };

for (const dialect of DIALECTS) {
  describe(`${dialect}: a Humanloop evaluation in the web UI`, () => {
    let server: UiServer;
    let page: Page;
    let client: HumanloopClient;

    beforeAll(async () => {
      server = await startUiServer(dialect);
      page = await browser.context.newPage();
      page.setDefaultTimeout(20_000);
      client = new HumanloopClient({ apiKey: server.adminKey, baseUrl: `${server.url}/humanloop/v5` });
      const datapoints = Array.from({ length: 20 }, (_, n) => ({ inputs: { question: `What is ${n} + 1?` }, target: { answer: String(n + 1) } }));
      await client.datasets.upsert({ path: 'ui/arithmetic', datapoints });
      // The runner prints its report and listens for signals; neither belongs in the test's output.
      for (const method of ['log', 'info', 'warn', 'error'] as const) vi.spyOn(console, method).mockImplementation(() => undefined);
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const listeners = new Set([...process.listeners('SIGINT'), ...process.listeners('SIGTERM')]);
      try {
        for (const wrongEvens of [false, true]) {
          await client.evaluations.run({
            name: 'ui check',
            file: {
              path: 'ui/adder',
              type: 'flow',
              callable: (({ question }: { question: string }) => {
                const n = Number(/What is (\d+)/.exec(question)![1]);
                return wrongEvens && n % 2 === 0 ? 'wrong' : String(n + 1);
              }) as never,
            },
            dataset: { path: 'ui/arithmetic' },
            evaluators: [
              {
                path: 'ui/exact',
                argsType: 'target_required',
                returnType: 'boolean',
                callable: ({ log, datapoint }: { log: Log; datapoint?: Datapoint }) => log.output === datapoint?.target?.answer,
                threshold: 0.9,
              },
              { path: 'ui/length', argsType: 'target_free', returnType: 'number', callable: ({ log }: { log: Log }) => (log.output ?? '').length },
            ] as never,
          });
        }
      } finally {
        vi.restoreAllMocks();
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          for (const listener of process.listeners(signal)) if (!listeners.has(listener)) process.off(signal, listener);
      }
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel('API key').fill(server.adminKey);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await page.waitForURL('**/datasets');
    }, STEP_TIMEOUT);

    afterAll(async () => {
      await page?.close();
      await server?.close();
    });

    /** The evaluation's runs, as the native API lists them: its experiments, oldest first. */
    const runsOfEvaluation = async () => {
      const listed = await server.api<{ data: { id: string; name: string; source: string }[] }>('GET', '/experiments?limit=100');
      return listed.data.filter((experiment) => experiment.source === 'humanloop').sort((a, b) => a.name.localeCompare(b.name));
    };

    it("shows an evaluation run's experiment with its 20 runs, each with both evaluators' scores", async () => {
      const [first] = await runsOfEvaluation();
      expect(first!.name).toBe('ui/adder › ui check · run 1');
      await page.goto(`${server.url}/experiments/${first!.id}`);
      await expect.poll(() => page.locator('h1').textContent()).toBe(first!.name);
      const runs = page.getByTestId('runs-table');
      await runs.waitFor();
      expect(await runs.locator('thead th').allTextContents()).toEqual(expect.arrayContaining(['ui/exact', 'ui/length']));
      const rows = runs.locator('tbody tr');
      expect(await rows.count()).toBe(20);
      const headers = await runs.locator('thead th').allTextContents();
      const exactColumn = headers.indexOf('ui/exact');
      const lengthColumn = headers.indexOf('ui/length');
      for (let index = 0; index < 20; index += 1) {
        const cells = await rows.nth(index).locator('td').allTextContents();
        // The first run answers every question right: exact is 1 on each, length that of the answer.
        expect(cells[exactColumn]).toBe('1');
        expect(cells[lengthColumn]).toBe(String(cells[headers.indexOf('Output')]!.replace(/"/g, '').length));
      }
      await expect.poll(() => page.getByTestId('experiment-stats').textContent()).toContain('ui/exact');
    });

    it("opens the evaluation's url: its two runs compared on their dataset", async () => {
      const [flow] = (await client.flows.list({ name: 'ui/adder', size: 1 })).data;
      const [evaluation] = (await client.evaluations.list({ fileId: flow!.id })).data;
      const url = (evaluation as { url?: string }).url!;
      expect(url.startsWith(`${server.url}/datasets/`)).toBe(true);
      const [first, second] = await runsOfEvaluation();
      await page.goto(url);
      await page.waitForURL('**/compare?**');
      const cards = page.getByTestId('experiment-card');
      await cards.first().waitFor();
      expect(await cards.count()).toBe(2);
      for (const [experiment, mean] of [
        [first!, '1'],
        [second!, '0.5'],
      ] as const) {
        const card = page.locator(`[data-experiment-id="${experiment.id}"]`);
        expect(await card.locator('[data-stat=run_count]').textContent()).toBe('20');
        await expect.poll(() => card.locator('[data-score-key="ui/exact"] [data-stat=mean]').textContent()).toMatch(new RegExp(`^${mean}\\b`));
      }
    });
  });
}

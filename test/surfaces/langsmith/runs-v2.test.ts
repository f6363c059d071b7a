import { randomUUID } from 'node:crypto';
import { Client } from 'langsmith';
import { Client as Client03 } from 'langsmith-legacy';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { LS } from './helpers.js';

/**
 * What langsmith 0.12.0 recommends in its deprecation notes: the generated client's `client.runs.query()`
 * (`POST /api/v2/runs/query`) and `client.runs.retrieve()` (`GET /api/v2/runs/{id}`), without the
 * "older than the minimum" warning the SDK prints against a server below 0.16.0; and the features
 * evalstore does not offer (public sharing, example search by embeddings) answered saying so.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: langsmith 0.12.0's v2 run routes`, () => {
    const t = useTestServer(dialect);
    const projectName = `v2-${dialect}`;
    const paths: string[] = [];
    const warnings: string[] = [];
    const ids = { root: randomUUID(), child: randomUUID(), other: randomUUID() };
    let client: Client;
    let projectId: string;

    beforeAll(async () => {
      t.app.server.prependListener('request', (request) => paths.push(`${request.method} ${request.url?.split('?')[0]}`));
      vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
        warnings.push(args.map(String).join(' '));
      });
      client = new Client({ apiUrl: `${t.url}${LS}/api/v1`, apiKey: t.adminKey, autoBatchTracing: false });
      const run = (id: string, name: string, extra: Record<string, unknown>) =>
        client.createRun({
          id,
          name,
          run_type: 'llm',
          project_name: projectName,
          inputs: { q: name },
          outputs: { a: 'ok', usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 } },
          start_time: '2026-03-01T10:00:00.000Z',
          end_time: '2026-03-01T10:00:01.500Z',
          ...extra,
        });
      await run(ids.root, 'root', { trace_id: ids.root, tags: ['prod'] });
      await run(ids.child, 'child', { trace_id: ids.root, parent_run_id: ids.root });
      await run(ids.other, 'other', { trace_id: ids.other, error: 'failed' });
      await client.createFeedback(ids.root, 'correctness', { score: 0.75 });
      projectId = (await client.readProject({ projectName })).id;
    });
    afterAll(() => {
      vi.restoreAllMocks();
    });

    it('queries runs with filters and selects, page by page', async () => {
      const found: Record<string, unknown>[] = [];
      for await (const run of client.runs.query({
        project_ids: [projectId],
        filter: 'eq(run_type, "llm")',
        selects: ['NAME', 'LATENCY_SECONDS', 'IS_ROOT', 'STATUS', 'TAGS'],
        page_size: 1,
      })) {
        found.push(run as Record<string, unknown>);
      }
      expect(found.map((run) => run.name).sort()).toEqual(['child', 'other', 'root']);
      expect(found.find((run) => run.name === 'root')).toEqual({
        id: ids.root,
        name: 'root',
        latency_seconds: 1.5,
        is_root: true,
        status: 'SUCCESS',
        tags: ['prod'],
      });
      expect(paths.filter((path) => path === `POST ${LS}/api/v2/runs/query`).length).toBeGreaterThanOrEqual(3);

      const roots: unknown[] = [];
      for await (const run of client.runs.query({ project_ids: [projectId], is_root: true, has_error: false })) roots.push(run);
      expect(roots).toEqual([{ id: ids.root }]);
      const failing: unknown[] = [];
      for await (const run of client.runs.query({ project_ids: [projectId], trace_filter: 'neq(error, null)', selects: ['ERROR'] })) failing.push(run);
      expect(failing).toEqual([{ id: ids.other, error: 'failed' }]);
      await expect(client.runs.query({ project_ids: [projectId], filter: 'eq(name' }).then((page) => page)).rejects.toThrow(/422/);
    });

    it('retrieves one run with the fields asked for, and not from another project', async () => {
      const run = await client.runs.retrieve(ids.root, {
        project_id: projectId,
        selects: ['NAME', 'TOTAL_TOKENS', 'FEEDBACK_STATS', 'PROJECT_ID', 'RUN_TYPE'],
      });
      expect(run).toMatchObject({ id: ids.root, name: 'root', total_tokens: 7, project_id: projectId, run_type: 'LLM' });
      expect(run.feedback_stats?.correctness).toMatchObject({ n: 1, avg: 0.75 });
      expect(await client.runs.retrieve(ids.child, { project_id: projectId })).toEqual({ id: ids.child });
      await expect(client.runs.retrieve(ids.child, { project_id: randomUUID() })).rejects.toThrow(/404/);
    });

    it('prints no "older than the minimum" warning: /info answers 0.16.0', async () => {
      // A new client checks the version when `client.runs` is first used, once it has read /info.
      const fresh = new Client({ apiUrl: `${t.url}${LS}/api/v1`, apiKey: t.adminKey, autoBatchTracing: false });
      const before = paths.length;
      await fresh.runs.retrieve(ids.root, { project_id: projectId });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(paths.slice(before)).toContain(`GET ${LS}/api/v1/info`);
      expect(warnings.filter((warning) => warning.includes('older than'))).toEqual([]);
      const info = await t.call({ method: 'GET', url: `${LS}/info`, key: null });
      expect(info.json().version).toBe('0.16.0');
    });

    it('says plainly that sharing and example search by embeddings are not offered', async () => {
      const dataset = await client.createDataset(`share-${dialect}`);
      await expect(client.shareDataset(dataset.id)).rejects.toThrow(/400[\s\S]*Public sharing of datasets[\s\S]*is not offered by this server/);
      await expect(client.readDatasetSharedSchema(dataset.id)).rejects.toThrow(/not offered/);
      await expect(client.shareRun(ids.root)).rejects.toThrow(/Public sharing of runs[\s\S]*not offered/);
      const legacy = new Client03({ apiUrl: `${t.url}${LS}`, apiKey: t.adminKey });
      await expect(legacy.similarExamples({ q: 'x' }, dataset.id, 3)).rejects.toThrow(/Example search by embeddings[\s\S]*not offered/);
      await expect(legacy.indexDataset({ datasetId: dataset.id })).rejects.toThrow(/not offered/);
      const answer = await t.call({ method: 'PUT', url: `${LS}/datasets/${dataset.id}/share`, key: null, headers: { 'x-api-key': t.adminKey } });
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toEqual({
        detail: 'Public sharing of datasets (shareDataset, unshareDataset, readDatasetSharedSchema) is not offered by this server (evalstore).',
      });
    });
  });
}

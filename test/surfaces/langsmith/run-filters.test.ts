import { randomUUID } from 'node:crypto';
import { Client } from 'langsmith';
import { Client as Client03 } from 'langsmith-legacy';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { LS } from './helpers.js';

/**
 * LangSmith's filter language through the real SDK (0.12.0 `listRuns({ filter, traceFilter, treeFilter })`
 * → `POST /runs/query`), on both databases. Six runs of a project, with latencies, tags, metadata,
 * tokens, costs, errors and feedback chosen so that each expression's answer is worked out by hand
 * (in the comment beside it).
 */

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1_000).toISOString();

interface Seed {
  name: string;
  run_type: string;
  start: number;
  /** Latency in seconds. */
  latency: number;
  tags?: string[];
  metadata?: Record<string, unknown>;
  tokens?: { input: number; output: number; cost: number };
  error?: string;
  parent?: string;
  feedback?: [string, number][];
}

const SEEDS: Seed[] = [
  {
    name: 'alpha',
    run_type: 'llm',
    start: 0,
    latency: 1,
    tags: ['prod', 'a'],
    metadata: { env: 'prod', model: 'gpt' },
    tokens: { input: 60, output: 40, cost: 0.01 },
    feedback: [['correctness', 1]],
  },
  { name: 'beta', run_type: 'chain', start: 60, latency: 3, tags: ['prod'], metadata: { env: 'dev' }, error: 'boom', feedback: [['correctness', 0.2]] },
  {
    name: 'gamma',
    run_type: 'llm',
    start: 120,
    latency: 0.5,
    tags: ['b'],
    metadata: { env: 'prod', n: 5 },
    tokens: { input: 200, output: 100, cost: 0.03 },
    feedback: [['helpfulness', 0.9]],
  },
  { name: 'delta', run_type: 'tool', start: 180, latency: 10 },
  {
    name: 'alpha-child',
    run_type: 'llm',
    start: 10,
    latency: 0.2,
    tags: ['a'],
    metadata: { env: 'prod' },
    tokens: { input: 30, output: 20, cost: 0.005 },
    parent: 'alpha',
    feedback: [['correctness', 0.7]],
  },
  { name: 'beta-child', run_type: 'tool', start: 70, latency: 0.1, error: 'child fail', parent: 'beta' },
];

/** Each expression and the names of the runs it finds, worked out from SEEDS. */
const EXPRESSIONS: [string, string[]][] = [
  ['eq(is_root, true)', ['alpha', 'beta', 'delta', 'gamma']],
  ['eq(run_type, "llm")', ['alpha', 'alpha-child', 'gamma']],
  ['and(eq(run_type, "llm"), gt(latency, "0.8s"))', ['alpha']],
  ['or(gt(latency, 2), has(tags, "b"))', ['beta', 'delta', 'gamma']],
  ['and(eq(metadata_key, "env"), eq(metadata_value, "prod"))', ['alpha', 'alpha-child', 'gamma']],
  ['and(eq(feedback_key, "correctness"), gt(feedback_score, 0.5))', ['alpha', 'alpha-child']],
  ['gt(feedback_score, 0.8)', ['alpha', 'gamma']],
  ['neq(error, null)', ['beta', 'beta-child']],
  ['not(has(tags, "prod"))', ['alpha-child', 'beta-child', 'delta', 'gamma']],
  ['and(or(eq(name, "alpha"), eq(name, "beta")), or(has(tags, "prod"), eq(run_type, "tool")))', ['alpha', 'beta']],
  ['gte(total_tokens, 100)', ['alpha', 'gamma']],
  ["in(run_type, ['tool', 'chain'])", ['beta', 'beta-child', 'delta']],
  ['search("boom")', ['beta']],
  ['and(eq(is_root, false), lt(latency, 0.15))', ['beta-child']],
  [`has(metadata, '{"n": 5}')`, ['gamma']],
  ['eq(metadata_value, "5")', ['gamma']],
  ['lt(total_cost, 0.02)', ['alpha', 'alpha-child']],
  [`gt(start_time, "${at(90)}")`, ['delta', 'gamma']],
  ['and(lte(latency, 3), not(or(eq(run_type, "llm"), has(tags, "prod"))))', ['beta-child']],
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: LangSmith filters through langsmith 0.12.0 listRuns`, () => {
    const t = useTestServer(dialect);
    const projectName = `filters-${dialect}`;
    let client: Client;

    beforeAll(async () => {
      client = new Client({ apiUrl: `${t.url}${LS}`, apiKey: t.adminKey, autoBatchTracing: false });
      const ids = new Map(SEEDS.map((seed) => [seed.name, randomUUID()]));
      for (const seed of SEEDS) {
        const id = ids.get(seed.name)!;
        const parent = seed.parent ? ids.get(seed.parent) : undefined;
        await client.createRun({
          id,
          name: seed.name,
          run_type: seed.run_type,
          project_name: projectName,
          inputs: { question: `what ${seed.name}` },
          outputs: seed.tokens
            ? {
                answer: 'ok',
                usage_metadata: {
                  input_tokens: seed.tokens.input,
                  output_tokens: seed.tokens.output,
                  total_tokens: seed.tokens.input + seed.tokens.output,
                  total_cost: seed.tokens.cost,
                },
              }
            : { answer: 'ok' },
          start_time: at(seed.start),
          end_time: at(seed.start + seed.latency),
          ...(seed.tags ? { tags: seed.tags } : {}),
          ...(seed.metadata ? { extra: { metadata: seed.metadata } } : {}),
          ...(seed.error ? { error: seed.error } : {}),
          ...(parent ? { parent_run_id: parent, trace_id: parent } : { trace_id: id }),
        });
        for (const [key, score] of seed.feedback ?? []) await client.createFeedback(id, key, { score });
      }
    });

    const names = async (options: Record<string, unknown>) => {
      const found: string[] = [];
      for await (const run of client.listRuns({ projectName, ...options })) found.push(run.name);
      return found.sort();
    };

    for (const [filter, expected] of EXPRESSIONS) {
      it(`${filter} finds ${expected.length}`, async () => {
        expect(await names({ filter })).toEqual(expected);
      });
    }

    it('combines a filter with the other fields of the query, and reads trace and tree filters', async () => {
      expect(await names({ filter: 'eq(run_type, "llm")', isRoot: true })).toEqual(['alpha', 'gamma']);
      // Runs whose trace's root is tagged prod: the two traces alpha and beta.
      expect(await names({ traceFilter: 'has(tags, "prod")' })).toEqual(['alpha', 'alpha-child', 'beta', 'beta-child']);
      // Runs of a trace holding a run named alpha-child.
      expect(await names({ treeFilter: 'eq(name, "alpha-child")' })).toEqual(['alpha', 'alpha-child']);
      expect(await names({ filter: 'eq(is_root, false)', traceFilter: 'neq(error, null)' })).toEqual(['beta-child']);
    });

    it('reads the same filters and statistics through the older SDK line (0.3.87)', async () => {
      const legacy = new Client03({ apiUrl: `${t.url}${LS}/api/v1`, apiKey: t.adminKey, autoBatchTracing: false });
      for (const [filter, expected] of [EXPRESSIONS[5]!, EXPRESSIONS[9]!, EXPRESSIONS[16]!]) {
        const found: string[] = [];
        for await (const run of legacy.listRuns({ projectName, filter })) found.push(run.name);
        expect(found.sort(), filter).toEqual(expected);
      }
      expect(await legacy.getRunStats({ projectNames: [projectName], filter: 'neq(error, null)' })).toMatchObject({ run_count: 2, error_rate: 1 });
    });

    it('answers getRunStats for a project, and for a filter, with LangSmith fields', async () => {
      const all = await client.getRunStats({ projectNames: [projectName] });
      // Latencies sorted: 0.1 0.2 0.5 1 3 10 seconds. p50: rank 2.5 → 0.75; p99: rank 4.95 → 3 + 0.95 × 7.
      expect(all).toMatchObject({ run_count: 6, total_tokens: 450, prompt_tokens: 290, completion_tokens: 160, total_cost: '0.045', run_facets: null });
      expect(all.latency_p50).toBeCloseTo(0.75, 9);
      expect(all.latency_p99).toBeCloseTo(9.65, 9);
      expect(all.error_rate).toBeCloseTo(2 / 6, 9);
      expect(all.last_run_start_time).toMatch(/^2026-03-01T10:03:00/);
      expect(all.feedback_stats.correctness).toMatchObject({ n: 3, min: 0.2, max: 1 });
      expect(all.feedback_stats.correctness.avg).toBeCloseTo(1.9 / 3, 9);
      expect(all.feedback_stats.helpfulness).toMatchObject({ n: 1, avg: 0.9 });

      const llm = await client.getRunStats({ projectNames: [projectName], filter: 'eq(run_type, "llm")', isRoot: true });
      // alpha and gamma: latencies 1 and 0.5, tokens 100 and 300.
      expect(llm).toMatchObject({ run_count: 2, total_tokens: 400, error_rate: 0, median_tokens: 200 });
      expect(llm.latency_p50).toBeCloseTo(0.75, 9);
      expect(llm.feedback_stats).toEqual({ correctness: expect.objectContaining({ n: 1, avg: 1 }), helpfulness: expect.objectContaining({ n: 1 }) });
      await expect(client.getRunStats({ projectNames: [projectName], filter: 'eq(name,' })).rejects.toThrow(/422/);
    });

    it('refuses a malformed filter with 422 naming the token, and a field it does not serve naming the part', async () => {
      await expect(names({ filter: 'and(eq(name, "alpha"), gt(latency 2))' })).rejects.toThrow(/422[\s\S]*unexpected token \\?"2\\?"/);
      const malformed = await t.call({
        method: 'POST',
        url: `${LS}/runs/query`,
        key: null,
        headers: { 'x-api-key': t.adminKey },
        payload: { filter: 'eq(name, "a"' },
      });
      expect(malformed.statusCode).toBe(422);
      expect(malformed.json().detail[0]).toMatchObject({ loc: ['body', 'filter'] });
      expect(malformed.json().detail[0].msg).toContain('end of the expression');

      const unsupported = await t.call({
        method: 'POST',
        url: `${LS}/runs/query`,
        key: null,
        headers: { 'x-api-key': t.adminKey },
        payload: { filter: 'and(eq(run_type, "llm"), eq(thread_id, "t1"))' },
      });
      expect(unsupported.statusCode).toBe(422);
      expect(unsupported.json().detail[0].msg).toContain('thread_id is not a field this server filters runs by');
      const wrongComparator = await t.call({
        method: 'POST',
        url: `${LS}/runs/query`,
        key: null,
        headers: { 'x-api-key': t.adminKey },
        payload: { trace_filter: 'gt(tags, "x")' },
      });
      expect(wrongComparator.json().detail[0]).toMatchObject({ loc: ['body', 'trace_filter'] });
      expect(wrongComparator.json().detail[0].msg).toContain('"gt(tags, \\"x\\")"');
      await expect(names({ filter: 'like(name, "a%")' })).rejects.toThrow(/like is not a comparator/);
    });
  });
}

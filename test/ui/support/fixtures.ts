import { randomUUID } from 'node:crypto';
import type { UiServer } from './server.js';

export const REGIONS = ['europe', 'asia', 'americas'] as const;

/** A CSV of `rows` geography questions, with every column the native upload reads. */
export function capitalsCsv(rows: number): string {
  const lines = ['input,expected_output,metadata,tags,splits,external_id'];
  for (let n = 1; n <= rows; n += 1) {
    const metadata = JSON.stringify({ region: REGIONS[n % 3], difficulty: n % 4 === 0 ? 'hard' : 'easy' }).replaceAll('"', '""');
    lines.push(`What is the capital of country ${n}?,City ${n},"${metadata}","geo,${n % 4 === 0 ? 'hard' : 'easy'}",${n % 5 === 0 ? 'test' : 'train'},q-${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface SeededExperiment {
  id: string;
  name: string;
}

/**
 * Three experiments over the first `count` records of the dataset's latest version: a baseline, a
 * candidate that regresses on some records and improves on others, and a third that differs in
 * wording. The baseline's first run has a trace of three child runs.
 */
export async function seedExperiments(server: UiServer, datasetId: string, count: number): Promise<{ experiments: SeededExperiment[]; tracedRunId: string }> {
  const records = (await server.api<{ data: { id: string; expected_output: string }[] }>('GET', `/datasets/${datasetId}/records?limit=${count}`)).data;
  const tracedRunId = randomUUID();
  const plans = [
    {
      name: 'baseline-gpt',
      output: (i: number, expected: string) => (i % 10 === 3 ? 'I do not know' : expected),
      quality: (i: number) => 0.6 + (i % 5) * 0.05,
    },
    {
      name: 'candidate-short-prompt',
      output: (i: number, expected: string) => (i % 7 === 2 ? 'Somewhere else' : i % 10 === 3 ? expected : `${expected}.`),
      quality: (i: number) => 0.7 + (i % 3) * 0.05,
    },
    {
      name: 'candidate-verbose',
      output: (_i: number, expected: string) => `The capital is ${expected}, as far as I know.`,
      quality: (i: number) => 0.55 + (i % 4) * 0.05,
    },
  ];
  const experiments: SeededExperiment[] = [];
  for (const [index, plan] of plans.entries()) {
    const runs = records.map((record, i) => {
      const output = plan.output(i, record.expected_output);
      const failed = index === 2 && i % 25 === 24;
      return {
        ...(index === 0 && i === 0 ? { id: tracedRunId, trace_id: `trace-${tracedRunId}` } : {}),
        record_id: record.id,
        name: 'answer',
        run_type: 'chain',
        input: { question: `question ${i}` },
        output: failed ? null : output,
        error: failed ? 'RateLimitError: too many requests' : null,
        status: failed ? 'error' : 'success',
        start_time: new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString(),
        latency_ms: 200 + ((i * 37 + index * 101) % 900),
        prompt_tokens: 40 + (i % 9),
        completion_tokens: 8 + (i % 5) + index * 6,
        total_tokens: 48 + (i % 9) + (i % 5) + index * 6,
        total_cost: ((48 + (i % 9)) * 0.000002).toFixed(9),
        metadata: { model: index === 0 ? 'gpt-base' : 'gpt-next' },
        scores: failed
          ? []
          : [
              { key: 'correct', score: output.includes(record.expected_output) ? 1 : 0, source: 'code' },
              { key: 'quality', score: Number(plan.quality(i).toFixed(2)), source: 'model', comment: 'judge v2' },
            ],
      };
    });
    if (index === 0) {
      const retrieve = randomUUID();
      const llm = randomUUID();
      const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0, second * 50)).toISOString();
      runs.push(
        {
          id: retrieve,
          trace_id: `trace-${tracedRunId}`,
          parent_run_id: tracedRunId,
          name: 'retrieve',
          run_type: 'retriever',
          start_time: at(0),
          latency_ms: 40,
          output: ['doc-1', 'doc-2'],
        } as never,
        {
          id: llm,
          trace_id: `trace-${tracedRunId}`,
          parent_run_id: tracedRunId,
          name: 'llm',
          run_type: 'llm',
          start_time: at(1),
          latency_ms: 150,
          output: 'City 1',
        } as never,
        {
          id: randomUUID(),
          trace_id: `trace-${tracedRunId}`,
          parent_run_id: llm,
          name: 'tokenize',
          run_type: 'tool',
          start_time: at(2),
          latency_ms: 5,
          output: 7,
        } as never,
      );
    }
    const created = await server.api<{ id: string }>('POST', '/experiments', {
      name: plan.name,
      dataset_id: datasetId,
      metadata: { prompt: `v${index + 1}` },
      runs,
    });
    experiments.push({ id: created.id, name: plan.name });
  }
  return { experiments, tracedRunId };
}

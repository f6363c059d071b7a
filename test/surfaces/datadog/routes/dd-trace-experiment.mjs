// A user's experiment script with Datadog's Node tracer, run by experiments.test.ts as a child process
// under `node --import <src/client/datadog.ts>`: nothing in it knows about evalstore.
import tracer from 'dd-trace';

tracer.init({ llmobs: { mlApp: 'evalstore-test', agentlessEnabled: true } });
const { experiments } = tracer.llmobs;
const [mode, name] = process.argv.slice(2);

const records = [
  { inputData: { q: 'a' }, expectedOutput: 'A' },
  { inputData: { q: 'b' }, expectedOutput: 'B' },
  { inputData: { q: 'c' }, expectedOutput: 'wrong' },
];

if (mode === 'run') {
  const dataset = experiments.createDataset(`${name}-dataset`, { description: 'pushed by dd-trace', records });
  const experiment = experiments.experiment({
    name,
    dataset,
    task: async function upper(input) {
      return input.q.toUpperCase();
    },
    evaluators: {
      exact: (_input, output, expected) => output === expected,
      len: (_input, output) => String(output).length,
    },
    summaryEvaluators: {
      accuracy: (_inputs, outputs, expected) => outputs.filter((output, i) => output === expected[i]).length / outputs.length,
    },
  });
  const result = await experiment.run({ concurrency: 2 });
  tracer.llmobs.flush();
  console.log(JSON.stringify({ experimentId: result.experimentId, rows: result.rows.length, datasetId: dataset.id(), version: dataset.version() }));
} else if (mode === 'external') {
  const dataset = await experiments.pullDataset(`${name.replace(/-external$/, '')}-dataset`, { expectedRecordCount: 3 });
  const pulled = dataset.records();
  const experiment = await experiments.startExperiment({ name, dataset: { id: dataset.id(), version: dataset.latestVersion() } });
  for (const record of pulled) {
    const span = await experiment.submitSpan({
      input: record.input,
      output: `${record.input.q}!`,
      expectedOutput: record.expectedOutput,
      datasetRecordId: record.id,
      durationMs: 5,
    });
    await experiment.submitEvaluationMetrics(span, [
      { label: 'exact', value: false },
      { label: 'grade', value: 'ok' },
    ]);
  }
  await experiment.close();
  console.log(JSON.stringify({ experimentId: experiment.experimentId(), rows: pulled.length, datasetId: dataset.id() }));
} else if (mode === 'evaluate') {
  // Evaluations submitted after the run with llmobs.submitEvaluation(), as for a human review: they go
  // through the eval-metric intake and join on the task spans, which must have landed first.
  const dataset = experiments.createDataset(`${name}-dataset`, { records });
  const spans = [];
  const experiment = experiments.experiment({
    name,
    dataset,
    task: async function upper(input) {
      spans.push(tracer.llmobs.exportSpan());
      return input.q.toUpperCase();
    },
  });
  const result = await experiment.run({ concurrency: 1 });
  tracer.llmobs.flush();
  const events = `${process.env.EVALSTORE_URL}/datadog/api/v2/llm-obs/v3/experiments/${result.experimentId}/events`;
  for (let tries = 0; tries < 100; tries++) {
    const answer = await fetch(events, { headers: { 'dd-api-key': process.env.DD_API_KEY } }).then((r) => r.json());
    if (answer.data.attributes.spans.length === spans.length) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const [index, span] of spans.entries()) {
    tracer.llmobs.submitEvaluation(span, { label: 'human', metricType: 'score', value: index / 2, reasoning: 'reviewed', assessment: 'pass' });
    tracer.llmobs.submitEvaluation(span, { label: 'tone', metricType: 'categorical', value: 'polite' });
  }
  tracer.llmobs.flush();
  console.log(JSON.stringify({ experimentId: result.experimentId, rows: spans.length, datasetId: dataset.id() }));
}

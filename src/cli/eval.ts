import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { evaluate, type EvaluateOptions, type EvaluateSummary, type Evaluator, type SummaryEvaluator, type Target } from '../client/evaluate.js';
import type { JsonObject } from '../client/types.js';
import { count, ProgressBar } from './progress-bar.js';
import { clientOf, type RemoteFlags } from './remote.js';

/**
 * `evalstore eval FILE --dataset NAME`: loads a module that exports a target (`target` or the default
 * export), `evaluators` and optionally `summaryEvaluators`, runs evaluate() with a progress bar, and
 * prints the experiment's aggregates (and, with --baseline, what changed against it).
 */

interface EvalFlags extends RemoteFlags {
  dataset: string;
  version?: string;
  experiment?: string;
  metadata?: JsonObject;
  repetitions: number;
  concurrency: number;
  batchSize: number;
  baseline?: string;
  lowerIsBetter?: string[];
  retryErrors?: boolean;
}

interface EvalModule {
  target?: Target;
  default?: Target | { target?: Target };
  evaluators?: Evaluator[];
  summaryEvaluators?: SummaryEvaluator[];
  experiment?: { name?: string; description?: string; metadata?: JsonObject };
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function jsonObject(value: string): JsonObject {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError('must be a JSON object');
}

export function registerEvalCommand(command: Command): void {
  command
    .description("Run a module's target over a dataset of a running server and record the results as an experiment")
    .argument('<file>', 'a .ts or .js module exporting `target` (or a default function), `evaluators` and optionally `summaryEvaluators`')
    .requiredOption('--dataset <name>', 'the dataset, by name or id')
    .option('--version <n>', 'a version number or name (default: the latest)')
    .option(
      '--experiment <name>',
      "the experiment's name; an experiment of that name is resumed (default: the module's `experiment.name`, else FILE and the time)",
    )
    .option('--metadata <json>', "the experiment's metadata, a JSON object", jsonObject)
    .option('--repetitions <n>', 'runs per record', positive, 1)
    .option('--concurrency <n>', 'calls at once', positive, 4)
    .option('--batch-size <n>', 'runs per upload; a crash loses at most one batch', positive, 100)
    .option('--baseline <experiment>', 'an experiment (name or id) to compare against')
    .option('--lower-is-better <key>', 'a score key for which lower is better (repeatable)', (value: string, all: string[] = []) => [...all, value])
    .option('--retry-errors', 'when resuming, make the calls that failed again, replacing their runs (no repetition is added)')
    .action(async (file: string, flags: EvalFlags) => {
      const module = await loadModule(file);
      const target = targetOf(module, file);
      const bar = new ProgressBar(process.stderr);
      const client = clientOf(flags);
      const summary = await evaluate(target, {
        client,
        dataset: flags.dataset,
        version: flags.version,
        evaluators: module.evaluators ?? [],
        summaryEvaluators: module.summaryEvaluators ?? [],
        repetitions: flags.repetitions,
        concurrency: flags.concurrency,
        batchSize: flags.batchSize,
        experiment: {
          name: flags.experiment ?? module.experiment?.name ?? `${basename(file).replace(/\.[^.]+$/, '')}-${new Date().toISOString()}`,
          description: module.experiment?.description,
          metadata: { ...module.experiment?.metadata, ...flags.metadata },
        },
        baseline: flags.baseline,
        lowerIsBetter: flags.lowerIsBetter,
        retryErrors: flags.retryErrors === true,
        onProgress: (progress) =>
          bar.draw(
            progress.done,
            progress.total,
            `${count(progress.done)}/${count(progress.total)} calls  ${count(progress.errors)} errors  ${count(progress.uploaded)} recorded` +
              (progress.skipped ? `  (${count(progress.skipped)} done before)` : '') +
              (progress.retried ? `  (${count(progress.retried)} failed before, retried)` : ''),
          ),
      } satisfies EvaluateOptions);
      bar.draw(summary.progress.done, summary.progress.total, `${count(summary.progress.done)} calls  ${count(summary.progress.errors)} errors`, true);
      process.stdout.write(report(summary) + links(summary, client.transport.baseUrl));
    });
}

async function loadModule(file: string): Promise<EvalModule> {
  const url = pathToFileURL(resolve(file)).href;
  if (/\.[cm]?tsx?$/.test(url)) {
    // TypeScript modules load through tsx, whichever module system their folder declares.
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as EvalModule;
  }
  return (await import(url)) as EvalModule;
}

function targetOf(module: EvalModule, file: string): Target {
  const candidate = module.target ?? (typeof module.default === 'function' ? module.default : module.default?.target);
  if (typeof candidate !== 'function') throw new Error(`${file} exports no target: export a function named \`target\`, or a default function`);
  return candidate;
}

/** The aggregate table, and with a baseline, the changes per score key. */
export function report(summary: EvaluateSummary): string {
  const { stats, experiment } = summary;
  const rows: [string, string][] = [
    ['experiment', `${experiment.name} (${experiment.id})`],
    ['dataset version', String(summary.dataset_version)],
    ['runs', `${count(stats.run_count)} over ${count(stats.record_count)} records`],
    ['errors', `${count(stats.error_count)} (${percent(stats.error_rate)})`],
    ['latency p50 / p99', `${ms(stats.latency_ms.p50)} / ${ms(stats.latency_ms.p99)}`],
    ['tokens', `${count(stats.total_tokens)} (prompt ${count(stats.prompt_tokens)}, completion ${count(stats.completion_tokens)})`],
    ['cost', `$${stats.total_cost}`],
  ];
  for (const [key, score] of Object.entries(stats.scores)) {
    const values = Object.entries(score.values).map(([value, n]) => `${value}: ${n}`);
    rows.push([
      `score ${key}`,
      score.n
        ? `mean ${fixed(score.mean)} ± ${fixed(score.stdev)} (n ${count(score.n)}, min ${fixed(score.min)}, max ${fixed(score.max)})`
        : values.join(', ') || 'no values',
    ]);
  }
  for (const score of summary.summary_scores) rows.push([`summary ${score.key}`, String(score.score ?? JSON.stringify(score.value ?? null))]);
  const width = Math.max(...rows.map(([label]) => label.length));
  let text = `\n${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
  if (summary.changes) {
    text += `\nAgainst the baseline:\n`;
    if (!summary.changes.length) text += '  no score key in common\n';
    for (const change of summary.changes) {
      const test = change.test;
      const verdict =
        test.p_value === null
          ? 'not enough pairs to test'
          : `p = ${test.p_value.toPrecision(3)}, ${test.significant ? 'significant' : 'not significant'} at ${test.alpha}`;
      text +=
        `  ${change.key}: ${count(change.improved)} improved, ${count(change.regressed)} regressed, ${count(change.unchanged)} unchanged; ` +
        `mean ${fixed(change.baseline_mean)} -> ${fixed(change.experiment_mean)} (${test.method}, n ${count(test.n)}, ${verdict})\n`;
    }
  }
  return text;
}

/** Where the web UI (served by the same server) shows the experiment, and its comparison with the baseline. */
export function links(summary: EvaluateSummary, serverUrl: string): string {
  let text = `\nIn the web UI:\n  experiment  ${serverUrl}/experiments/${summary.experiment.id}\n`;
  if (summary.baseline) {
    const experiments = `${summary.baseline.id},${summary.experiment.id}`;
    text += `  comparison  ${serverUrl}/datasets/${summary.dataset_id}/compare?experiments=${experiments}&baseline=${summary.baseline.id}\n`;
  }
  return text;
}

const fixed = (value: number | null) => (value === null ? '-' : value.toFixed(3));
const percent = (value: number | null) => (value === null ? '-' : `${(100 * value).toFixed(1)}%`);
const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);

import { ValidationError } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import type { Score } from '../../domain/types.js';
import type { Restatement } from '../../http/restate.js';
import type { NewRun } from '../../services/runs.js';
import type { NewScore } from '../../services/scores.js';
import type { RunRowInput } from './schemas.js';

/**
 * Arize AX experiment runs and evalstore runs (docs/surfaces/arize.md has the table).
 *
 * An AX run is `example_id`, `output` (a string), an optional `error`, and any other columns. Evaluations
 * travel as columns too: `eval.<name>.score|label|explanation` and `eval.<name>.metadata.<key>`. Each
 * `<name>` becomes one score of the run (key `<name>`; score, categorical value, comment, metadata),
 * so the native API and the comparison engine see them like any score. `latency_ms` fills the run's
 * latency. A column whose value does not fit its place (a string score, an explicit null, a negative
 * latency, `eval.<name>.trace.id`) is kept in the run's extra fields as sent, and every other column
 * goes there too: reading the run back through AX gives exactly the columns that were written.
 */

const EVAL_METADATA = /^eval\.(.+?)\.metadata\.(.+)$/s;
const EVAL_FIELD = /^eval\.(.+)\.(score|label|explanation)$/s;

/** Columns of a run that AX reserves for the server. */
const SERVER_RUN_COLUMNS = ['annotations'] as const;

/** Faults the runs service finds point at the request's `experiment_runs` and name `example_id`, as the client sent them. */
export const EXPERIMENT_RUNS: Restatement = { lists: [['/runs', '/experiment_runs']], fields: [['record_id', 'example_id']] };

/** A request's `experiment_runs` as evalstore records them. AX runs are results: on a dataset, each must name its example. */
export function toNewRuns(rows: readonly RunRowInput[]): NewRun[] {
  return rows.map((row, index) => toNewRun(row, `/experiment_runs/${index}`));
}

/**
 * A run as evalstore records it. An `id` (a UUID) is kept as the run's id, so a client that chooses
 * its ids can retry a request without recording a run twice (an evalstore extension; AX makes ids).
 */
function toNewRun(run: RunRowInput, pointer: string): NewRun {
  const column = SERVER_RUN_COLUMNS.find((name) => name in run);
  if (column) throw ValidationError.field(`${pointer}/${column}`, 'is set by the server and may not be sent', { in: 'body' });
  const { id, example_id, output, error, ...columns } = run;
  const extra: JsonObject = {};
  const evaluations = new Map<string, NewScore>();
  const evaluation = (name: string) => {
    let score = evaluations.get(name);
    if (!score) {
      score = { key: name };
      evaluations.set(name, score);
    }
    return score;
  };
  let latency: number | undefined;
  for (const [key, value] of Object.entries(columns)) {
    if (value === undefined) continue;
    const metadata = EVAL_METADATA.exec(key);
    const field = metadata ? null : EVAL_FIELD.exec(key);
    if (metadata) {
      const score = evaluation(metadata[1]!);
      score.metadata = { ...score.metadata, [metadata[2]!]: value };
    } else if (field && field[2] === 'score' && typeof value === 'number' && Number.isFinite(value)) {
      evaluation(field[1]!).score = value;
    } else if (field && field[2] === 'label' && typeof value === 'string') {
      evaluation(field[1]!).value = value;
    } else if (field && field[2] === 'explanation' && typeof value === 'string') {
      evaluation(field[1]!).comment = value;
    } else if (key === 'latency_ms' && typeof value === 'number' && Number.isFinite(value) && value >= 0) {
      latency = value;
    } else {
      extra[key] = value;
    }
  }
  return {
    ...(id === undefined ? {} : { id }),
    record_id: example_id ?? null,
    output,
    error: error ?? null,
    ...(latency === undefined ? {} : { latency_ms: latency }),
    extra,
    scores: [...evaluations.values()],
  };
}

/** Scores as AX evaluation columns; of several scores with one key, the latest shows. */
export function evaluationColumns(scores: readonly Score[]): JsonObject {
  const columns: JsonObject = {};
  for (const score of scores) {
    const at = `eval.${score.key}`;
    if (score.score !== null) columns[`${at}.score`] = score.score;
    if (typeof score.value === 'string') columns[`${at}.label`] = score.value;
    if (score.comment !== null) columns[`${at}.explanation`] = score.comment;
    for (const [key, value] of Object.entries(score.metadata)) columns[`${at}.metadata.${key}`] = value;
  }
  return columns;
}

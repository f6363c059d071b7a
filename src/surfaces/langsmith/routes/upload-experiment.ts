import { LIMITS } from '../../../domain/limits.js';
import type { ExperimentUpload, UploadedRun } from '../../../services/experiment-uploads.js';
import type { Services } from '../../../services/index.js';
import type { SurfaceApp } from '../../../http/app.js';
import { renameFirst as rename, type BodyLocator } from '../errors.js';
import { toScore } from '../feedback.js';
import { presentDataset, presentTracerSession } from '../present.js';
import { ExperimentResultsUpload, type ExperimentResultRow } from '../schemas.js';
import { fromLangSmithTime } from '../times.js';

/**
 * `POST /datasets/upload-experiment` (spec §10): a dataset, its examples, an experiment, its runs and
 * feedback in one call, one transaction. The mapping of fields is in docs/surfaces/langsmith.md.
 */
export function uploadExperimentRoutes(app: SurfaceApp, services: Services): void {
  app.post('/datasets/upload-experiment', {
    bodyLimit: LIMITS.bulkBodyBytes,
    config: { langsmithBody: uploadLocator },
    schema: { hide: true, body: ExperimentResultsUpload },
    handler: async (request) => {
      const result = await services.experimentUploads.upload(request.actor, toUpload(request.body));
      const tenantId = request.actor.workspaceId;
      return {
        dataset: presentDataset(result.dataset, tenantId, result.dataset_experiments),
        // The upload is the dataset's newest experiment, so its ordinal is their count.
        experiment: presentTracerSession(result.experiment, tenantId, { test_run_number: result.dataset_experiments.experiment_count }),
      };
    },
  });
}

function toUpload(body: ExperimentResultsUpload): ExperimentUpload {
  return {
    dataset_id: body.dataset_id ?? null,
    dataset_name: body.dataset_name ?? null,
    dataset_description: body.dataset_description ?? null,
    name: body.experiment_name,
    description: body.experiment_description ?? null,
    metadata: body.experiment_metadata ?? {},
    start_time: fromLangSmithTime(body.experiment_start_time),
    end_time: fromLangSmithTime(body.experiment_end_time),
    source: 'langsmith',
    scores: (body.summary_experiment_scores ?? []).map(toScore),
    runs: body.results.map(toRun),
  };
}

/** A row is a dataset example (the record) and the run made on it, which takes the same inputs. */
function toRun(row: ExperimentResultRow): UploadedRun {
  return {
    record: { id: row.row_id ?? null, input: row.inputs, expected_output: row.expected_outputs ?? null },
    name: row.run_name ?? null,
    // What LangSmith's own evaluate() records for the target of an example.
    run_type: 'chain',
    input: row.inputs,
    output: row.actual_outputs ?? null,
    error: row.error ?? null,
    start_time: fromLangSmithTime(row.start_time),
    end_time: fromLangSmithTime(row.end_time),
    metadata: row.run_metadata ?? {},
    scores: (row.evaluation_scores ?? []).map(toScore),
  };
}

// Where the fields of an ExperimentUpload (which the service's faults point at) sit in the body.
const UPLOAD_FIELDS: Record<string, string> = {
  name: 'experiment_name',
  description: 'experiment_description',
  metadata: 'experiment_metadata',
  start_time: 'experiment_start_time',
  end_time: 'experiment_end_time',
  scores: 'summary_experiment_scores',
  runs: 'results',
};
const RUN_FIELDS: Record<string, string> = { input: 'inputs', output: 'actual_outputs', name: 'run_name', metadata: 'run_metadata', scores: 'evaluation_scores' };
const RECORD_FIELDS: Record<string, string> = { id: 'row_id', input: 'inputs', expected_output: 'expected_outputs' };
const SCORE_FIELDS: Record<string, string> = { source: 'feedback_source' };

/** Within a list of scores: `[index, field, ...]`. */
function scoreLoc([index, ...rest]: string[]): string[] {
  return index === undefined ? [] : [index, ...rename(SCORE_FIELDS, rest)];
}

/** Within a run: its record's fields are the row's, as are its own. */
function runLoc([field, ...rest]: string[]): string[] {
  if (field === 'record') return rename(RECORD_FIELDS, rest);
  if (field === 'scores') return ['evaluation_scores', ...scoreLoc(rest)];
  return rename(RUN_FIELDS, field === undefined ? [] : [field, ...rest]);
}

const uploadLocator: BodyLocator = (segments) => {
  const [top, index, ...inner] = segments;
  if (top === 'runs' && index !== undefined) return ['results', index, ...runLoc(inner)];
  if (top === 'scores' && index !== undefined) return ['summary_experiment_scores', ...scoreLoc([index, ...inner])];
  return rename(UPLOAD_FIELDS, segments);
};

import { LIMITS } from '../../../domain/limits.js';
import type { ExperimentUpload, UploadedRun } from '../../../services/experiment-uploads.js';
import type { Services } from '../../../services/index.js';
import type { SurfaceApp } from '../../../http/app.js';
import { UPLOAD_RESTATED } from '../errors.js';
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
    config: { restate: UPLOAD_RESTATED },
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

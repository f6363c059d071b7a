import type { ApiQuery, ApiResponse, DocumentedFields, ServerProblem } from '../../../src/client/types.js';

/**
 * The native API's shapes as the UI reads them: the client's (src/client/types.ts, named after the
 * generated declarations of the OpenAPI document), narrowed where the UI knows more. Nothing here
 * restates a field.
 */

export type {
  ApiBody,
  ApiQuery,
  ApiResponse,
  CellChange,
  ChangeFilter,
  Comparison,
  ComparisonRow,
  Dataset,
  DatasetRecord,
  DatasetVersion,
  ListedDataset,
  Experiment,
  ExperimentStats,
  GroupBy,
  Invitation,
  Json,
  JsonObject,
  Me,
  Member,
  PairedTest,
  Percentiles,
  RecordChange,
  Role,
  RunFilters,
  Score,
  ScoreChange,
  ScoreStats,
  ServerProblem,
  UploadSummary,
  Workspace,
} from '../../../src/client/types.js';

/** What the experiment page filters and sorts its runs by (the native runs list's own query). */
export type RunListQuery = Omit<ApiQuery<'/api/v1/experiments/{experiment_id}/runs', 'get'>, 'record_id' | 'trace_id' | 'parent_run_id' | 'name'>;

/** The UI reads only a run's documented fields, so a misspelt field stays a compile error. */
export type Run = DocumentedFields<ApiResponse<'/api/v1/runs/{run_id}', 'get'>>;
export type RunWithScores = DocumentedFields<ApiResponse<'/api/v1/comparisons/rows', 'post'>['data'][number]['runs'][string][number]>;

/**
 * An upload's failure as the UI shows it: the fields a person reads of the client's EvalstoreError
 * (a test may give just these). The server also names the CSV column of a bad upload cell, which the
 * Problem schema leaves out.
 */
export type Problem = Pick<ServerProblem, 'title' | 'status' | 'detail'> & {
  errors?: (NonNullable<ServerProblem['errors']>[number] & { column?: string })[];
};

/**
 * The tables as Kysely sees them. Columns hold the same JavaScript values on both databases:
 * ids are UUID strings, times are ISO-8601 strings, JSON documents are JSON text.
 */

/** `valid_to` of a revision that is still current: larger than any version a dataset will reach. */
export const OPEN_VERSION = 2_147_483_647;

export interface WorkspaceTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  name: string;
  role: string;
  key_hash: string;
  key_preview: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ProjectTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  metadata: string;
  is_default: number;
  created_at: string;
  updated_at: string;
}

export interface DatasetTable {
  id: string;
  workspace_id: string;
  project_id: string;
  name: string;
  description: string | null;
  metadata: string;
  managed_by: string;
  latest_version: number;
  record_count: number;
  created_at: string;
  updated_at: string;
}

export interface DatasetVersionTable {
  dataset_id: string;
  version: number;
  name: string | null;
  message: string;
  created_by: string | null;
  created_at: string;
  records_added: number;
  records_updated: number;
  records_removed: number;
  record_count: number;
  /** The highest record id any version up to this one held: reads of this version stop there. */
  max_record_id: string | null;
}

/**
 * One revision of a record: its content as it was from version `valid_from` up to, not including,
 * version `valid_to`. A dataset at version V is the set of revisions with valid_from <= V < valid_to.
 */
export interface RecordRevisionTable {
  dataset_id: string;
  record_id: string;
  valid_from: number;
  valid_to: number;
  external_id: string | null;
  input: string;
  expected_output: string;
  metadata: string;
  tags: string;
  splits: string;
  source: string | null;
  input_hash: string;
  content_hash: string;
  created_at: string;
  updated_at: string;
}

export interface UploadTable {
  id: string;
  workspace_id: string;
  dataset_id: string;
  /** `receiving` while rows stream in, then `committed` or `failed`. */
  status: string;
  format: string;
  filename: string | null;
  rows_received: number;
  summary: string | null;
  error: string | null;
  version: number | null;
  /** The server process receiving the upload (its instance id), when it has one. */
  receiver: string | null;
  created_at: string;
  updated_at: string;
}

/** A row staged by an upload in progress: a record's content before it is committed. */
export interface UploadRowTable {
  upload_id: string;
  seq: number;
  record_id: string;
  external_id: string | null;
  input: string;
  expected_output: string;
  metadata: string;
  tags: string;
  splits: string;
  source: string | null;
  input_hash: string;
  content_hash: string;
  /** Set when the row turns out to replace an existing record: that record's creation time. */
  created_at: string | null;
  /** What committing does with the row: `add`, `update`, `unchanged`, `superseded`, `skipped_duplicate`, `skipped_existing`. */
  disposition: string | null;
}

export interface ExperimentTable {
  id: string;
  workspace_id: string;
  project_id: string;
  /** Null for a log stream (runs recorded without a dataset). */
  dataset_id: string | null;
  /** The dataset version the experiment ran on. */
  dataset_version: number | null;
  name: string;
  description: string | null;
  metadata: string;
  /** The surface that created it: native, langsmith, arize, humanloop, ... */
  source: string;
  start_time: string | null;
  end_time: string | null;
  /** Goes up by one with every change to the experiment's runs or scores (what cached results key on). */
  revision: number;
  created_at: string;
  updated_at: string;
}

/**
 * One execution. Costs are exact: integers of nano-dollars (USD × 10⁹), so sums in SQL stay exact on
 * both databases and within JavaScript's safe integers up to nine million dollars.
 */
export interface RunTable {
  workspace_id: string;
  id: string;
  experiment_id: string;
  record_id: string | null;
  repetition: number | null;
  name: string | null;
  run_type: string | null;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  start_time: string | null;
  end_time: string | null;
  latency_ms: number | null;
  first_token_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  prompt_cost: number | null;
  completion_cost: number | null;
  total_cost: number | null;
  metadata: string;
  /** Fields a client sent beyond the known ones, kept and returned as they came. */
  extra: string;
  trace_id: string | null;
  parent_run_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScoreTable {
  workspace_id: string;
  id: string;
  experiment_id: string;
  /** Null for a score of the whole experiment (a summary score). */
  run_id: string | null;
  /** The record of the scored run (copied from it), so comparisons need not join the runs. */
  record_id: string | null;
  key: string;
  score: number | null;
  /** The value as given (any JSON), when not only a number. */
  value: string | null;
  /** The categorical label: the value when it is a string. */
  label: string | null;
  comment: string | null;
  correction: string | null;
  source: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

/**
 * A change to a run that has not been recorded yet (an update, or a score of it), kept until the run
 * arrives and applied then: some clients send a run's end, or its feedback, before the run.
 */
export interface DeferredRunChangeTable {
  workspace_id: string;
  /** The change's id (a score's own id for scores); arrival order for the rest. */
  id: string;
  run_id: string;
  /** `update` (a RunPatch) or `score` (a NewScore). */
  kind: string;
  /** The change as JSON. */
  body: string;
  created_at: string;
}

/** Two or more experiments of one dataset judged against each other (migration 0014). */
export interface ComparativeExperimentTable {
  id: string;
  workspace_id: string;
  dataset_id: string;
  name: string;
  description: string | null;
  metadata: string;
  /** A JSON array of the experiments' ids, in the order given. */
  experiment_ids: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  workspaces: WorkspaceTable;
  api_keys: ApiKeyTable;
  projects: ProjectTable;
  datasets: DatasetTable;
  dataset_versions: DatasetVersionTable;
  record_revisions: RecordRevisionTable;
  uploads: UploadTable;
  upload_rows: UploadRowTable;
  experiments: ExperimentTable;
  runs: RunTable;
  scores: ScoreTable;
  deferred_run_changes: DeferredRunChangeTable;
  comparative_experiments: ComparativeExperimentTable;
}

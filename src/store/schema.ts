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
  /** The user who made the key; null for operators' keys (the first admin key, the CLI's). */
  created_by: string | null;
}

export interface UserTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface MembershipTable {
  workspace_id: string;
  user_id: string;
  role: string;
  created_at: string;
}

export interface SessionTable {
  id: string;
  user_id: string;
  token_hash: string;
  method: string;
  user_agent: string | null;
  ip: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** One-time tokens: invitations to a workspace and password resets. */
export interface UserTokenTable {
  id: string;
  kind: string;
  token_hash: string;
  workspace_id: string;
  email: string | null;
  role: string | null;
  user_id: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface SignInFailureTable {
  id: string;
  email: string;
  ip: string;
  at: string;
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
  /** Who gave a human score (migration 0016): a user's or key's id, and their name. */
  reviewer_id: string | null;
  reviewer_name: string | null;
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
/** A score of a dataset record itself (migration 0019): one per record and key. */
export interface RecordScoreTable {
  id: string;
  workspace_id: string;
  dataset_id: string;
  record_id: string;
  key: string;
  score: number | null;
  label: string | null;
  comment: string | null;
  source: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

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

/** Who is editing a dataset (Datadog's draft state), at most one a dataset. */
export interface DatasetDraftTable {
  dataset_id: string;
  workspace_id: string;
  holder_id: string;
  holder_name: string;
  since: string;
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
  dataset_drafts: DatasetDraftTable;
  users: UserTable;
  memberships: MembershipTable;
  sessions: SessionTable;
  user_tokens: UserTokenTable;
  sign_in_failures: SignInFailureTable;
  score_configs: ScoreConfigTable;
  annotation_queues: AnnotationQueueTable;
  annotation_items: AnnotationItemTable;
  annotation_leases: AnnotationLeaseTable;
  annotation_reviews: AnnotationReviewTable;
  record_scores: RecordScoreTable;
}

/** What a named score may hold in a workspace (migration 0016). */
export interface ScoreConfigTable {
  id: string;
  workspace_id: string;
  name: string;
  type: string;
  min: number | null;
  max: number | null;
  /** A JSON array of allowed labels. */
  categories: string | null;
  description: string | null;
  comment_required: number;
  created_at: string;
  updated_at: string;
}

export interface AnnotationQueueTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  /** JSON array of score config ids. */
  score_config_ids: string;
  /** JSON array of reviewer ids, or null: anyone in the workspace. */
  reviewers: string | null;
  reviews_needed: number;
  lease_seconds: number;
  created_at: string;
  updated_at: string;
}

export interface AnnotationItemTable {
  id: string;
  workspace_id: string;
  queue_id: string;
  run_id: string | null;
  dataset_id: string | null;
  record_id: string | null;
  reviews: number;
  done_at: string | null;
  created_at: string;
}

export interface AnnotationLeaseTable {
  item_id: string;
  reviewer_id: string;
  expires_at: string;
}

export interface AnnotationReviewTable {
  id: string;
  workspace_id: string;
  queue_id: string;
  item_id: string;
  reviewer_id: string;
  reviewer_name: string | null;
  status: string;
  score_values: string;
  score_ids: string;
  comment: string | null;
  correction: string | null;
  correction_version: number | null;
  created_at: string;
  updated_at: string;
}

/**
 * The native API's shapes as the UI reads them (see /api/v1/openapi.json, which is the reference).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: { pointer: string; detail: string; in?: string; line?: number; column?: string }[];
}

export interface Workspace {
  id: string;
  name: string;
  created_at: string;
}

export interface Dataset {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  metadata: JsonObject;
  managed_by: 'evalstore' | 'external';
  latest_version: number;
  record_count: number;
  created_at: string;
  updated_at: string;
}

export interface DatasetVersion {
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
}

export interface DatasetRecord {
  id: string;
  dataset_id: string;
  external_id: string | null;
  input: Json;
  expected_output: Json;
  metadata: JsonObject;
  tags: string[];
  splits: string[];
  source: JsonObject | null;
  created_at: string;
  updated_at: string;
}

export interface RecordChange {
  record_id: string;
  change: 'added' | 'removed' | 'changed';
  before: DatasetRecord | null;
  after: DatasetRecord | null;
}

export interface UploadSummary {
  upload_id: string;
  dataset_id: string;
  version: DatasetVersion | null;
  rows_received: number;
  records_created: number;
  records_updated: number;
  records_unchanged: number;
  duplicates_skipped: number;
  existing_skipped: number;
  superseded: number;
}

export interface Experiment {
  id: string;
  project_id: string;
  dataset_id: string | null;
  dataset_version: number | null;
  name: string;
  description: string | null;
  metadata: JsonObject;
  source: string;
  start_time: string | null;
  end_time: string | null;
  created_at: string;
  updated_at: string;
}

export interface Score {
  id: string;
  experiment_id: string;
  run_id: string | null;
  key: string;
  score: number | null;
  value: Json;
  comment: string | null;
  correction: Json;
  source: string;
  metadata: JsonObject;
  created_at: string;
}

export interface Run {
  id: string;
  experiment_id: string;
  record_id: string | null;
  repetition: number | null;
  name: string | null;
  run_type: string | null;
  status: 'success' | 'error' | 'pending';
  input: Json;
  output: Json;
  error: string | null;
  start_time: string | null;
  end_time: string | null;
  latency_ms: number | null;
  first_token_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  prompt_cost: string | null;
  completion_cost: string | null;
  total_cost: string | null;
  metadata: JsonObject;
  trace_id: string | null;
  parent_run_id: string | null;
  created_at: string;
}

export interface RunWithScores extends Run {
  scores: Score[];
}

export interface Percentiles {
  p50: number | null;
  p99: number | null;
}

export interface ScoreStats {
  n: number;
  mean: number | null;
  stdev: number | null;
  min: number | null;
  max: number | null;
  values: Record<string, number>;
}

export interface ExperimentStats {
  experiment_id: string;
  group?: Json;
  run_count: number;
  record_count: number;
  error_count: number;
  error_rate: number | null;
  streaming_rate: number | null;
  latency_ms: Percentiles;
  first_token_ms: Percentiles;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_cost: string;
  completion_cost: string;
  total_cost: string;
  scores: Record<string, ScoreStats>;
}

export interface PairedTest {
  method: 'paired t-test';
  n: number;
  mean_difference: number | null;
  ci95: [number, number] | null;
  t: number | null;
  degrees_of_freedom: number | null;
  p_value: number | null;
  significant: boolean;
  alpha: number;
}

export interface ScoreChange {
  experiment_id: string;
  key: string;
  improved: number;
  regressed: number;
  unchanged: number;
  n: number;
  baseline_mean: number | null;
  experiment_mean: number | null;
  test: PairedTest;
}

export interface GroupBy {
  source: 'run' | 'record';
  key: string;
}

export interface RunFilters {
  run_metadata?: JsonObject;
  record_metadata?: JsonObject;
  errors_only?: boolean;
}

export interface Comparison {
  dataset_id: string;
  dataset_version: number;
  experiments: Experiment[];
  stats: ExperimentStats[];
  groups?: { group: Json; experiments: ExperimentStats[] }[];
  baseline?: { experiment_id: string; changes: ScoreChange[] };
}

export interface CellChange {
  baseline: number | null;
  value: number | null;
  delta: number | null;
  change: 'improved' | 'regressed' | 'unchanged' | null;
}

export interface ComparisonRow {
  record: DatasetRecord;
  runs: Record<string, RunWithScores[]>;
  changes?: Record<string, Record<string, CellChange>>;
}

export interface ChangeFilter {
  kind: 'improved' | 'regressed';
  key: string;
  experiment_id?: string;
}

import type { ApiKeyRole } from './api-keys.js';
import type { Json, JsonObject } from './json.js';

/** Who is acting: the workspace a request is confined to and the key that made it. */
export interface Actor {
  workspaceId: string;
  keyId: string | null;
  /** The person acting: set when a signed-in user acts, or a key made by a user; absent for operators' keys. */
  userId?: string | null;
  /** The sign-in session the request came with, when it came with one rather than a key. */
  sessionId?: string | null;
  /** How versions and other authored things name their author. */
  name: string;
  role: ApiKeyRole;
}

export interface Workspace {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKey {
  id: string;
  workspace_id: string;
  name: string;
  role: ApiKeyRole;
  /** The first characters of the key, to recognise it; the key itself is never stored. */
  preview: string;
  created_at: string;
  revoked_at: string | null;
  /** The user who made the key; null for operators' keys. */
  created_by: string | null;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
  metadata: JsonObject;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

export type DatasetManager = 'evalstore' | 'external';

export interface Dataset {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  metadata: JsonObject;
  managed_by: DatasetManager;
  /** 0 until the first change commits version 1. */
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

export interface Experiment {
  id: string;
  project_id: string;
  /** Null for a log stream: runs recorded without a dataset. */
  dataset_id: string | null;
  /** The dataset version the experiment ran on (its records are that version's). */
  dataset_version: number | null;
  name: string;
  description: string | null;
  metadata: JsonObject;
  /** The surface it was created through: native, langsmith, arize, datadog, humanloop. */
  source: string;
  start_time: string | null;
  end_time: string | null;
  created_at: string;
  updated_at: string;
}

/** Two or more experiments of one dataset judged against each other, record by record (pairwise). */
export interface ComparativeExperiment {
  id: string;
  dataset_id: string;
  name: string;
  description: string | null;
  metadata: JsonObject;
  /** The experiments compared, in the order given. */
  experiment_ids: string[];
  created_at: string;
  updated_at: string;
}

/** One judgement of a comparative experiment: the score a run got against the other experiments' runs on its record. */
export interface Preference {
  record_id: string | null;
  experiment_id: string;
  run_id: string;
  score_id: string;
  key: string;
  score: number | null;
}

export type RunStatus = 'success' | 'error' | 'pending';

export interface Run {
  id: string;
  experiment_id: string;
  record_id: string | null;
  repetition: number | null;
  name: string | null;
  run_type: string | null;
  status: RunStatus;
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
  /** Exact decimal strings of US dollars. */
  prompt_cost: string | null;
  completion_cost: string | null;
  total_cost: string | null;
  metadata: JsonObject;
  trace_id: string | null;
  parent_run_id: string | null;
  /** Fields the client sent beyond these, as sent. */
  extra: JsonObject;
  created_at: string;
  updated_at: string;
}

export const SCORE_SOURCES = ['human', 'model', 'code', 'api'] as const;
export type ScoreSource = (typeof SCORE_SOURCES)[number];

export interface Score {
  id: string;
  experiment_id: string;
  /** Null for a score of the whole experiment. */
  run_id: string | null;
  key: string;
  score: number | null;
  /** Any JSON value; a string value is a categorical label. */
  value: Json;
  comment: string | null;
  correction: Json;
  source: ScoreSource;
  /** Who gave a human score; null for other sources. */
  reviewer: Reviewer | null;
  metadata: JsonObject;
  created_at: string;
  updated_at: string;
}

/** A person (or key) reviewing: the user's id when a person acts, else the key's, and the name they act under. */
export interface Reviewer {
  id: string;
  name: string | null;
}

/** The reviewer an actor is: its user when a person acts, else its key. */
export function reviewerOf(actor: Actor): Reviewer {
  return { id: actor.userId ?? actor.keyId ?? `workspace:${actor.workspaceId}`, name: actor.name };
}

export const SCORE_CONFIG_TYPES = ['numeric', 'boolean', 'categorical'] as const;
export type ScoreConfigType = (typeof SCORE_CONFIG_TYPES)[number];

/** What a named score may hold in a workspace: scores of its key are checked against it on every surface. */
export interface ScoreConfig {
  id: string;
  /** The score key it governs. */
  name: string;
  type: ScoreConfigType;
  /** Numeric: the bounds, inclusive (null: unbounded). */
  min: number | null;
  max: number | null;
  /** Categorical: the allowed labels. */
  categories: string[] | null;
  description: string | null;
  comment_required: boolean;
  created_at: string;
  updated_at: string;
}

/** A queue of runs and dataset records for people to review, each item until it has `reviews_needed` reviews. */
export interface AnnotationQueue {
  id: string;
  name: string;
  description: string | null;
  /** The score configs its reviewers fill in, in order (at least one). */
  score_config_ids: string[];
  score_configs: ScoreConfig[];
  reviews_needed: number;
  /** The reviewers assigned (user or key ids); null: anyone of the workspace who may score. */
  reviewers: string[] | null;
  /** How long an item taken stays the reviewer's. */
  lease_seconds: number;
  created_at: string;
  updated_at: string;
}

export type AnnotationItemKind = 'run' | 'record';

export interface AnnotationItem {
  id: string;
  queue_id: string;
  kind: AnnotationItemKind;
  run_id: string | null;
  /** The record reviewed, or the run's record (where a correction goes). */
  dataset_id: string | null;
  record_id: string | null;
  /** Reviews given (skips not counted). */
  reviews: number;
  done: boolean;
  done_at: string | null;
  created_at: string;
}

export type AnnotationReviewStatus = 'reviewed' | 'skipped';

export interface AnnotationReview {
  id: string;
  queue_id: string;
  item_id: string;
  reviewer: Reviewer;
  status: AnnotationReviewStatus;
  /** The value given per score config name. */
  scores: Record<string, Json>;
  /** The scores written on the run for them (run items). */
  score_ids: string[];
  comment: string | null;
  /** The expected output the reviewer says is right, if they wrote one. */
  correction: Json;
  /** The dataset version the correction was committed in, once it is. */
  correction_version: number | null;
  created_at: string;
  updated_at: string;
}

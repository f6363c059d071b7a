import type { ApiKeyRole } from './api-keys.js';
import type { Json, JsonObject } from './json.js';

/** Who is acting: the workspace a request is confined to and the key that made it. */
export interface Actor {
  workspaceId: string;
  keyId: string | null;
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

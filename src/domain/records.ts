import { hash } from 'node:crypto';
import { canonicalJson, type Json, type JsonObject } from './json.js';

/** What a record holds. Every surface maps its own item shape onto this one. */
export interface RecordContent {
  input: Json;
  expected_output: Json;
  metadata: JsonObject;
  tags: string[];
  splits: string[];
  /** Caller's own id for the record, unique among the dataset's current records. */
  external_id: string | null;
  /** What the record was made from (a run, a log), when it was made from something. */
  source: JsonObject | null;
}

export interface RecordHashes {
  /** Fingerprint of the input alone: what de-duplication compares. */
  input_hash: string;
  /** Fingerprint of everything the record holds: what tells a change from a no-op. */
  content_hash: string;
}

export function hashRecord(content: RecordContent): RecordHashes {
  const input = canonicalJson(content.input);
  const rest = canonicalJson([content.expected_output, content.metadata, content.tags, content.splits, content.external_id, content.source]);
  return {
    input_hash: sha256(input),
    content_hash: sha256(`${input}\n${rest}`),
  };
}

/** One-shot hashing: half the cost of a Hash object for strings this short. */
function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Tags and splits are sets kept in the order first given. */
export function uniqueStrings(values: readonly string[]): string[] {
  return [...new Set(values)];
}

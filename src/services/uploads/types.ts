import type { DatasetVersion } from '../../domain/types.js';
import type { NewRecord } from '../records.js';

/** A record read from an uploaded file, with the line it came from (for error messages). */
export interface SourceRow {
  line: number;
  record: NewRecord;
}

export interface UploadOptions {
  format: string;
  filename?: string;
  /** The version's message; one describing the upload is written when omitted. */
  message?: string;
  /** A name for the new version, unique in the dataset (409 when another version has it). */
  versionName?: string;
  /**
   * Called once every row is staged, before the commit: the version's name and message, when they are
   * known only then (a multipart body's fields sent after its file part). They win over `versionName`
   * and `message`. A throw fails the upload as a bad row does: nothing is written.
   */
  beforeCommit?: () => Promise<Pick<UploadOptions, 'versionName' | 'message'>>;
  /**
   * The version the upload builds on: when the dataset has moved on since, the upload is refused (409),
   * as a commit is (CommitMeta.baseVersion).
   */
  baseVersion?: number;
  /**
   * A row whose external_id matches a current record replaces that record (true, the default) or is
   * skipped (false). Within the file, the last such row wins (true) or the first (false).
   */
  overwrite?: boolean;
  /** Skip rows whose input equals the input of a current record or of an earlier row (default false). */
  deduplicate?: boolean;
  /**
   * What `deduplicate` compares a row's input with: current records and earlier rows (`dataset`, the
   * default), or earlier rows of the file only (`file`).
   */
  deduplicateScope?: 'dataset' | 'file';
  /**
   * What `deduplicate` compares: a row's input (`input`, the default), or the whole record it makes
   * (`content`: input, expected output, metadata, tags, splits, external id and source).
   */
  deduplicateBy?: 'input' | 'content';
  /** Tags added to every record of the file, after the record's own. */
  tags?: string[];
  /** Told of progress after each staged chunk of rows, and once more when the commit begins. */
  onProgress?: (progress: UploadProgress) => void | Promise<void>;
}

export interface UploadProgress {
  upload_id: string;
  rows_received: number;
  /** `staging` while rows are read and staged; `committing` once all are staged and the commit begins. */
  phase: 'staging' | 'committing';
}

export interface UploadSummary {
  upload_id: string;
  dataset_id: string;
  /** The version committed, or null when the upload changed nothing. */
  version: DatasetVersion | null;
  rows_received: number;
  records_created: number;
  records_updated: number;
  /** Rows that matched a record by external_id and held the same content. */
  records_unchanged: number;
  /** Rows skipped by `deduplicate`. */
  duplicates_skipped: number;
  /** Rows skipped because their external_id was taken and `overwrite` was off. */
  existing_skipped: number;
  /** Rows replaced by a later row of the same file with the same external_id. */
  superseded: number;
}

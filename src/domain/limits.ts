import { ValidationError } from './errors.js';

/** Limits stated in the API documentation and enforced by services. */
export const LIMITS = {
  recordsPerRequest: 10_000,
  pageSizeDefault: 100,
  pageSizeMax: 1_000,
  nameLength: 200,
  externalIdLength: 512,
  tagLength: 200,
  tagsPerRecord: 100,
  /** JSON request bodies outside the bulk routes. */
  jsonBodyBytes: 1024 * 1024,
  /** Bulk JSON routes (up to recordsPerRequest records). */
  bulkBodyBytes: 64 * 1024 * 1024,
  /** A streamed upload, whole. */
  uploadBytes: 2 * 1024 * 1024 * 1024,
  /** One line of a JSONL upload; one record (all its cells) of a CSV upload. */
  uploadLineBytes: 16 * 1024 * 1024,
  /** One cell of a CSV upload (dd-trace-py's EXPERIMENT_CSV_FIELD_MAX_SIZE is the same). */
  csvCellBytes: 10 * 1024 * 1024,
  /** Largest page of records a surface may ask for (Datadog clients read pages of 5,000). */
  recordPageSizeMax: 5_000,
  /** How deep JSON may nest (a request body, an upload's line, any stored value): deeper is refused, not recursed into. */
  jsonDepth: 100,
} as const;

/** A batch of records, runs or scores holds 1 to `LIMITS.recordsPerRequest` items; a fault points at `pointer`. */
export function checkBatchSize(count: number, pointer: string): void {
  if (count < 1 || count > LIMITS.recordsPerRequest) {
    throw ValidationError.field(pointer, `must hold between 1 and ${LIMITS.recordsPerRequest} items (got ${count})`);
  }
}

import { ValidationError } from './errors.js';

/** Limits stated in the API documentation and enforced by services. */
export const LIMITS = {
  recordsPerRequest: 10_000,
  pageSizeDefault: 100,
  pageSizeMax: 1_000,
  nameLength: 200,
  /** Descriptions of datasets, experiments, projects and comparative experiments, on every surface. */
  descriptionLength: 10_000,
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
  /** The largest offset into a list (LangSmith's `offset`, Humanloop's page × size): far beyond any list, far within every integer. */
  offsetMax: 1_000_000_000,
  /** What of a refused request's unread body is read and discarded before the answer (see src/http/connections.ts). */
  refusedBodyDrainBytes: 64 * 1024 * 1024,
  refusedChunkedDrainBytes: 1024 * 1024,
  refusedBodyDrainMs: 5_000,
} as const;

/**
 * The numbers runs and scores hold, bounded so that every value fits its column on both databases
 * (bigint, double precision) and a JavaScript number read back, and so that sums, means and sums of
 * squares over millions of rows overflow neither SQLite's 64-bit integers nor a double: checked where
 * runs and scores enter the services, whichever surface sent them (see checkMeasures). Costs are
 * bounded in nano-dollars (src/domain/money.ts): 10¹² is US$1,000 a run, so that a SQLite sum over
 * nine million runs at the bound still fits 2⁶³.
 */
export const MEASURE_BOUNDS = {
  latency_ms: { min: 0, max: 1e12, integer: false, unit: 'milliseconds' },
  first_token_ms: { min: 0, max: 1e12, integer: false, unit: 'milliseconds' },
  prompt_tokens: { min: 0, max: 1e12, integer: true, unit: 'tokens' },
  completion_tokens: { min: 0, max: 1e12, integer: true, unit: 'tokens' },
  total_tokens: { min: 0, max: 1e12, integer: true, unit: 'tokens' },
  prompt_cost: { min: -1e12, max: 1e12, integer: true, unit: 'nano-dollars' },
  completion_cost: { min: -1e12, max: 1e12, integer: true, unit: 'nano-dollars' },
  total_cost: { min: -1e12, max: 1e12, integer: true, unit: 'nano-dollars' },
  score: { min: -1e15, max: 1e15, integer: false, unit: '' },
} as const;

export type Measure = keyof typeof MEASURE_BOUNDS;

/** A batch of records, runs or scores holds 1 to `LIMITS.recordsPerRequest` items; a fault points at `pointer`. */
export function checkBatchSize(count: number, pointer: string): void {
  if (count < 1 || count > LIMITS.recordsPerRequest) {
    throw ValidationError.field(pointer, `must hold between 1 and ${LIMITS.recordsPerRequest} items (got ${count})`);
  }
}

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
  /** One line of a JSONL upload. */
  uploadLineBytes: 16 * 1024 * 1024,
} as const;

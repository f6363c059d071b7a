import type { LangSmithIngestion } from '../../../config.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';

/**
 * The LangSmith server version `/info` reports: one whose API the surface follows (spec §2). The SDK
 * (0.12) compares it only to warn: 0.16.0 for its generated client's `client.runs` (whose `query` and
 * `retrieve` are served, under `/api/v2/runs`); 0.16.14 for `client.annotationQueues`, which is not
 * served here, so the version stays below it.
 */
const LANGSMITH_API_VERSION = '0.16.0';

/** Run operations the SDK may put in one ingest request (LangSmith's default). */
const RUNS_PER_BATCH = 100;
/** Bytes the SDK may put in one ingest request (LangSmith's default, well under the route's limit). */
const BATCH_BYTES = 20 * 1024 * 1024;

/**
 * `GET /info` (spec §2), public as in LangSmith: what the SDK reads to choose how it talks to the
 * server. `dataset_examples_multipart_enabled` must be true (the SDK refuses to write examples
 * otherwise); `use_multipart_endpoint` chooses `/runs/multipart` or `/runs/batch`. Request bodies are
 * not compressed, so neither compression flag is set.
 */
export function infoRoutes(app: SurfaceApp, ingestion: LangSmithIngestion): void {
  app.get('/info', { config: { access: 'public' }, schema: { hide: true } }, async () => ({
    version: LANGSMITH_API_VERSION,
    license_expiration_time: null,
    batch_ingest_config: {
      use_multipart_endpoint: ingestion === 'multipart',
      scale_up_qsize_trigger: 1000,
      scale_up_nthreads_limit: 16,
      scale_down_nempty_trigger: 4,
      size_limit: RUNS_PER_BATCH,
      size_limit_bytes: Math.min(BATCH_BYTES, LIMITS.bulkBodyBytes),
    },
    instance_flags: { dataset_examples_multipart_enabled: true },
    customer_info: null,
  }));
  app.get('/info/health', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
}

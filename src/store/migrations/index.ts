import type { Migration } from 'kysely';
import type { DialectName } from '../dialect.js';
import { foundation } from './0001_foundation.js';
import { experiments } from './0002_experiments.js';
import { langsmithRuns } from './0006_langsmith_runs.js';
import { versionRecordBound } from './0008_version_record_bound.js';
import { spansByTrace } from './0009_spans_by_trace.js';
import { comparativeExperiments } from './0014_comparative_experiments.js';
import { users } from './0015_users.js';
import { review } from './0016_review.js';
import { datasetDrafts } from './0017_dataset_drafts.js';
import { uploadReceivers } from './0018_upload_receivers.js';
import { recordScores } from './0019_record_scores.js';

/**
 * Every migration, in order. Names are permanent: a migration once released is never edited, only
 * followed by a new one, numbered after every released one (Kysely refuses a new migration that sorts
 * before one a database has already run). Each is written once for both databases, taking the dialect for the few
 * column types that differ.
 */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_foundation': foundation(dialect),
    '0002_experiments': experiments(dialect),
    '0006_langsmith_runs': langsmithRuns(dialect),
    '0008_version_record_bound': versionRecordBound(dialect),
    '0009_spans_by_trace': spansByTrace(),
    '0014_comparative_experiments': comparativeExperiments(dialect),
    '0015_users': users(dialect),
    '0016_review': review(dialect),
    '0017_dataset_drafts': datasetDrafts(dialect),
    '0018_upload_receivers': uploadReceivers(),
    '0019_record_scores': recordScores(dialect),
  };
}

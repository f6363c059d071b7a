/**
 * evalstore's TypeScript client (`import { Evalstore, evaluate } from 'evalstore/client'`): the native
 * API with types generated from its OpenAPI document, and `evaluate()`, which runs your code over a
 * dataset and records the results as an experiment. See docs/client.md.
 */
export { Evalstore } from './client.js';
export { EvalstoreError } from './errors.js';
export { evaluate } from './evaluate.js';
export type {
  EvaluateOptions,
  EvaluateProgress,
  EvaluateSummary,
  EvaluationResult,
  Evaluator,
  EvaluatorInput,
  ExperimentResult,
  SummaryEvaluator,
  Target,
  TargetContext,
  Usage,
} from './evaluate.js';
export type { ServerSentEvent } from './event-stream.js';
export type { Page } from './pages.js';
export type { ClientOptions } from './transport.js';
export type { ColumnMapping, UploadFormat, UploadOptions, UploadProgress, UploadSource } from './uploads.js';
export type * from './types.js';

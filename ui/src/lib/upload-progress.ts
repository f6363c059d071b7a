import { EvalstoreError } from '../../../src/client/errors.js';
import type { ServerSentEvent } from '../../../src/client/event-stream.js';
import type { UploadFormat } from '../../../src/client/uploads.js';
import type { Problem, ServerProblem, UploadSummary } from '../api/types.js';

/**
 * The state of one upload, from what the browser has sent and what the server reports in its
 * progress events. Browsers read the answer only once the whole body is sent, so while sending, the
 * bytes sent are all there is to show; after that the server's own events (bytes read, rows staged,
 * committing, the summary or the error) take over.
 */
export type UploadPhase = 'sending' | 'staging' | 'committing' | 'completed' | 'failed';

export interface UploadProgress {
  phase: UploadPhase;
  totalBytes: number;
  sentBytes: number;
  /** Bytes of the file the server has read, from its progress events. */
  processedBytes: number;
  rowsReceived: number;
  /** CSV: the columns the server found, and those it ignores. */
  columns?: string[];
  ignoredColumns?: string[];
  summary?: UploadSummary;
  problem?: Problem;
}

export function startProgress(totalBytes: number): UploadProgress {
  return { phase: 'sending', totalBytes, sentBytes: 0, processedBytes: 0, rowsReceived: 0 };
}

export function withSentBytes(state: UploadProgress, sentBytes: number): UploadProgress {
  return isFinished(state) ? state : { ...state, sentBytes: Math.max(state.sentBytes, sentBytes) };
}

interface ProgressData {
  phase?: 'header' | 'staging' | 'committing';
  rows_received?: number;
  bytes_received?: number;
  columns?: string[];
  ignored_columns?: string[];
}

/** The state after one of the server's events; events of unknown names change nothing. */
export function withEvent(state: UploadProgress, event: ServerSentEvent): UploadProgress {
  if (isFinished(state)) return state;
  switch (event.event) {
    case 'progress': {
      const data = JSON.parse(event.data) as ProgressData;
      const committing = data.phase === 'committing';
      return {
        ...state,
        // The server reads only what was sent: its events mean the body is on its way or there.
        sentBytes: Math.max(state.sentBytes, data.bytes_received ?? 0),
        phase: committing ? 'committing' : 'staging',
        processedBytes: committing ? state.totalBytes : Math.max(state.processedBytes, data.bytes_received ?? 0),
        rowsReceived: Math.max(state.rowsReceived, data.rows_received ?? 0),
        ...(data.columns ? { columns: data.columns, ignoredColumns: data.ignored_columns ?? [] } : {}),
      };
    }
    case 'completed': {
      const summary = JSON.parse(event.data) as UploadSummary;
      return { ...state, phase: 'completed', summary, sentBytes: state.totalBytes, processedBytes: state.totalBytes, rowsReceived: summary.rows_received };
    }
    case 'error':
      // The server's problem details, as the client's error (they need no parsing but JSON's).
      return withProblem(state, new EvalstoreError(JSON.parse(event.data) as ServerProblem));
    default:
      return state;
  }
}

export function withProblem(state: UploadProgress, problem: Problem): UploadProgress {
  return isFinished(state) ? state : { ...state, phase: 'failed', problem };
}

export function isFinished(state: UploadProgress): boolean {
  return state.phase === 'completed' || state.phase === 'failed';
}

/** Shares of the file sent and read by the server, each from 0 to 1 (an empty file counts as whole). */
export function progressShares(state: UploadProgress): { sent: number; processed: number } {
  if (state.phase === 'completed') return { sent: 1, processed: 1 };
  const share = (bytes: number) => (state.totalBytes === 0 ? 1 : Math.min(1, bytes / state.totalBytes));
  return { sent: share(state.sentBytes), processed: share(state.processedBytes) };
}

/** The file's format by its name, else by its type; undefined when neither tells. */
export function uploadFormatOf(name: string, type: string): UploadFormat | undefined {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  if (/^(text|application)\/csv$/i.test(type)) return 'csv';
  if (/^application\/(x-ndjson|jsonl|json-lines)$/i.test(type)) return 'jsonl';
  return undefined;
}

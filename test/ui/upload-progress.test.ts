import { describe, expect, it } from 'vitest';
import { progressShares, startProgress, uploadFormatOf, withEvent, withProblem, withSentBytes } from '../../ui/src/lib/upload-progress.js';

const progress = (data: object) => ({ event: 'progress', data: JSON.stringify(data) });

describe('upload progress (the UI following an upload)', () => {
  it('goes from bytes sent to the server’s reports to the summary', () => {
    let state = startProgress(1000);
    state = withSentBytes(state, 400);
    expect(state.phase).toBe('sending');
    expect(progressShares(state)).toEqual({ sent: 0.4, processed: 0 });

    state = withEvent(state, progress({ phase: 'header', rows_received: 0, bytes_received: 100, columns: ['input', 'x'], ignored_columns: ['x'] }));
    state = withEvent(state, progress({ phase: 'staging', rows_received: 1000, bytes_received: 700, upload_id: 'u' }));
    expect(state).toMatchObject({ phase: 'staging', rowsReceived: 1000, processedBytes: 700, sentBytes: 700, ignoredColumns: ['x'] });
    expect(progressShares(state)).toEqual({ sent: 0.7, processed: 0.7 });

    state = withEvent(state, progress({ phase: 'committing', rows_received: 1500, bytes_received: 1000 }));
    expect(state.phase).toBe('committing');
    const summary = { rows_received: 1500, records_created: 1500, version: { version: 1 } };
    state = withEvent(state, { event: 'completed', data: JSON.stringify(summary) });
    expect(state).toMatchObject({ phase: 'completed', rowsReceived: 1500, summary });
    expect(progressShares(state)).toEqual({ sent: 1, processed: 1 });
    // Nothing moves a finished upload.
    expect(withProblem(state, { status: 0, title: 'x', detail: 'y' })).toBe(state);
  });

  it('ends with the server’s problem on an error event, and never moves backwards', () => {
    let state = withSentBytes(startProgress(100), 80);
    state = withSentBytes(state, 50);
    expect(state.sentBytes).toBe(80);
    state = withEvent(state, {
      event: 'error',
      data: JSON.stringify({ status: 400, title: 'Bad', detail: 'line 3', errors: [{ pointer: '/metadata', detail: 'x', line: 3 }] }),
    });
    expect(state).toMatchObject({ phase: 'failed', problem: { status: 400, errors: [{ line: 3 }] } });
    expect(withEvent(state, progress({ phase: 'staging', rows_received: 5 }))).toBe(state);
  });

  it('counts an empty file as whole, and ignores events it does not know', () => {
    const empty = startProgress(0);
    expect(progressShares(empty)).toEqual({ sent: 1, processed: 1 });
    expect(withEvent(empty, { event: 'ping', data: '' })).toBe(empty);
  });

  it('tells CSV from JSONL by name, then by type', () => {
    expect(uploadFormatOf('a.CSV', '')).toBe('csv');
    expect(uploadFormatOf('a.ndjson', 'application/octet-stream')).toBe('jsonl');
    expect(uploadFormatOf('data', 'text/csv')).toBe('csv');
    expect(uploadFormatOf('data.txt', 'text/plain')).toBeUndefined();
  });
});

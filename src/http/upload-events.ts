import type { FastifyReply, FastifyRequest } from 'fastify';
import { explainFailure, logFailure, type NormalizedError } from './errors.js';
import { bodyReceived, EventStream } from './sse.js';

/** A long piece of work (an upload) answered as Server-Sent Events, in a surface's own terms. */
export interface StreamedWork<T> {
  /** Does the work, telling `events` of its progress. Faults thrown before the stream opens answer as ordinary errors. */
  run(events: EventStream): Promise<T>;
  /** The data of the terminal `completed` event. */
  completed(result: T): unknown;
  /** The data of the terminal `error` event, in the surface's error format. */
  failed(error: NormalizedError, request: FastifyRequest): unknown;
  /** Names of the terminal events, when the surface's clients expect others than `completed` and `error`. */
  events?: { completed?: string; error?: string };
}

/**
 * Answers `work` as an event stream: progress as the work sends it, then exactly one terminal event,
 * `completed` or `error`. Nothing is written until the first event, so a fault found before (an
 * unknown dataset, a file without the columns it needs) is thrown to the surface's error handler and
 * answered with its own status; once the stream is open, a failure is normalized, restated in the
 * request's terms and logged once, and travels as the `error` event.
 *
 * The status line (and the events before it) goes out only once the whole request body has been read:
 * clients such as Datadog's resolve on the status line, and a script that then exits would cut off a
 * body still being sent. Once the body is in, the work runs to its commit whether or not anyone still
 * reads the stream (writes to a client that has gone are dropped); a failure answers at once.
 */
export async function answerAsEventStream<T>(request: FastifyRequest, reply: FastifyReply, work: StreamedWork<T>): Promise<FastifyReply> {
  const events = new EventStream(reply, { holdUntil: bodyReceived(request.raw) });
  try {
    const result = await work.run(events);
    events.send(work.events?.completed ?? 'completed', work.completed(result));
  } catch (error) {
    if (!events.isOpen) throw error;
    const explained = explainFailure(request, error);
    logFailure(request, error, explained);
    events.send(work.events?.error ?? 'error', work.failed(explained, request));
  }
  events.end();
  return reply;
}

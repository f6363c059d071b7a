/** One Server-Sent Event: its name (`message` when unnamed) and its data lines joined by newlines. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Reads a text/event-stream incrementally, as a browser's EventSource does (the web UI feeds it an
 * XMLHttpRequest's growing text; readEventStream below, a response body): text arrives in pieces
 * that may split a line or an event anywhere; `push` returns the events completed so far. Comments
 * (keep-alives) are skipped; CR, LF and CRLF all end lines.
 */
export class EventStreamParser {
  private pending = '';
  private event = '';
  private data: string[] = [];

  push(text: string): ServerSentEvent[] {
    this.pending += text;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const end = this.pending.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone CR at the very end may be the first half of a CRLF still to come.
      if (this.pending[end] === '\r' && end === this.pending.length - 1) break;
      const line = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + (this.pending.startsWith('\r\n', end) ? 2 : 1));
      const completed = this.readLine(line);
      if (completed) events.push(completed);
    }
    return events;
  }

  /** The stream ended: an event without its closing blank line is dropped, as EventSource does. */
  finish(): void {
    this.pending = '';
    this.event = '';
    this.data = [];
  }

  private readLine(line: string): ServerSentEvent | undefined {
    if (line === '') {
      const completed = this.data.length ? { event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.event = '';
      this.data = [];
      return completed;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return undefined;
  }
}

/**
 * The events of a text/event-stream body (a fetch response's, a Node stream's), for the client and for
 * tests of the streams the server writes (src/http/sse.ts). An event the stream ends without closing
 * is still given.
 */
export async function* readEventStream(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  const parser = new EventStreamParser();
  for await (const chunk of body) yield* parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  yield* parser.push(`${decoder.decode()}\n\n`);
}

import type { FastifyReply } from 'fastify';

/** Comments sent when nothing else was, so proxies and clients do not take a long silence for a dead stream. */
const KEEP_ALIVE_MS = 10_000;

/**
 * A Server-Sent Events response (text/event-stream). Nothing is written until the first event (or an
 * explicit `open()`), so a request that fails before that still gets an ordinary error response with
 * its status code; once open, the status is 200 and failures travel as events.
 */
export class EventStream {
  private opened = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly reply: FastifyReply,
    private readonly options: { keepAliveMs?: number; headers?: Record<string, string> } = {},
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** True once the client has gone away (writes are then dropped). */
  get clientGone(): boolean {
    return this.reply.raw.destroyed || this.reply.raw.writableEnded;
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.reply.hijack();
    const raw = this.reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      ...this.options.headers,
    });
    raw.flushHeaders();
    raw.write(': stream open\n\n');
    this.timer = setInterval(() => this.write(': keep-alive\n\n'), this.options.keepAliveMs ?? KEEP_ALIVE_MS);
    this.timer.unref();
    raw.once('close', () => clearInterval(this.timer));
  }

  /** Sends one named event whose data is `data` as JSON (on one line: JSON never holds a raw newline). */
  send(event: string, data: unknown): void {
    this.open();
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    if (this.opened && !this.reply.raw.writableEnded) this.reply.raw.end();
  }

  private write(text: string): void {
    if (!this.clientGone) this.reply.raw.write(text);
  }
}

/** True when the client asks for an event stream (`Accept: text/event-stream`). */
export function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/event-stream\b/i.test(accept);
}

/** A parsed Server-Sent Event. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Reads a text/event-stream body into events as a client does (named events, multi-line data joined
 * with newlines, comments skipped). For clients and tests of the streams this module writes.
 */
export async function* readEventStream(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let pending = '';
  let event = 'message';
  let data: string[] = [];
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      if (line === '') {
        if (data.length) yield { event, data: data.join('\n') };
        event = 'message';
        data = [];
      } else if (line.startsWith(':')) {
        continue;
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
    }
  }
  if (data.length) yield { event, data: data.join('\n') };
}

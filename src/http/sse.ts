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

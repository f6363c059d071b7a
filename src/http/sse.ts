import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

/** Comments sent when nothing else was, so proxies and clients do not take a long silence for a dead stream. */
const KEEP_ALIVE_MS = 10_000;

export interface EventStreamOptions {
  keepAliveMs?: number;
  headers?: Record<string, string>;
  /**
   * Holds the status line and every event back until this settles (or the stream ends): an upload's
   * answer waits for its whole body (`bodyReceived`), so that a client which returns on the status
   * line cannot cut its own body off by exiting.
   */
  holdUntil?: Promise<unknown>;
}

/**
 * A Server-Sent Events response (text/event-stream). Nothing is written until the first event (or an
 * explicit `open()`), so a request that fails before that still gets an ordinary error response with
 * its status code; once open, the status is 200 and failures travel as events.
 */
export class EventStream {
  private opened = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  /** What was written while the stream was held back (`holdUntil`), in order. */
  private held: string[] | undefined;

  constructor(
    private readonly reply: FastifyReply,
    private readonly options: EventStreamOptions = {},
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
    if (this.options.holdUntil) {
      this.held = [];
      const release = () => this.release();
      this.options.holdUntil.then(release, release);
    } else {
      this.start();
    }
  }

  /** Sends what was held back, and from then on writes as events come. */
  private release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.start();
    for (const text of held) this.write(text);
  }

  private start(): void {
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
    this.release();
    this.ended = true;
    clearInterval(this.timer);
    if (this.opened && !this.reply.raw.writableEnded) this.reply.raw.end();
  }

  private write(text: string): void {
    if (this.held) this.held.push(text);
    else if (!this.clientGone) this.reply.raw.write(text);
  }
}

/**
 * Settles once the whole request body has been read (its 'end'). Never settles for a body cut off half
 * way: the work reading it fails instead, and ending the stream releases what was held.
 */
export function bodyReceived(request: IncomingMessage): Promise<void> {
  if (request.readableEnded) return Promise.resolve();
  return new Promise((resolve) => request.once('end', resolve));
}

/** True when the client asks for an event stream (`Accept: text/event-stream`). */
export function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/event-stream\b/i.test(accept);
}

import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../domain/limits.js';

/**
 * A request refused before its body was read whole (a 413 on its Content-Length, an upload stopped at
 * a bad line, a 415) would leave the rest of the body on the connection: a keep-alive client's next
 * request then waits behind it until the keep-alive timeout, and a client still sending sees the
 * server's close as a reset instead of the answer. So before such an answer goes out, what is left of
 * the body is read and discarded, up to `LIMITS.refusedBodyDrainBytes` and for at most
 * `LIMITS.refusedBodyDrainMs`, so that the client can finish sending and read the answer; and the
 * answer says `Connection: close`, so that nothing of that body is ever read as a next request.
 * Answers of 2xx and 3xx are left alone: their routes (streamed uploads) read their bodies themselves.
 */
export function closeAfterRefusal(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || request.raw.complete) return payload;
    await drain(request.raw, LIMITS.refusedBodyDrainBytes, LIMITS.refusedBodyDrainMs);
    reply.header('connection', 'close');
    return payload;
  });
}

/** Reads and discards what is left of `body`; settles when it ended, or went beyond `maxBytes` or `ms`. */
function drain(body: IncomingMessage, maxBytes: number, ms: number): Promise<void> {
  if (body.destroyed || body.readableEnded) return Promise.resolve();
  const declared = Number(body.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', done);
      body.off('close', done);
      body.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) done();
    };
    const timer = setTimeout(done, ms);
    body.on('data', onData);
    body.once('end', done);
    body.once('close', done);
    body.once('error', done);
    body.resume();
  });
}

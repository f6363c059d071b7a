import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../domain/limits.js';

/**
 * A request refused before its body was read whole (a 413 on its Content-Length, an upload stopped at
 * a bad line, a 415) would leave the rest of the body on the connection: a keep-alive client's next
 * request then waits behind it until the keep-alive timeout, and a client still sending sees the
 * server's close as a reset instead of the answer. So before such an answer goes out, what is left of
 * the body is read and discarded for at most `LIMITS.refusedBodyDrainMs`: a body whose Content-Length
 * is at most `LIMITS.refusedBodyDrainBytes` whole (the client then finishes sending and reads the
 * answer), a body of no stated length up to `LIMITS.refusedChunkedDrainBytes` (a refusal before the
 * body is read, such as a 409, does not read an upload of unknown size); and the
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
  const length = body.headers['content-length'];
  const declared = length === undefined ? undefined : Number(length);
  if (declared !== undefined && !(declared <= maxBytes)) return Promise.resolve();
  const bound = declared ?? LIMITS.refusedChunkedDrainBytes;
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
      if (bytes > bound) done();
    };
    const timer = setTimeout(done, ms);
    body.on('data', onData);
    body.once('end', done);
    body.once('close', done);
    body.once('error', done);
    body.resume();
  });
}

/**
 * What Node's HTTP parser refuses before any route sees the request (headers beyond its limit: 431; a
 * request line it cannot parse: 400; a URL too long: 414) is answered as a problem document, the
 * native API's error format (no surface is known yet), and the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  const title = status === 431 ? 'Request header fields too large' : status === 414 ? 'URI too long' : 'Bad request';
  const body = JSON.stringify({
    type: `urn:evalstore:problem:${status === 400 ? 'bad_request' : status === 414 ? 'uri_too_long' : 'header_fields_too_large'}`,
    title,
    status,
    detail:
      status === 431
        ? 'The request headers are larger than the server accepts'
        : status === 414
          ? 'The URL is longer than the server accepts'
          : 'The request could not be parsed as HTTP',
    code: status === 400 ? 'bad_request' : status === 414 ? 'uri_too_long' : 'header_fields_too_large',
  });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

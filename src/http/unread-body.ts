import type { FastifyInstance } from 'fastify';

/**
 * A request answered before its body was read whole (an upload refused at its header) closes its
 * connection: left open, the browser would keep the rest of the body queued on it and its next
 * request would wait out the keep-alive timeout.
 */
export function closeConnectionsWithUnreadBodies(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete) reply.header('connection', 'close');
    return payload;
  });
}

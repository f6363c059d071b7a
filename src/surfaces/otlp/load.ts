import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Sheds load before reading bodies: past `max` export requests in flight, a request is answered 503
 * with Retry-After (retryable for OTLP exporters, which back off and send it again) by `refuse`.
 */
export function limitConcurrentExports(app: FastifyInstance, max: number, refuse: (request: FastifyRequest, reply: FastifyReply) => FastifyReply): void {
  let inFlight = 0;
  const admitted = new WeakSet<FastifyRequest>();
  const leave = async (request: FastifyRequest) => {
    if (admitted.delete(request)) inFlight -= 1;
  };
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST') return;
    if (inFlight >= max) return refuse(request, reply);
    inFlight += 1;
    admitted.add(request);
  });
  app.addHook('onResponse', leave);
  app.addHook('onRequestAbort', leave);
}

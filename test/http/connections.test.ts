import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

/**
 * Issue 14, item 9: a request refused before its body was read answers with `Connection: close`, so
 * the next request of a keep-alive client goes on a fresh connection instead of waiting behind the
 * unread body; and a 413 reaches the client as a 413, not as a reset.
 */

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
  socket: unknown;
}

/** One request through `agent`, its body written in chunks as a streaming client would. */
function send(agent: Agent, url: string, options: { method: string; headers?: Record<string, string | number>; body?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, agent, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: Buffer.concat(chunks).toString(), socket: req.socket }));
    });
    req.on('error', reject);
    const body = options.body;
    if (!body) return void req.end();
    let at = 0;
    const write = () => {
      while (at < body.length) {
        const chunk = body.subarray(at, at + 256 * 1024);
        at += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: connections after a refusal`, () => {
    const t = useTestServer(dialect);

    it('a refused upload with its body unread closes the connection, and the next request is answered at once', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const created = await send(agent, `${t.url}/api/v1/datasets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify({ name: `c-${Math.random()}` })),
        });
        expect(created.status).toBe(201);
        const ds = JSON.parse(created.body).id as string;
        const line = Buffer.concat([Buffer.from('{"input":"'), Buffer.alloc(17 * 1024 * 1024, 'a'), Buffer.from('"}\n')]);
        const refused = await send(agent, `${t.url}/api/v1/datasets/${ds}/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/x-ndjson', 'content-length': line.length },
          body: line,
        });
        expect(refused.status).toBe(413);
        expect(refused.connection).toBe('close');
        const started = performance.now();
        const next = await send(agent, `${t.url}/healthz`, { method: 'GET' });
        expect(next.status).toBe(200);
        expect(performance.now() - started).toBeLessThan(2_000);
      } finally {
        agent.destroy();
      }
    });

    it('a body over a 1 MiB route limit is answered 413 (seen by the client, not a reset), and the connection is closed', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const body = Buffer.alloc(3 * 1024 * 1024, 'a');
        const refused = await send(agent, `${t.url}/api/v1/projects`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json', 'content-length': body.length },
          body,
        });
        expect(refused.status).toBe(413);
        expect(JSON.parse(refused.body)).toMatchObject({ status: 413 });
        expect(refused.connection).toBe('close');
        const next = await send(agent, `${t.url}/healthz`, { method: 'GET' });
        expect(next.status).toBe(200);
        // A refusal whose body was read whole keeps the connection.
        const small = await send(agent, `${t.url}/api/v1/datasets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
          body: Buffer.from('{"name":""}'),
        });
        expect(small.status).toBe(400);
        expect(small.connection).not.toBe('close');
      } finally {
        agent.destroy();
      }
    });

    it("a request whose headers are too large is a 431 problem document, not Fastify's default body", async () => {
      const { port } = new URL(t.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`GET /api/v1/datasets HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
        });
        const chunks: Buffer[] = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
        socket.on('error', (error) => (chunks.length ? resolve(Buffer.concat(chunks).toString()) : reject(error)));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 431 /);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'header_fields_too_large' });
    });

    it("a path part too long for the router is a 414 problem document, not Fastify's default body, on every surface", async () => {
      for (const path of ['/api/v1/datasets/', '/langsmith/datasets/', '/langsmith/api/v1/sessions/']) {
        const response = await fetch(`${t.url}${path}${'a'.repeat(500)}`, { headers: { authorization: `Bearer ${t.adminKey}` } });
        expect(response.status, path).toBe(414);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await response.json()).toMatchObject({ status: 414, detail: 'A part of the path is longer than the server takes (100 characters)' });
      }
    });
  });
}

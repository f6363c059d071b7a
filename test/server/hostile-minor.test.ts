import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

/** Issue 14, the minor items: unknown query parameters, the headers of /docs, key parameters kept out of the log. */

const logged: string[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    logged.push(String(chunk));
    done();
  },
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: hostile input, the minor items`, () => {
    const t = useTestApp(dialect, { logger: { level: 'info', stream: logStream } });

    it('get-by-id routes refuse unknown query parameters as lists do', async () => {
      const ds = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `m-${Math.random()}` } })).json().id as string;
      for (const url of [`/api/v1/datasets/${ds}?zzz=1`, `/api/v1/datasets?zzz=1`, `/api/v1/datasets/${ds}/versions/1?limit=5`]) {
        const answer = await t.call({ method: 'GET', url });
        expect({ url, status: answer.statusCode }).toEqual({ url, status: 400 });
        expect(answer.json().errors[0]).toMatchObject({ in: 'query' });
      }
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}` })).statusCode).toBe(200);
    });

    it('/docs answers with a CSP that forbids framing, nosniff and no referrer', async () => {
      const docs = await t.call({ method: 'GET', url: '/docs/', key: null });
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(docs.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(docs.headers['x-content-type-options']).toBe('nosniff');
      expect(docs.headers['referrer-policy']).toBe('no-referrer');
    });

    it('a key sent as ?api_key= is not written to the request log', async () => {
      const secret = `es_secret${Math.random().toString(36).slice(2)}`;
      await t.call({ method: 'GET', url: `/api/v1/datasets?api_key=${secret}&limit=1`, key: null });
      const lines = logged.join('');
      expect(lines).toMatch(/api_key=\[Redacted\]/);
      expect(lines).not.toContain(secret);
    });
  });
}

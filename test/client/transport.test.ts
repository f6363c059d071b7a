import { describe, expect, it } from 'vitest';
import { Evalstore, EvalstoreError } from '../../src/client/index.js';

const WORKSPACE = { id: 'w', name: 'acme', created_at: '2026-01-01T00:00:00.000Z' };
const REFUSED = { type: 'urn:evalstore:problem:unauthorized', title: 'Unauthorized', status: 401, detail: 'Unknown API key', code: 'unauthorized' };

/** A server that answers every request with `status` and records the key each request came with. */
function fakeServer(status = 200) {
  const keys: (string | null)[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    // As fetch does: an aborted request fails with the signal's reason (an AbortError).
    request.signal.throwIfAborted();
    keys.push(request.headers.get('authorization'));
    const body = status === 200 ? WORKSPACE : { ...REFUSED, status };
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': status === 200 ? 'application/json' : 'application/problem+json' } });
  };
  return { keys, fetch: fetch as typeof globalThis.fetch };
}

/** The transport as a browser session uses it (the web UI): a key that changes, and a hook for a refused one. */
describe('the client transport with a key getter and an onUnauthorized hook', () => {
  it('reads the key per request, typed or raw, and sends none when there is none', async () => {
    const server = fakeServer();
    let key: string | null = 'es_first';
    const evalstore = new Evalstore({ url: 'http://server.test', apiKey: () => key, fetch: server.fetch });
    await evalstore.workspace.get();
    key = 'es_second';
    await evalstore.transport.request('/api/v1/workspace');
    key = null;
    await evalstore.workspace.get();
    expect(server.keys).toEqual(['Bearer es_first', 'Bearer es_second', null]);
  });

  it('lets a typed call name its own key', async () => {
    const server = fakeServer();
    const evalstore = new Evalstore({ url: 'http://server.test', apiKey: 'es_default', fetch: server.fetch });
    await evalstore.transport.api.GET('/api/v1/workspace', { headers: { authorization: 'Bearer es_own' } });
    expect(server.keys).toEqual(['Bearer es_own']);
  });

  it('tells onUnauthorized of a refused key before the call throws, whichever way the answer came', async () => {
    const refusals: EvalstoreError[] = [];
    const evalstore = new Evalstore({
      url: 'http://server.test',
      apiKey: 'es_revoked',
      fetch: fakeServer(401).fetch,
      onUnauthorized: (error) => refusals.push(error),
    });
    await expect(evalstore.workspace.get()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    await expect(evalstore.transport.request('/api/v1/datasets/d/export')).rejects.toMatchObject({ status: 401 });
    const read = evalstore.transport.failure(JSON.stringify(REFUSED), { status: 401, statusText: 'Unauthorized' });
    expect(read).toBeInstanceOf(EvalstoreError);
    expect(refusals).toHaveLength(3);
    expect(refusals[2]).toBe(read);

    const forbidden = new Evalstore({
      url: 'http://server.test',
      apiKey: 'es_reader',
      fetch: fakeServer(403).fetch,
      onUnauthorized: (error) => refusals.push(error),
    });
    await expect(forbidden.workspace.get()).rejects.toMatchObject({ status: 403 });
    expect(refusals).toHaveLength(3);
  });

  it('keeps an aborted typed call an abort, not a server out of reach', async () => {
    const evalstore = new Evalstore({ url: 'http://server.test', apiKey: 'es_key', fetch: fakeServer().fetch });
    const aborted = evalstore.transport.call(evalstore.transport.api.GET('/api/v1/workspace', { signal: AbortSignal.abort() }));
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('builds the addresses and headers a request sent another way needs', () => {
    const evalstore = new Evalstore({ url: 'http://server.test/api/v1/', apiKey: () => 'es_key' });
    expect(
      evalstore.transport.url(
        '/api/v1/datasets',
        new URLSearchParams([
          ['tag', 'a'],
          ['tag', 'b'],
        ]),
      ),
    ).toBe('http://server.test/api/v1/datasets?tag=a&tag=b');
    expect(evalstore.transport.url('/api/v1/datasets', new URLSearchParams())).toBe('http://server.test/api/v1/datasets');
    expect(evalstore.transport.authorization()).toEqual({ authorization: 'Bearer es_key' });
  });
});

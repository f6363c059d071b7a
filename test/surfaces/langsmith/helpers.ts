import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { Client } from 'langsmith';
import { createTestApp, useTestServer, type TestApp, type TestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import type { DialectName } from '../../../src/store/dialect.js';
import { countRows } from '../../support/rows.js';

/** The LangSmith surface's base URL, as the SDK's endpoint. */
export const LS = '/langsmith';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A part of a multipart body: JSON, or raw bytes of a type. */
export interface Part {
  name: string;
  json?: unknown;
  raw?: string;
  type?: string;
  filename?: string;
}

/** A multipart/form-data body as the SDK builds one: JSON parts with a `length` parameter, or raw bytes. */
export function multipart(parts: Part[]) {
  const boundary = `----LangSmithFormBoundary${randomUUID().slice(0, 8)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const data = Buffer.from(part.raw ?? JSON.stringify(part.json));
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.type ?? `application/json; length=${data.length}`}\r\n\r\n`),
      data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/**
 * Requests to the LangSmith surface of the test app `app()` gives (made in `beforeAll`), with its
 * admin key in `x-api-key` as the SDK sends it, unless `key` says otherwise (null: no key at all).
 */
export function langsmithRequests(app: () => TestApp) {
  const ls = (method: Method, url: string, payload?: unknown, key?: string | null) =>
    app().call({
      method,
      url: `${LS}${url}`,
      ...(payload === undefined ? {} : { payload: payload as object }),
      key: null,
      headers: key === null ? {} : { 'x-api-key': key ?? app().adminKey },
    });
  const ok = async (method: Method, url: string, payload?: unknown, status = 200) => {
    const response = await ls(method, url, payload);
    expect(response.statusCode, response.body).toBe(status);
    return response.json();
  };
  const postMultipart = (url: string, parts: Part[], method: 'POST' | 'PATCH' = 'POST') =>
    app().call({ method, url: `${LS}${url}`, ...multipart(parts), key: app().adminKey });
  /** How many rows the tables a run request writes to hold. */
  const counts = async () => {
    const count = async (table: 'runs' | 'experiments' | 'scores' | 'deferred_run_changes') => countRows(app().services.store.db, table);
    return { runs: await count('runs'), experiments: await count('experiments'), scores: await count('scores'), deferred: await count('deferred_run_changes') };
  };
  const makeDataset = async (name: string) => ok('POST', '/datasets', { name, description: 'd', extra: { source: 'sdk', metadata: { team: 'a' } } });
  /** The items of a Go route's 422 (`{"error", "details": "<JSON>"}`). */
  const goDetails = (response: { json(): { details: string } }) =>
    JSON.parse(response.json().details) as { loc: (string | number)[]; msg: string; type: string }[];
  return { ls, ok, postMultipart, counts, makeDataset, goDetails };
}

/** What the tests of describeLangSmith get: the database, the app (once made), and the requests on it. */
export type LangSmithTests = ReturnType<typeof langsmithRequests> & { dialect: DialectName; app: () => TestApp };

/**
 * Declares `tests` once per database, each time on an app over a fresh store, made before the tests
 * and closed after them.
 */
export function describeLangSmith(title: string, tests: (context: LangSmithTests) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${dialect}: ${title}`, () => {
      let made: TestApp | undefined;
      beforeAll(async () => {
        made = await createTestApp(dialect);
      });
      afterAll(async () => {
        await made?.close();
      });
      const app = () => {
        if (!made) throw new Error('The app is made before the tests run');
        return made;
      };
      tests({ dialect, app, ...langsmithRequests(app) });
    });
  }
}

/** What the tests of describeLangSmithSdk get: the database, the listening server, and LangSmith's 0.12 client on it. */
export interface LangSmithSdkTests {
  dialect: DialectName;
  server: () => TestServer;
  /** A new langsmith 0.12 client of the server's LangSmith surface, with its admin key. */
  client: () => Client;
}

/** Declares `tests` once per database, each time on a listening server over a fresh store, for the real SDK. */
export function describeLangSmithSdk(title: string, tests: (context: LangSmithSdkTests) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${dialect}: ${title}`, () => {
      const t = useTestServer(dialect);
      tests({ dialect, server: () => t, client: () => new Client({ apiUrl: `${t.url}${LS}`, apiKey: t.adminKey, autoBatchTracing: false }) });
    });
  }
}

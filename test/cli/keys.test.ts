import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server.js';
import { createServices } from '../../src/services/index.js';
import { openStore, type Store } from '../../src/store/database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { killAllChildren, runCli, storeFlags, type CliResult } from '../support/processes.js';

/**
 * `evalstore workspaces` and `evalstore keys` work directly on the database; the keys they make must
 * then be honoured (and their revocation too) by a server on that database.
 */

const KEY_LINE = /^(es_[A-Za-z0-9_-]{43})$/m;
const ANY_KEY = /es_[A-Za-z0-9_-]{43}/;

function printedKey(result: CliResult): string {
  const match = KEY_LINE.exec(result.stdout);
  if (!match) throw new Error(`no key in the output:\n${result.stdout}\n${result.stderr}`);
  return match[1]!;
}

/** The id in `Created <role> key "<name>" (<id>).` */
function createdKeyId(result: CliResult): string {
  const match = /^Created \w+ key ".*" \(([0-9a-f-]{36})\)\./m.exec(result.stdout);
  if (!match) throw new Error(`no key id in the output:\n${result.stdout}`);
  return match[1]!;
}

/** The row of `keys list` for the key with this id, split into its columns. */
function listedRow(listing: string, keyId: string): string[] | undefined {
  return listing
    .split('\n')
    .find((line) => line.startsWith(keyId))
    ?.split(/\s{2,}/);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: evalstore workspaces and keys`, () => {
    let database: TestDatabase;
    let store: Store | undefined;
    let app: FastifyInstance | undefined;
    const evalstore = (...args: string[]) => runCli([...args, ...storeFlags(database)]);

    let acmeAdminKey: string;
    let writeKey: { id: string; key: string };
    let readKey: { id: string; key: string };

    /** The HTTP application, in this process, over the database the CLI works on. */
    const call = (method: 'GET' | 'POST', url: string, key: string, payload?: unknown) =>
      app!.inject({ method, url, payload: payload as object | undefined, headers: { authorization: `Bearer ${key}` } });

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
    });

    afterAll(async () => {
      try {
        await app?.close();
        await store?.close();
      } finally {
        await killAllChildren();
        await database?.drop();
      }
    }, 30_000);

    it('workspaces create prints the admin key of the new workspace', async () => {
      const result = await evalstore('workspaces', 'create', 'acme');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Created workspace "acme" \([0-9a-f-]{36}\)/);
      acmeAdminKey = printedKey(result);

      const other = await evalstore('workspaces', 'create', 'other');
      expect(other.code, other.stderr).toBe(0);
      const listed = await evalstore('workspaces', 'list');
      expect(listed.stdout).toMatch(/ acme$/m);
      expect(listed.stdout).toMatch(/ other$/m);
    });

    it('keys create needs --workspace when several exist, and prints the key once', async () => {
      const ambiguous = await evalstore('keys', 'create', '--name', 'ci', '--role', 'write');
      expect(ambiguous.code).not.toBe(0);
      expect(ambiguous.stderr).toMatch(/--workspace/);
      expect(ambiguous.stdout).not.toMatch(ANY_KEY);

      const created = await evalstore('keys', 'create', '--name', 'ci', '--role', 'write', '--workspace', 'acme');
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/Created write key "ci"/);
      writeKey = { id: createdKeyId(created), key: printedKey(created) };

      const reader = await evalstore('keys', 'create', '--name', 'dashboard', '--role', 'read', '--workspace', 'acme');
      expect(reader.code, reader.stderr).toBe(0);
      readKey = { id: createdKeyId(reader), key: printedKey(reader) };
    });

    it('keys list shows role and preview but never a whole key', async () => {
      const listed = await evalstore('keys', 'list', '--workspace', 'acme');
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+KEY\s+CREATED\s+REVOKED$/m);
      const row = listedRow(listed.stdout, writeKey.id);
      expect(row, listed.stdout).toBeDefined();
      expect(row!.slice(0, 4)).toEqual([writeKey.id, 'ci', 'write', `${writeKey.key.slice(0, 9)}…`]);
      expect(listedRow(listed.stdout, readKey.id)!.slice(1, 3)).toEqual(['dashboard', 'read']);
      for (const secret of [writeKey.key, readKey.key, acmeAdminKey]) expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout).not.toMatch(ANY_KEY);
    });

    it('the keys it makes are honoured by the server: write may write, read may not', async () => {
      store = openStore(database.config);
      app = await buildApp(createServices(store));
      await app.ready();

      const written = await call('POST', '/api/v1/datasets', writeKey.key, { name: 'from-ci' });
      expect(written.statusCode, written.body).toBe(201);
      const refused = await call('POST', '/api/v1/datasets', readKey.key, { name: 'from-dashboard' });
      expect(refused.statusCode).toBe(403);
      const read = await call('GET', '/api/v1/datasets', readKey.key);
      expect(read.statusCode).toBe(200);
      expect(read.json().data.map((d: { name: string }) => d.name)).toEqual(['from-ci']);
      expect((await call('GET', '/api/v1/workspace', writeKey.key)).json()).toMatchObject({ name: 'acme' });
    });

    it('keys revoke makes the key answer 401 on the running server', async () => {
      expect(app, 'the previous test starts the app').toBeDefined();
      const revoked = await evalstore('keys', 'revoke', writeKey.id, '--workspace', 'acme');
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toContain(writeKey.id);

      expect((await call('GET', '/api/v1/datasets', writeKey.key)).statusCode).toBe(401);
      expect((await call('POST', '/api/v1/datasets', writeKey.key, { name: 'after-revoke' })).statusCode).toBe(401);
      expect((await call('GET', '/api/v1/datasets', readKey.key)).statusCode).toBe(200);

      const listed = await evalstore('keys', 'list', '--workspace', 'acme');
      expect(listedRow(listed.stdout, writeKey.id)![5]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    });

    it('refuses bad input with a clear message and a non-zero exit', async () => {
      const badRole = await evalstore('keys', 'create', '--name', 'x', '--role', 'god', '--workspace', 'acme');
      expect(badRole.code).not.toBe(0);
      expect(badRole.stderr).toMatch(/god/);
      expect(badRole.stderr).toMatch(/read, review, write, admin/);
      expect(badRole.stdout).not.toMatch(ANY_KEY);

      const noWorkspace = await evalstore('keys', 'list', '--workspace', 'nope');
      expect(noWorkspace.code).not.toBe(0);
      expect(noWorkspace.stderr).toMatch(/Workspace "nope" not found/);

      const unknownKey = await evalstore('keys', 'revoke', '00000000-0000-7000-8000-000000000000', '--workspace', 'acme');
      expect(unknownKey.code).not.toBe(0);
      expect(unknownKey.stderr).toMatch(/not found/);

      const listed = await evalstore('keys', 'list', '--workspace', 'acme');
      expect(listed.stdout).not.toMatch(/^\S+\s+x\s+/m);
    });

    it('never lets --workspace <name> pick one of two workspaces of that name silently', async () => {
      const first = await evalstore('workspaces', 'create', 'twin');
      expect(first.code, first.stderr).toBe(0);
      const second = await evalstore('workspaces', 'create', 'twin');
      if (second.code !== 0) {
        // One fix: names are unique, so the second create is refused, clearly.
        expect(second.stderr).toMatch(/twin/);
        expect(second.stdout).not.toMatch(ANY_KEY);
        return;
      }
      // The other: a name that names several workspaces is refused as ambiguous (use the id).
      const created = await evalstore('keys', 'create', '--name', 'which', '--role', 'admin', '--workspace', 'twin');
      expect(created.code, `a key was made in one of two "twin" workspaces:\n${created.stdout}`).not.toBe(0);
      expect(created.stdout).not.toMatch(ANY_KEY);
    });
  });
}

describe('evalstore keys on a store that does not exist', () => {
  it('refuses to make one, naming where it looked, instead of listing an empty new store', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'evalstore-no-store-'));
    try {
      const listed = await runCli(['keys', 'list', '--data-dir', join(folder, 'data')]);
      expect(listed.code).not.toBe(0);
      expect(listed.stderr).toContain(`There is no store at ${join(folder, 'data', 'evalstore.db')}`);
      expect(existsSync(join(folder, 'data', 'evalstore.db'))).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

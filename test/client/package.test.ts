import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/app.js';
import { REPO_ROOT } from '../support/processes.js';

const run = promisify(execFile);

/**
 * `import { Evalstore } from 'evalstore/client'` as a user's program writes it: the package's
 * exports resolve to the build (dist/, made by `npm ci` and `npm run build`) with its declarations.
 */
describe('the evalstore/client package export', () => {
  const t = useTestServer('sqlite');

  it('resolves to the built client, with its type declarations, and talks to a server', async () => {
    const entry = join(REPO_ROOT, 'dist/client/index.js');
    expect(existsSync(entry), 'dist/client is missing: run `npm run build`').toBe(true);
    expect(statSync(entry).mtimeMs, 'dist/client is older than src/client: run `npm run build`').toBeGreaterThanOrEqual(
      statSync(join(REPO_ROOT, 'src/client/index.ts')).mtimeMs,
    );
    expect(existsSync(join(REPO_ROOT, 'dist/client/index.d.ts'))).toBe(true);
    const program = `
      const { Evalstore, EvalstoreError, evaluate } = await import('evalstore/client');
      const client = new Evalstore({ url: process.env.URL, apiKey: process.env.KEY });
      const workspace = await client.workspace.get();
      const refused = await client.datasets.get('00000000-0000-4000-8000-000000000000').catch((error) => error);
      console.log(JSON.stringify({ workspace: workspace.id, evaluate: typeof evaluate, refused: refused instanceof EvalstoreError && refused.status }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], {
      cwd: REPO_ROOT,
      env: { ...process.env, URL: t.url, KEY: t.adminKey },
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ workspace: t.workspaceId, evaluate: 'function', refused: 404 });
  });
});

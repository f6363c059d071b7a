import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderApiFiles } from '../../scripts/lib/api-files.js';

/**
 * The client's API types are committed (see docs/client.md); this fails when they no longer match the route
 * schemas, i.e. when `npm run openapi` would change them.
 */
describe("the client's API types", () => {
  it('are what `npm run openapi` makes of the current route schemas', async () => {
    for (const file of await renderApiFiles()) {
      const committed = await readFile(new URL(`../../${file.path}`, import.meta.url), 'utf8').catch(() => undefined);
      // Compared as a whole rather than by toEqual: a diff of two large files would bury the advice.
      const stale = committed === undefined ? 'is missing' : firstDifference(committed, file.content);
      expect(stale, `${file.path} ${stale}: run \`npm run openapi\``).toBeUndefined();
    }
  });
});

function firstDifference(committed: string, generated: string): string | undefined {
  if (committed === generated) return undefined;
  const committedLines = committed.split('\n');
  const generatedLines = generated.split('\n');
  const line = generatedLines.findIndex((text, index) => text !== committedLines[index]);
  const at = line === -1 ? generatedLines.length : line;
  return `differs from line ${at + 1} (generated: ${JSON.stringify(generatedLines[at] ?? '')})`;
}

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const UI_ROOT = join(REPO_ROOT, 'ui');
export const UI_BUNDLE_INDEX = join(REPO_ROOT, 'dist', 'ui', 'index.html');

function newestChange(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/**
 * Builds the UI (as `npm run build:ui` does, less its type check) when its bundle is missing or older
 * than any of its sources, so that the browser tests always test the UI as it is in the tree.
 */
export async function ensureUiBundle(): Promise<void> {
  const sources = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => join(UI_ROOT, name));
  const newest = Math.max(...sources.map(newestChange), statSync(join(REPO_ROOT, 'package-lock.json')).mtimeMs);
  if (existsSync(UI_BUNDLE_INDEX) && statSync(UI_BUNDLE_INDEX).mtimeMs >= newest) return;
  await build({ configFile: join(UI_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

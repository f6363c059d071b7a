import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderApiFiles } from './lib/api-files.js';

/** `npm run openapi`: writes the native API's OpenAPI document and its types into the client (src/client/generated). */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

for (const file of await renderApiFiles()) {
  const target = resolve(root, file.path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, file.content);
  process.stdout.write(`wrote ${file.path}\n`);
}

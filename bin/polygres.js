#!/usr/bin/env node
// The polygres server. Runs the compiled build (dist/) when it is present; in a source checkout with
// POLYGRES_FROM_SOURCE=1 (or no build yet) it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'server', 'main.js');
if (process.env.POLYGRES_FROM_SOURCE === '1' || !existsSync(built)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'server', 'main.ts')).href);
} else {
  await import(pathToFileURL(built).href);
}

#!/usr/bin/env node
// Launcher for the `scan-station` CLI. In a source checkout it runs the TypeScript directly
// (through tsx), so `npx scan-station` works right after `npm ci` with no build step; in a
// built or packaged copy it runs the esbuild bundle.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../electron/cli/main.ts', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/cli/scan-station.cjs', import.meta.url));

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(bundle).href);
}

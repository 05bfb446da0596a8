#!/usr/bin/env node
// Launcher for the `scan-station` CLI. It runs the esbuild bundle (dist/cli/scan-station.cjs, about
// five times quicker to start) when one is there and current — every source file it was built from
// (dist/cli/sources.json) still has the size and time it had then — and the TypeScript source through
// tsx otherwise, so `npx scan-station` works right after `npm ci` and never runs a stale build.
// SCAN_STATION_FROM_SOURCE=1 always runs the source.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = new URL('../', import.meta.url);
const source = fileURLToPath(new URL('electron/cli/main.ts', root));
const bundle = fileURLToPath(new URL('dist/cli/scan-station.cjs', root));

/** True when the bundle was built from exactly the sources in this checkout (or there is no source: a packaged copy). */
function bundleIsCurrent() {
  if (!existsSync(bundle)) return false;
  if (!existsSync(source)) return true;
  try {
    const { version, files } = JSON.parse(readFileSync(fileURLToPath(new URL('dist/cli/sources.json', root)), 'utf8'));
    if (version !== 1 || !Array.isArray(files) || files.length === 0) return false;
    return files.every(([file, size, mtimeMs]) => {
      const info = statSync(fileURLToPath(new URL(file, root)), { throwIfNoEntry: false });
      return info !== undefined && info.size === size && info.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
}

if (process.env.SCAN_STATION_FROM_SOURCE !== '1' && bundleIsCurrent()) {
  process.env.SCAN_STATION_RUNS = 'bundle';
  // require, not import: importing CommonJS from ESM first scans the 5 MB bundle for its exports.
  createRequire(import.meta.url)(bundle);
} else {
  process.env.SCAN_STATION_RUNS = 'source';
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
}

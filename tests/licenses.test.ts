import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/** Licences compatible with shipping inside an MIT app. AGPL/GPL/LGPL/SSPL are deliberately absent. */
const allowed = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD', 'Zlib', 'BlueOak-1.0.0', 'CC0-1.0', 'Python-2.0', 'OFL-1.1']);

/** The package folders an entry point's bundle pulls in (what would ship inside the app). */
async function shippedPackages(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: entry.startsWith('renderer') ? 'browser' : 'node',
    format: 'esm',
    external: ['electron'],
    loader: { '.css': 'empty', '.svg': 'empty', '.png': 'empty' },
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) packages.add(match[1]);
  }
  return packages;
}

test('every package bundled into the app, the CLI or the renderer has an MIT-compatible licence', async () => {
  const entries = ['electron/main/main.ts', 'electron/preload/preload.ts', 'electron/cli/main.ts', 'renderer/src/main.tsx'];
  const all = new Set<string>();
  for (const entry of entries) for (const name of await shippedPackages(entry)) all.add(name);
  assert.ok(all.has('react') && all.has('zod') && all.has('i18next'), 'the scan found the bundled packages');
  const offenders: string[] = [];
  for (const name of [...all].sort()) {
    const manifest = JSON.parse(readFileSync(path.join('node_modules', name, 'package.json'), 'utf8')) as { license?: string };
    const licence = manifest.license ?? 'UNKNOWN';
    // An SPDX "A OR B" expression is fine when either side is allowed.
    if (!licence.replace(/[()]/g, '').split(/\s+OR\s+/).some((part) => allowed.has(part.trim()))) offenders.push(`${name}: ${licence}`);
  }
  assert.deepEqual(offenders, []);
});

import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/** Licences compatible with shipping inside an MIT app. AGPL/GPL/LGPL/SSPL are deliberately absent. */
const allowed = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD', 'Zlib', 'BlueOak-1.0.0', 'CC0-1.0', 'Python-2.0', 'OFL-1.1']);

/** An SPDX expression is fine when some `OR` alternative has every `AND` part allowed. */
function isAllowed(licence: string): boolean {
  return licence
    .replace(/[()]/g, '')
    .split(/\s+OR\s+/)
    .some((alternative) => alternative.split(/\s+AND\s+/).every((part) => allowed.has(part.trim())));
}

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
    if (!isAllowed(licence)) offenders.push(`${name}: ${licence}`);
  }
  assert.deepEqual(offenders, []);
});

/** Runtime packages (package.json dependencies) and everything they pull in, as installed. */
function runtimePackages(): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, optional: boolean) => {
    if (found.has(name)) return;
    let manifest: { license?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(path.join('node_modules', name, 'package.json'), 'utf8')) as typeof manifest;
    } catch (error) {
      if (optional) return; // an optional package for another platform (e.g. sharp's Windows binaries)
      throw error;
    }
    found.set(name, manifest.license ?? 'UNKNOWN');
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, false);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, true);
  };
  const root = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
  for (const name of Object.keys(root.dependencies)) visit(name, false);
  return found;
}

test('every runtime package shipped beside the bundles is MIT-compatible (libvips: LGPL, dynamically linked)', () => {
  const packages = runtimePackages();
  assert.ok(packages.has('sharp') && packages.has('zxing-wasm') && packages.has('@hyzyla/pdfium'));
  const offenders: string[] = [];
  for (const [name, licence] of packages) {
    // libvips is a separate shared library loaded at run time: LGPL permits that in an MIT app.
    if (name.startsWith('@img/sharp-libvips-') && licence === 'LGPL-3.0-or-later') continue;
    if (!isAllowed(licence)) offenders.push(`${name}: ${licence}`);
  }
  assert.deepEqual(offenders, []);
});

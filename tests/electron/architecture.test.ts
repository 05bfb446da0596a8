import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

/** Every module a bundle of `entry` pulls in, with Electron left external so its use shows. */
async function importsOf(entry: string) {
  const result = await build({ entryPoints: [entry], bundle: true, write: false, platform: 'node', format: 'esm', metafile: true, external: ['electron'], logLevel: 'silent' });
  const inputs = result.metafile.inputs;
  const electronUsers = Object.entries(inputs)
    .filter(([, input]) => input.imports.some((imported) => imported.path === 'electron'))
    .map(([file]) => file);
  return { files: Object.keys(inputs), electronUsers };
}

test('the CLI and the core never load electron or the main-process code', async () => {
  const { files, electronUsers } = await importsOf('electron/cli/main.ts');
  assert.deepEqual(electronUsers, []);
  assert.ok(!files.some((file) => file.startsWith('electron/main/') || file.startsWith('electron/preload/')));
  assert.ok(files.includes('electron/core/create-core.ts'));
});

test('only the main process and the preload import electron at run time', async () => {
  const main = await importsOf('electron/main/main.ts');
  assert.ok(main.electronUsers.includes('electron/main/main.ts'));
  assert.deepEqual(main.electronUsers.filter((file) => !file.startsWith('electron/main/')), []);
  const preload = await importsOf('electron/preload/preload.ts');
  assert.deepEqual(preload.electronUsers, ['electron/preload/preload.ts']);
  assert.ok(!preload.files.some((file) => file.startsWith('electron/core/')), 'the preload carries no core code');
  // Names only: the zod contract stays in main, and a sandboxed preload may require nothing but electron.
  assert.deepEqual(preload.files.filter((file) => file.includes('node_modules/')), [], 'the preload bundles no packages');
  assert.ok(!preload.files.includes('electron/shared/ipc-contract.ts'), 'the preload carries no schemas');
});

test('the built preload requires nothing but electron (a sandboxed preload can load little else)', { skip: !existsSync('dist/electron/preload.cjs') && 'run npm run build first' }, () => {
  const text = readFileSync('dist/electron/preload.cjs', 'utf8');
  const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The real launcher in a small checkout of its own: a "bundle" and a "source" that only say which
 * they are, and the list of sources the bundle was built from.
 */
async function checkout() {
  const root = await makeTempDir();
  await mkdir(path.join(root, 'bin'));
  await mkdir(path.join(root, 'dist', 'cli'), { recursive: true });
  await mkdir(path.join(root, 'electron', 'cli'), { recursive: true });
  await copyFile(path.resolve('bin', 'scan-station.mjs'), path.join(root, 'bin', 'scan-station.mjs'));
  await symlink(path.resolve('node_modules'), path.join(root, 'node_modules'));
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(path.join(root, 'dist', 'cli', 'scan-station.cjs'), "process.stdout.write('bundle');\n");
  await writeFile(path.join(root, 'electron', 'cli', 'main.ts'), "const runs: string = 'source';\nprocess.stdout.write(runs);\n");
  await writeFile(path.join(root, 'electron', 'cli', 'run-cli.ts'), 'export const x = 1;\n');
  const recordSources = async () => {
    const info = await stat(path.join(root, 'electron', 'cli', 'run-cli.ts'));
    await writeFile(path.join(root, 'dist', 'cli', 'sources.json'), JSON.stringify({ version: 1, files: [['electron/cli/run-cli.ts', info.size, info.mtimeMs]] }));
  };
  await recordSources();
  const run = (env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [path.join(root, 'bin', 'scan-station.mjs')], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
  return { root, run, recordSources };
}

test('the bin runs the bundle only while it is current; an edited source, a missing list or a request runs the source', async () => {
  const { root, run, recordSources } = await checkout();
  assert.equal(run(), 'bundle');
  assert.equal(run({ SCAN_STATION_FROM_SOURCE: '1' }), 'source');
  // An edit (same size, new time) makes the bundle stale until the next build records the sources again.
  const file = path.join(root, 'electron', 'cli', 'run-cli.ts');
  await utimes(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(run(), 'source');
  await recordSources();
  assert.equal(run(), 'bundle');
  await writeFile(file, 'export const x = 22;\n');
  assert.equal(run(), 'source', 'a changed size');
  await recordSources();
  await rm(path.join(root, 'dist', 'cli', 'sources.json'));
  assert.equal(run(), 'source', 'no record of what the bundle was built from');
  await rm(path.join(root, 'dist'), { recursive: true });
  assert.equal(run(), 'source', 'no bundle');
});

test('a packaged copy without sources runs its bundle', async () => {
  const { root, run } = await checkout();
  await rm(path.join(root, 'electron'), { recursive: true });
  assert.equal(run(), 'bundle');
});

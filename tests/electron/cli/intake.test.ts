import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeStack } from '../../fixtures/stacks.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const cliEntry = path.resolve('dist', 'cli', 'scan-station.cjs');

test('intake --watch takes a stack in, moves a file that keeps failing to refused/ instead of retrying it forever, and stops on SIGTERM', async () => {
  const watch = await makeTempDir();
  const dataDir = await makeTempDir();
  const stack = await writeStack([{ kind: 'cover', code: 'FY-2026-000601' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
  await rename(stack, path.join(watch, 'good.pdf'));
  // Ends like a finished PDF (so it is not waited on as still being written) but is not one.
  await writeFile(path.join(watch, 'broken.pdf'), '%PDF-1.7 this is not really a PDF\n%%EOF\n');
  await writeFile(path.join(watch, '~scanning.tmp'), 'the scanner is still writing this');
  const child = spawn(process.execPath, [cliEntry, 'intake', '--watch', watch, '--settle-ms', '100', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  // The source moves to imported/ once it stayed unchanged for the settle time after it was read.
  const moved = () => readdir(path.join(watch, 'imported')).then((names) => names.includes('good.pdf'), () => false);
  while (!(/moved to the refused folder/.test(output) && /Took in/.test(output) && (await moved()))) {
    assert.ok(Date.now() < deadline, output);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.deepEqual((await readdir(watch)).sort(), ['imported', 'refused', '~scanning.tmp']);
  assert.deepEqual(await readdir(path.join(watch, 'imported')), ['good.pdf']);
  assert.deepEqual(await readdir(path.join(watch, 'refused')), ['broken.pdf']);
  assert.equal((await readdir(path.join(dataDir, 'spool', 'stacks'))).length, 1);
});

test('intake --watch says so when every look at the folder fails (and keeps watching), recovers by itself, and uses imported-2 when a file is called imported', async () => {
  const watch = await makeTempDir();
  const dataDir = await makeTempDir();
  // A plain file where the station keeps its claims: every look fails the same way.
  await writeFile(path.join(watch, '.scan-station'), 'in the way');
  await writeFile(path.join(watch, 'imported'), 'a clerk’s file');
  const stack = await writeStack([{ kind: 'cover', code: 'FY-2026-000602' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
  await rename(stack, path.join(watch, 'good.pdf'));
  const child = spawn(process.execPath, [cliEntry, 'intake', '--watch', watch, '--settle-ms', '100', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const waitFor = async (pattern: RegExp) => {
    const deadline = Date.now() + 30_000;
    while (!pattern.test(output)) {
      assert.ok(Date.now() < deadline, output);
      assert.equal(child.exitCode, null, `the watch ended: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await waitFor(/keeps failing/);
  assert.doesNotMatch(output, /Took in/);
  await rm(path.join(watch, '.scan-station'));
  await waitFor(/Took in/);
  assert.match(output, /Watching .* again/);
  for (const deadline = Date.now() + 30_000; !(await readdir(path.join(watch, 'imported-2')).then((names) => names.length > 0, () => false)); ) {
    assert.ok(Date.now() < deadline, output);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match(output, /uses imported-2 instead/);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.deepEqual(await readdir(path.join(watch, 'imported-2')), ['good.pdf']);
});

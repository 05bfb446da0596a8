import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../electron/cli/run-cli.js';
import { loopingPageTreePdf } from '../../fixtures/hostile.js';
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
  while (!(/moved to the refused folder/.test(output) && /Took in/.test(output))) {
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

test('intake FILE…: a PDF whose page tree loops is refused with its reason and the next file is still taken in', async () => {
  const dir = await makeTempDir();
  const dataDir = await makeTempDir();
  const loop = path.join(dir, 'loop.pdf');
  await writeFile(loop, loopingPageTreePdf());
  const good = await writeStack([{ kind: 'cover', code: 'FY-2026-000611' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
  let stdout = '';
  let stderr = '';
  const code = await runCli(['intake', loop, good, '--data-dir', dataDir], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  assert.equal(code, 2, stdout + stderr);
  assert.match(stderr, /The PDF loop\.pdf is damaged and cannot be opened: a page has no size or no pixels/);
  assert.match(stdout, /Took in/);
  assert.equal((await readdir(path.join(dataDir, 'spool', 'stacks'))).length, 1);
});

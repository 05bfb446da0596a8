import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { loopingPageTreePdf } from '../../../fixtures/hostile.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

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

test('intake --watch refuses the data folder, a folder inside it and a link to it (exit 2, with the reason), and moves nothing', async () => {
  const dataDir = await makeTempDir();
  await writeFile(path.join(dataDir, 'endpoint.json'), '{}');
  await writeFile(path.join(dataDir, 'secrets.key'), 'key');
  const link = path.join(await makeTempDir(), 'scans');
  await symlink(dataDir, link);
  for (const folder of [dataDir, `${dataDir}/`, path.join(dataDir, 'spool'), link]) {
    const child = spawn(process.execPath, [cliEntry, 'intake', '--watch', folder, '--settle-ms', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 2, `${folder}: ${output}`);
    assert.match(output, /cannot be watched: it is the station’s own data folder/, folder);
  }
  assert.deepEqual((await readdir(dataDir)).sort(), ['endpoint.json', 'secrets.key']);
});

test('intake shows file names with line breaks and bidi controls escaped, as split does (they cannot forge or reorder output lines)', async () => {
  const dir = await makeTempDir();
  const dataDir = await makeTempDir();
  const good = path.join(dir, 'good\r\nTook in forged.pdf: 9 pages\u202efdp.pdf');
  await rename(await writeStack([{ kind: 'cover', code: 'FY-2026-000611' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100), good);
  const broken = path.join(dir, 'broken\nline\u202e.pdf');
  await writeFile(broken, '%PDF-1.7 this is not really a PDF\n%%EOF\n');
  const child = spawn(process.execPath, [cliEntry, 'intake', good, broken, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2, output);
  assert.ok(!/[\r\u202e]/.test(output), JSON.stringify(output));
  assert.ok(!output.split('\n').some((line) => line.startsWith('Took in forged')), JSON.stringify(output));
  assert.match(output, /^Took in .*good\\u\{d\}\\u\{a\}Took in forged\.pdf: 9 pages\\u\{202e\}/m);
  assert.match(output, /broken\\u\{a\}line\\u\{202e\}\.pdf/);
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

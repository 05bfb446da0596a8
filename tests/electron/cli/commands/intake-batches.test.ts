import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { StackRecord } from '../../../../electron/core/spool/spool.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const cliEntry = path.resolve('dist', 'cli', 'scan-station.cjs');

/** Runs the built CLI to its end; its exit code and what it printed. */
async function runScanStation(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliEntry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

async function readStacks(dataDir: string): Promise<StackRecord[]> {
  const dir = path.join(dataDir, 'spool', 'stacks');
  return Promise.all((await readdir(dir)).sort().map(async (id) => JSON.parse(await readFile(path.join(dir, id, 'stack.json'), 'utf8')) as StackRecord));
}

test('intake of several page images is one stack in natural name order; a PDF in the same call stays its own; a folder is one stack', async () => {
  const dataDir = await makeTempDir();
  const dir = await makeTempDir();
  const names = ['scan_10.jpg', 'scan_2.jpg', 'scan_1.jpg'];
  const kinds = { 'scan_1.jpg': { kind: 'cover', code: 'FY-2026-000701' }, 'scan_2.jpg': { kind: 'content' }, 'scan_10.jpg': { kind: 'cover', code: 'FY-2026-000702' } } as const;
  for (const [n, name] of names.entries()) await writeFile(path.join(dir, name), await encodeJpeg(renderStackPage(kinds[name as keyof typeof kinds], 100, n + 1), 100));
  const pdf = await writeStack([{ kind: 'cover', code: 'FY-2026-000703' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
  const result = await runScanStation(['intake', ...names.map((name) => path.join(dir, name)), pdf, '--json', '--data-dir', dataDir]);
  assert.equal(result.code, 0, result.stderr);
  const stacks = await readStacks(dataDir);
  assert.equal(stacks.length, 2);
  const batch = stacks.find((stack) => stack.batch) as StackRecord;
  assert.deepEqual(batch.batch?.sources.map((source) => source.name), ['scan_1.jpg', 'scan_2.jpg', 'scan_10.jpg']);
  assert.deepEqual(batch.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-000701', [1, 2]], ['FY-2026-000702', [3]]]);
  assert.equal(batch.source.name, 'scan_1.jpg … scan_10.jpg');
  assert.deepEqual(stacks.find((stack) => !stack.batch)?.bills.map((bill) => bill.code), ['FY-2026-000703']);
  // The sources of a call are never moved.
  assert.deepEqual((await readdir(dir)).sort(), ['scan_1.jpg', 'scan_10.jpg', 'scan_2.jpg']);
  // A folder (the fixture's folder of JPEGs named page1 … page12) is one stack, named after it.
  const folder = await writeStack([{ kind: 'cover', code: 'FY-2026-000704' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000705' }, { kind: 'content' }], await makeTempDir(), 'jpeg-folder', 100);
  // (A fresh spool: a page identical to one taken in above would be known, and only skipped.)
  const folderData = await makeTempDir();
  const fromFolder = await runScanStation(['intake', folder, '--data-dir', folderData]);
  assert.equal(fromFolder.code, 0, fromFolder.stderr);
  const made = (await readStacks(folderData)).find((stack) => stack.source.name === path.basename(folder));
  assert.deepEqual(made?.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-000704', [1, 2, 3, 4, 5, 6, 7, 8, 9]], ['FY-2026-000705', [10, 11]]], 'page10 after page9 (natural order)');
});

test('intake --close-batch with no open batch says so; with one and no watch running, the request is recorded and closes it at the next watch', async () => {
  const dataDir = await makeTempDir();
  const none = await runScanStation(['intake', '--close-batch', '--data-dir', dataDir]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /No batch of page files is open/);
  const watch = await makeTempDir();
  await writeFile(path.join(dataDir, 'scan-desk.json'), `${JSON.stringify({ batchGapSeconds: 600 })}\n`);
  await writeFile(path.join(watch, 'p_1.jpg'), await encodeJpeg(renderStackPage({ kind: 'cover', code: 'FY-2026-000801' }, 100, 1), 100));
  const child = spawn(process.execPath, [cliEntry, 'intake', '--watch', watch, '--settle-ms', '100', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!/joined the open batch/.test(output)) {
    assert.ok(Date.now() < deadline, output);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  assert.equal(((await once(child, 'exit')) as [number | null])[0], 0);
  // No watch runs now: the request is kept in the batch's folder.
  const asked = await runScanStation(['intake', '--close-batch', '--data-dir', dataDir]);
  assert.match(asked.stdout, /Asked to close the batch .* \(1 pages\)/);
  assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'stacks')).catch(() => []), []);
  // The next watch closes it at its first look.
  const again = spawn(process.execPath, [cliEntry, 'intake', '--watch', watch, '--settle-ms', '100', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
  let said = '';
  again.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
  while (!/Took in/.test(said)) {
    assert.ok(Date.now() < deadline + 30_000, said);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  again.kill('SIGTERM');
  await once(again, 'exit');
  const stacks = await readStacks(dataDir);
  assert.deepEqual(stacks.map((stack) => stack.bills.map((bill) => bill.code)), [['FY-2026-000801']]);
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { StackRecord } from '../../../../electron/core/spool/stack-record.js';
import { seededRandom } from '../../../fixtures/cover-raster.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// An open batch of page files (a scanner writing one JPEG per page) killed with SIGKILL by pid at
// random moments while pages arrive, restarted each time; then closed with `intake --close-batch`
// from another process. Every page must be in exactly one stack, in order, byte for byte, none twice.
const kills = Number(process.env['SCAN_STATION_BATCH_KILLS'] ?? 16);
const cliEntry = path.resolve('dist', 'cli', 'scan-station.cjs');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test(`an open batch survives ${kills} SIGKILLs of intake --watch: closed on request, every page once, in order, byte for byte, sources moved`, { timeout: Math.max(240_000, kills * 5000) }, async (t) => {
  const random = seededRandom(20261206);
  const watch = await makeTempDir();
  const dataDir = await makeTempDir();
  // The quiet gap is long: only the clerk's request closes this batch.
  await writeFile(path.join(dataDir, 'scan-desk.json'), `${JSON.stringify({ batchGapSeconds: 600 })}\n`);
  const kinds: StackPage[] = [];
  for (let bill = 0; bill < 4; bill += 1) kinds.push({ kind: 'cover', code: `FY-BATCH-${String(bill).padStart(3, '0')}` }, { kind: 'content' }, ...(bill % 2 === 0 ? [{ kind: 'content' } as const] : []));
  const pages = await Promise.all(kinds.map(async (kind, index) => ({ name: `scan_${String(index + 1).padStart(4, '0')}.jpg`, bytes: await encodeJpeg(renderStackPage(kind, 100, index + 1), 100) })));

  let copied = 0;
  const copyNext = async () => {
    const next = pages[copied];
    if (!next) return;
    copied += 1;
    // Some pages are renamed into place, some written in place (a kill may find one half-written).
    if (copied % 2 === 0) {
      await writeFile(path.join(watch, `~${next.name}.part`), next.bytes);
      await rename(path.join(watch, `~${next.name}.part`), path.join(watch, next.name));
    } else await writeFile(path.join(watch, next.name), next.bytes);
  };
  // A failed assertion must not leave a watch running: the test run would wait on it for ever.
  const children = new Set<ChildProcess>();
  t.after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const start = (announce = false): ChildProcess => track(spawn(process.execPath, [cliEntry, 'intake', '--watch', watch, '--settle-ms', '150', ...(announce ? [] : ['--json']), '--data-dir', dataDir], { stdio: ['ignore', announce ? 'pipe' : 'ignore', 'ignore'] }));
  function track(child: ChildProcess): ChildProcess {
    children.add(child);
    return child;
  }
  for (let round = 0; round < kills; round += 1) {
    // Killed while it works: once it watches, a page arrives, and the kill comes 0–1.6 s later
    // (the page settles, is read, committed to the batch, its source moved — or the batch closes).
    const running = start(true);
    await once(running.stdout as NodeJS.ReadableStream, 'data');
    if (round % Math.max(1, Math.floor(kills / pages.length)) === 0) await copyNext();
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 1600)));
    running.kill('SIGKILL');
    await once(running, 'exit');
  }
  while (copied < pages.length) await copyNext();

  const last = start(true);
  await once(last.stdout as NodeJS.ReadableStream, 'data');
  const deadline = Date.now() + 120_000;
  for (;;) {
    // Every page file taken (none left in the folder or in this station's claims).
    const left = (await readdir(watch, { withFileTypes: true, recursive: true })).filter((entry) => entry.isFile() && path.basename(entry.parentPath) !== 'imported');
    if (left.length === 0) break;
    assert.ok(Date.now() < deadline, `still waiting for ${left.map((entry) => entry.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal((await readdir(path.join(dataDir, 'spool', 'stacks')).catch(() => [])).length, 0, 'no stack while the batch is open');
  // "Batch complete", from another process: the running watch closes the batch.
  const closer = spawn(process.execPath, [cliEntry, 'intake', '--close-batch', '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  let said = '';
  closer.stdout?.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const [closerCode] = (await once(closer, 'exit')) as [number | null];
  assert.equal(closerCode, 0);
  const answer = JSON.parse(said) as { batches: Array<{ pages: number; closed: boolean }> };
  assert.deepEqual(answer.batches.map((batch) => [batch.pages, batch.closed]), [[pages.length, true]]);
  last.kill('SIGTERM');
  const [code] = (await once(last, 'exit')) as [number | null];
  assert.equal(code, 0);

  const stacksDir = path.join(dataDir, 'spool', 'stacks');
  const stacks = await Promise.all((await readdir(stacksDir)).map(async (id) => JSON.parse(await readFile(path.join(stacksDir, id, 'stack.json'), 'utf8')) as StackRecord));
  assert.equal(stacks.length, 1, 'one stack for the batch');
  const stack = stacks[0] as StackRecord;
  const stored = await Promise.all(stack.pages.map(async (page) => sha(await readFile(path.join(stacksDir, stack.id, page.file)))));
  assert.deepEqual(stored, pages.map((page) => sha(page.bytes)), 'every page once, in order, byte for byte');
  assert.deepEqual(stack.batch?.sources.map((source) => source.name), pages.map((page) => page.name));
  assert.deepEqual(stack.bills.map((bill) => bill.code), ['FY-BATCH-000', 'FY-BATCH-001', 'FY-BATCH-002', 'FY-BATCH-003']);
  // Each source moved to imported/ once, intact.
  const imported = (await readdir(path.join(watch, 'imported'))).sort();
  assert.deepEqual(imported, pages.map((page) => page.name));
  for (const page of pages) assert.equal(sha(await readFile(path.join(watch, 'imported', page.name))), sha(page.bytes));
  assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'tmp')), [], 'no half-written stack left behind');
  assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'batches')), [], 'the batch folder is gone');
});

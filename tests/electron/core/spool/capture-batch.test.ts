import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// A scan's batch in the spool: pages committed as received, never deduplicated, kept across a restart
// (they cannot be scanned again), read by the same readers as any file when it closes.
const capture = { device: { id: 'http://scanner.test/eSCL', name: 'Test scanner' }, settings: { source: 'duplex' as const, dpi: 200, color: 'gray' as const }, jobId: 'job-1', state: 'scanning' as const };

async function openSpool(dir: string) {
  const spool = createSpool({ dir, log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  return spool;
}

test('a scan batch keeps identical pages, survives a restart with pages received but not read, and closes into one stack read like any', async () => {
  const dir = await makeTempDir();
  const cover = new Uint8Array(await encodeJpeg(renderStackPage({ kind: 'cover', code: 'FY-SPOOL-0001' }, 100, 1), 100));
  const blank = new Uint8Array(await encodeJpeg(renderStackPage({ kind: 'blank' }, 100, 2), 100));
  const content = new Uint8Array(await encodeJpeg(renderStackPage({ kind: 'content' }, 100, 3), 100));
  const first = await openSpool(dir);
  const batch = await first.batches.openBatch({ folder: null, pattern: 'capture', label: 'Test scanner', capture });
  await first.batches.addCapturedPage(batch.id, { bytes: cover, mime: 'image/jpeg' });
  await first.batches.addCapturedPage(batch.id, { bytes: blank, mime: 'image/jpeg' });
  // The same blank back again: a second sheet, not a copy to drop.
  await first.batches.addCapturedPage(batch.id, { bytes: blank, mime: 'image/jpeg' });
  // Received (committed) but not read when the process died.
  await first.batches.receiveCapturedPage(batch.id, { bytes: content, mime: 'image/jpeg' });
  // An empty scan batch of a process that is gone has nothing to keep.
  const empty = await first.batches.openBatch({ folder: null, pattern: 'capture', label: 'Test scanner', capture: { ...capture, pid: 2 ** 22 + 7 } });

  // A file equal to a scanned page is a file of its own, not "already taken in".
  const watch = await makeTempDir();
  await writeFile(path.join(watch, 'scan_0001.jpg'), blank);
  const folderBatch = await first.batches.openBatch({ folder: watch, pattern: 'scan_#' });
  const added = await first.batches.addToBatch(folderBatch.id, path.join(watch, 'scan_0001.jpg'), { name: 'scan_0001.jpg', number: 1 });
  assert.equal(added.status, 'added');
  await first.batches.dropBatch(folderBatch.id);

  const second = await openSpool(dir);
  const open = await second.batches.listBatches();
  assert.deepEqual(open.map((summary) => [summary.id, summary.pages, summary.capture?.device.name]), [[batch.id, 4, 'Test scanner']]);
  assert.ok(!open.some((summary) => summary.id === empty.id));
  const stack = await second.batches.closeBatch(batch.id);
  assert.ok(stack);
  assert.equal(stack.pages.length, 4);
  assert.deepEqual(stack.bills.map((bill) => [bill.code, bill.pages]), [['FY-SPOOL-0001', [1, 4]]]);
  assert.deepEqual(stack.blank, [2, 3]);
  assert.deepEqual(await readdir(path.join(dir, 'batches')), []);
});

test('a page no reader can read (a truncated JPEG from the device) is kept as a damaged page: the scan goes on, its bill is held', async () => {
  const dir = await makeTempDir();
  const spool = await openSpool(dir);
  const cover = new Uint8Array(await encodeJpeg(renderStackPage({ kind: 'cover', code: 'FY-SPOOL-0002' }, 100, 1), 100));
  const content = new Uint8Array(await encodeJpeg(renderStackPage({ kind: 'content' }, 100, 3), 100));
  const batch = await spool.batches.openBatch({ folder: null, pattern: 'capture', label: 'Test scanner', capture });
  await spool.batches.addCapturedPage(batch.id, { bytes: cover, mime: 'image/jpeg' });
  const { source } = await spool.batches.addCapturedPage(batch.id, { bytes: content.subarray(0, 600), mime: 'image/jpeg' });
  assert.equal(source.pages[0]?.what.kind, 'damaged');
  assert.ok(source.unreadable);
  await spool.batches.addCapturedPage(batch.id, { bytes: content, mime: 'image/jpeg' });
  const stack = await spool.batches.closeBatch(batch.id);
  assert.equal(stack?.pages.length, 3);
  assert.equal(stack?.pages[1]?.kind, 'damaged');
  assert.equal(stack?.bills[0]?.held, 'damaged-pages');
});

test('a scanned page far over the file limit is refused before a byte is written: the batch as it was', async () => {
  const dir = await makeTempDir();
  const spool = createSpool({ dir, log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules, limits: { maxBytes: 4096, maxPages: 100, maxPixels: 10_000_000 } });
  await spool.recover();
  const batch = await spool.batches.openBatch({ folder: null, pattern: 'capture', label: 'Test scanner', capture });
  const huge = new Uint8Array(64 * 1024).fill(0xff);
  await assert.rejects(spool.batches.receiveCapturedPage(batch.id, { bytes: huge, mime: 'image/jpeg' }), (error: unknown) => (error as { code?: string }).code === 'file-too-large');
  assert.equal((await spool.batches.readBatch(batch.id))?.sources.length, 0);
  assert.deepEqual(await readdir(path.join(dir, 'batches', batch.id, 'raw')).catch(() => []), []);
});

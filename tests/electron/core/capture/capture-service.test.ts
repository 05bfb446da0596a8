import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { CaptureState } from '../../../../electron/core/capture/capture-service.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import type { ScannerDevice } from '../../../../electron/core/scanner/scanner-driver.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, type StackPage } from '../../../fixtures/stacks.js';
import { makeCoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { createMemoryScanner, type MemoryScannerOptions } from './memory-scanner.js';

// The capture's job logic against a scanner in memory (the real eSCL scanner is in capture-escl.test.ts).
const device: ScannerDevice = { id: 'http://memory.test/eSCL', kind: 'escl', name: 'Memory Scanner', origin: 'typed' };
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const kinds: StackPage[] = [{ kind: 'cover', code: 'FY-CAP-0001' }, { kind: 'blank' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-CAP-0002' }, { kind: 'blank' }, { kind: 'content' }];
let rendered: Promise<Uint8Array[]> | null = null;
// The blank backs are one image three times over: identical sheets are real and each is kept.
const pagesOnce = () => (rendered ??= Promise.all(kinds.map(async (kind, index) => new Uint8Array(await encodeJpeg(renderStackPage(kind, 100, kind.kind === 'blank' ? 99 : index + 1), 100)))));

async function openStation(options: Omit<MemoryScannerOptions, 'pages'> & { dataDir?: string } = {}) {
  const pages = await pagesOnce();
  const scanner = createMemoryScanner(device, { pages, ...options });
  const harness = await makeCoreHarness({ dataDir: options.dataDir ?? (await makeTempDir()), scannerDrivers: scanner.drivers });
  const states: CaptureState[] = [];
  harness.core.capture.onChanged((state) => states.push(state));
  await harness.core.capture.saveSettings({ device: device.id, source: 'duplex', dpi: 200, color: 'gray' });
  return { ...harness, scanner, pages, states };
}

test('a job takes every page into one stack as it comes, identical blank backs each kept, the split as any stack', async () => {
  const station = await openStation();
  try {
    const started = await station.core.capture.start();
    assert.equal(started.job?.phase, 'scanning');
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'done');
    assert.equal(end.job?.pages, 7);
    assert.deepEqual(end.job?.bills, [{ code: 'FY-CAP-0001', pages: 2 }, { code: 'FY-CAP-0002', pages: 2 }]);
    assert.ok(end.job?.recent.every((page) => page.thumbPng.startsWith('data:image/png;base64,') && page.thumbPng.length > 40));
    const stack = await station.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.ok(stack);
    assert.equal(stack.pages.length, 7);
    // Byte for byte, in the order scanned, none deduplicated.
    for (const [index, page] of stack.pages.entries()) assert.equal(sha(await readFile(path.join(station.dataDir, 'spool', 'stacks', stack.id, page.file))), sha(station.pages[index] as Uint8Array));
    assert.deepEqual(stack.bills.map((bill) => [bill.code, bill.pages]), [['FY-CAP-0001', [1, 3]], ['FY-CAP-0002', [5, 7]]]);
    assert.deepEqual(stack.blank, [2, 4, 6]);
    assert.deepEqual(await readdir(path.join(station.dataDir, 'spool', 'batches')), []);
    assert.equal(station.scanner.jobs[0]?.closed, 1);
    assert.deepEqual(end.interrupted, []);
    // The screens heard the pages (a burst is one push) and the end.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(station.states.at(-1)?.job?.phase, 'done');
    assert.ok(station.states.some((state) => state.job?.phase === 'scanning'));
    assert.ok(station.states.some((state) => (state.job?.pages ?? 0) > 0));
    // The desk's overview shows the new stack.
    assert.equal((await station.core.scanDesk.overview())[0]?.id, stack.id);
  } finally {
    await station.core.close();
  }
});

test('an empty feeder is a clear refusal: no job, no batch', async () => {
  const station = await openStation({ refuse: 'scanner-feeder-empty' });
  try {
    await assert.rejects(station.core.capture.start(), (error: unknown) => error instanceof CoreError && error.code === 'scanner-feeder-empty');
    const state = await station.core.capture.readState();
    assert.equal(state.job?.phase, 'failed');
    assert.equal(state.job?.batchId, null);
    assert.equal(state.scanner?.status.condition, 'feeder-empty');
    assert.deepEqual(await readdir(path.join(station.dataDir, 'spool', 'batches')).catch(() => []), []);
    assert.deepEqual((await station.core.scanDesk.spool.listStacks()).length, 0);
  } finally {
    await station.core.close();
  }
});

test('a jam mid-job keeps the pages as an interrupted scan, across a restart; continued into, it becomes one stack', async () => {
  const dataDir = await makeTempDir();
  const first = await openStation({ jamAfter: 3, dataDir });
  let batchId = '';
  try {
    await first.core.capture.start();
    const end = await first.core.capture.idle();
    assert.equal(end.job?.phase, 'failed');
    assert.equal(end.job?.error?.code, 'scanner-jammed');
    assert.equal(end.interrupted.length, 1);
    assert.equal(end.interrupted[0]?.pages, 3);
    batchId = end.interrupted[0]?.batchId ?? '';
    assert.equal(first.scanner.jobs[0]?.closed, 1);
  } finally {
    await first.core.close();
  }
  // A new station on the same data folder (the spool recovered): the scan is still held.
  const second = await openStation({ dataDir });
  try {
    // The new scanner starts its feeder at page 4, as the clerk put the rest of the stack back in.
    const memory = await openMemoryRest(second, 3);
    const state = await second.core.capture.readState();
    assert.deepEqual(state.interrupted.map((scan) => [scan.batchId, scan.pages]), [[batchId, 3]]);
    await assert.rejects(second.core.capture.release('nope'), (error: unknown) => error instanceof CoreError && error.code === 'scan-not-interrupted');
    await second.core.capture.start({ into: batchId });
    const end = await second.core.capture.idle();
    assert.equal(end.job?.phase, 'done');
    assert.equal(end.job?.pages, 7);
    const stack = await second.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.equal(stack?.pages.length, 7);
    for (const [index, page] of (stack?.pages ?? []).entries()) assert.equal(sha(await readFile(path.join(dataDir, 'spool', 'stacks', stack?.id ?? '', page.file))), sha(memory[index] as Uint8Array));
    assert.deepEqual(end.interrupted, []);
  } finally {
    await second.core.close();
  }
});

/** Moves the memory scanner's feeder past the pages already scanned (the rest of the stack put back in). */
async function openMemoryRest(station: Awaited<ReturnType<typeof openStation>>, skip: number): Promise<Uint8Array[]> {
  for (let n = 0; n < skip; n += 1) {
    const job = await station.scanner.driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, new AbortController().signal);
    await job.nextPage(new AbortController().signal);
    await job.close();
  }
  return station.pages;
}

test('an interrupted scan released becomes a stack with what came', async () => {
  const station = await openStation({ jamAfter: 2 });
  try {
    await station.core.capture.start();
    const end = await station.core.capture.idle();
    const batchId = end.interrupted[0]?.batchId ?? '';
    const { stackId } = await station.core.capture.release(batchId);
    const stack = await station.core.scanDesk.spool.findStack(stackId ?? '');
    assert.equal(stack?.pages.length, 2);
    assert.deepEqual((await station.core.capture.readState()).interrupted, []);
    await assert.rejects(station.core.capture.release(batchId), (error: unknown) => error instanceof CoreError && error.code === 'scan-not-interrupted');
  } finally {
    await station.core.close();
  }
});

test('cancel ends the job on the device and keeps the pages received as the stack; one job at a time', async () => {
  const station = await openStation({ delayMs: 150 });
  try {
    await station.core.capture.start();
    await assert.rejects(station.core.capture.start(), (error: unknown) => error instanceof CoreError && error.code === 'scan-already-running');
    while (((await station.core.capture.readState()).job?.pages ?? 0) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    await station.core.capture.cancel();
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'cancelled');
    const stack = await station.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.equal(stack?.pages.length, end.job?.pages);
    assert.ok((end.job?.pages ?? 0) >= 2 && (end.job?.pages ?? 0) < 7);
    assert.equal(station.scanner.jobs[0]?.closed, 1);
    assert.deepEqual(await readdir(path.join(station.dataDir, 'spool', 'batches')), []);
  } finally {
    await station.core.close();
  }
});

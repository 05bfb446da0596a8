import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createEsclDriver } from '../../../../electron/core/scanner/escl-client.js';
import { startReferenceScanner } from '../../../../electron/core/scanner/escl-server.js';
import type { ScannedPage, ScanSettings } from '../../../../electron/core/scanner/scanner-driver.js';
import type { StackRecord } from '../../../../electron/core/spool/stack-record.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, type StackPage } from '../../../fixtures/stacks.js';
import { makeCoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// Capture against the real reference eSCL scanner with the real eSCL client: what a scan makes must be
// exactly what the same pages make when dropped on the desk as one stack.
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const duplex: ScanSettings = { source: 'duplex', dpi: 200, color: 'gray' };

/** A duplex stack's sides: covers, their content, blank backs (each its own sheet: the desk's drop would take identical files once). */
const kinds: StackPage[] = [
  { kind: 'cover', code: 'FY-ESCL-0001' }, { kind: 'blank' }, { kind: 'content' }, { kind: 'content' },
  { kind: 'cover', code: 'FY-ESCL-0002' }, { kind: 'blank' }, { kind: 'content' }, { kind: 'blank' },
  { kind: 'invoice' }, { kind: 'content' }, { kind: 'cover', code: 'FY-ESCL-0003' }, { kind: 'blank' },
];

/** Writes the stack's sides as page images into a folder (what the reference scanner's feeder holds). */
async function writeFeeder(pages: StackPage[], seedOffset = 0): Promise<string> {
  const dir = path.join(await makeTempDir(), 'feeder');
  await mkdir(dir);
  await Promise.all(pages.map(async (kind, index) => writeFile(path.join(dir, `side-${String(index + 1 + seedOffset).padStart(3, '0')}.jpg`), await encodeJpeg(renderStackPage(kind, 150, index + 1 + seedOffset), 150))));
  return dir;
}

/** What the device sends for a job, pulled by a plain client loop (nothing stored). */
async function pullAll(url: string, settings: ScanSettings): Promise<ScannedPage[]> {
  const driver = createEsclDriver({ device: { id: url, kind: 'escl', name: 'reference', origin: 'typed' }, log: createMemoryLogger() });
  const signal = new AbortController().signal;
  const job = await driver.startJob(settings, signal);
  const pages: ScannedPage[] = [];
  try {
    for (let page = await job.nextPage(signal); page; page = await job.nextPage(signal)) pages.push(page);
  } finally {
    await job.close();
  }
  return pages;
}

/** A stack's bills as codes, page counts and their pages' SHA-256s, and its blank and orphan pages' SHA-256s. */
function billsOf(stack: StackRecord) {
  const shaOf = (page: number) => stack.pages.find((stored) => stored.page === page)?.sha256;
  return { bills: stack.bills.map((bill) => ({ code: bill.code, held: bill.held, pages: bill.pages.length, sha256: bill.pages.map(shaOf) })), blank: stack.blank.map(shaOf), orphans: stack.orphans.map(shaOf) };
}

async function openStation(scannerUrl: string) {
  const harness = await makeCoreHarness();
  await harness.core.capture.saveSettings({ device: scannerUrl, ...duplex });
  return harness;
}

test('a duplex feeder job through the real eSCL client becomes the stack the same pages make dropped on the desk: same bills, same pages byte for byte', { timeout: 120_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(kinds) });
  const station = await openStation(scanner.url);
  const dropped = await makeCoreHarness();
  try {
    const view = await station.core.capture.addDevice(scanner.url);
    assert.ok(view.capabilities?.sources.includes('duplex'));
    assert.equal(view.status?.condition, 'ready');
    await station.core.capture.start();
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'done', JSON.stringify(end.job?.error));
    assert.equal(end.job?.pages, kinds.length);
    const stack = await station.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.ok(stack);
    // Every page as the device sent it, in order: a plain client loop of the same job reads the same bytes.
    const sent = await pullAll(scanner.url, duplex);
    assert.equal(sent.length, kinds.length);
    for (const [index, page] of stack.pages.entries()) assert.equal(sha(await readFile(path.join(station.dataDir, 'spool', 'stacks', stack.id, page.file))), sha((sent[index] as ScannedPage).bytes));
    // The same pages dropped on the desk as one stack (the existing intake) split exactly alike.
    const outcome = await dropped.core.scanDesk.importPages(sent.map((page, index) => ({ name: `scan_${String(index + 1).padStart(4, '0')}.jpg`, bytes: page.bytes })));
    assert.equal(outcome.status, 'ingested');
    if (outcome.status !== 'ingested') return;
    assert.deepEqual(billsOf(stack), billsOf(outcome.stack));
    assert.deepEqual(stack.bills.map((bill) => bill.code), ['FY-ESCL-0001', 'FY-ESCL-0002', 'FY-ESCL-0003']);
    assert.deepEqual(end.job?.bills, [{ code: 'FY-ESCL-0001', pages: 3 }, { code: 'FY-ESCL-0002', pages: 4 }, { code: 'FY-ESCL-0003', pages: 1 }]);
    assert.deepEqual(scanner.jobs().map((job) => job.state), ['Completed', 'Completed']);
  } finally {
    await Promise.all([station.core.close(), dropped.core.close()]);
    await scanner.close();
  }
});

test('an empty feeder: a clear refusal, no job on the device, no batch', { timeout: 60_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(kinds.slice(0, 2)), adfEmpty: true });
  const station = await openStation(scanner.url);
  try {
    await assert.rejects(station.core.capture.start(), (error: unknown) => error instanceof CoreError && error.code === 'scanner-feeder-empty');
    assert.equal((await station.core.capture.readState()).scanner?.status.condition, 'feeder-empty');
    assert.deepEqual(scanner.jobs(), []);
    assert.deepEqual(await readdir(path.join(station.dataDir, 'spool', 'batches')).catch(() => []), []);
  } finally {
    await station.core.close();
    await scanner.close();
  }
});

test('503s from the device are waited out: every page in, once', { timeout: 120_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(kinds.slice(0, 5)), unavailableEvery: 2 });
  const station = await openStation(scanner.url);
  try {
    await station.core.capture.start();
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'done', JSON.stringify(end.job?.error));
    const stack = await station.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.equal(stack?.pages.length, 5);
    assert.ok((scanner.jobs()[0]?.nextDocumentRequests ?? 0) > 6);
  } finally {
    await station.core.close();
    await scanner.close();
  }
});

test('a jam mid-job keeps the pages as an interrupted scan; the clerk clears it, puts the rest back and continues into it; or releases it', { timeout: 120_000 }, async () => {
  const feeder = await writeFeeder(kinds);
  const jamming = await startReferenceScanner({ port: 0, pages: feeder, jamAfter: 4 });
  const station = await openStation(jamming.url);
  try {
    await station.core.capture.start();
    const jammed = await station.core.capture.idle();
    assert.equal(jammed.job?.phase, 'failed');
    assert.equal(jammed.job?.error?.code, 'scanner-jammed');
    assert.deepEqual(jammed.interrupted.map((scan) => scan.pages), [4]);
    // The job was ended on the device (DELETE), which clears the jam.
    assert.equal(jamming.jobs()[0]?.deleted, true);
    const batchId = jammed.interrupted[0]?.batchId ?? '';
    const port = new URL(jamming.url).port;
    await jamming.close();
    // The rest of the stack (sides 5…) back in the same scanner.
    const restDir = await writeFeeder(kinds.slice(4), 4);
    const rest = await startReferenceScanner({ port: Number(port), pages: restDir });
    try {
      await station.core.capture.start({ into: batchId });
      const end = await station.core.capture.idle();
      assert.equal(end.job?.phase, 'done', JSON.stringify(end.job?.error));
      assert.equal(end.job?.pages, kinds.length);
      const stack = await station.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
      assert.deepEqual(stack?.bills.map((bill) => bill.code), ['FY-ESCL-0001', 'FY-ESCL-0002', 'FY-ESCL-0003']);
      assert.equal(stack?.batch?.id, batchId);
      assert.deepEqual(end.interrupted, []);
    } finally {
      await rest.close();
    }
  } finally {
    await station.core.close();
  }
});

test('a jam released: the pages that came become a stack', { timeout: 120_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(kinds.slice(0, 6)), jamAfter: 2 });
  const station = await openStation(scanner.url);
  try {
    await station.core.capture.start();
    const jammed = await station.core.capture.idle();
    const { stackId } = await station.core.capture.release(jammed.interrupted[0]?.batchId ?? '');
    assert.equal((await station.core.scanDesk.spool.findStack(stackId ?? ''))?.pages.length, 2);
  } finally {
    await station.core.close();
    await scanner.close();
  }
});

test('cancel mid-job: the job deleted on the device, the pages received kept as the stack', { timeout: 120_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(kinds), slowMs: 150 });
  const station = await openStation(scanner.url);
  try {
    await station.core.capture.start();
    while (((await station.core.capture.readState()).job?.pages ?? 0) < 2) await new Promise((resolve) => setTimeout(resolve, 25));
    await station.core.capture.cancel();
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'cancelled');
    const stack = await station.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.equal(stack?.pages.length, end.job?.pages);
    assert.ok((end.job?.pages ?? 0) < kinds.length);
    assert.equal(scanner.jobs()[0]?.deleted, true);
  } finally {
    await station.core.close();
    await scanner.close();
  }
});

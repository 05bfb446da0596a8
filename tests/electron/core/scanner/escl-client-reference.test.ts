import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { decodeJpegLuma } from '../../../../electron/core/document/jpeg-turbo.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createEsclDriver } from '../../../../electron/core/scanner/escl-client.js';
import { startReferenceScanner, type ReferenceScannerOptions } from '../../../../electron/core/scanner/escl-server.js';
import type { ScanJob, ScannedPage } from '../../../../electron/core/scanner/scanner-driver.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// A duplex stack as the feeder yields it: front, back, front, back… (covers and blank backs).
const stack: StackPage[] = [{ kind: 'cover', code: 'BX2026000101' }, { kind: 'blank' }, { kind: 'invoice' }, { kind: 'blank' }, { kind: 'cover', code: 'BX2026000102' }, { kind: 'blank' }];
let pagesDir = '';
const never = () => new AbortController().signal;

before(async () => {
  pagesDir = await writeStack(stack, await makeTempDir(), 'jpeg-folder', 200);
});

/** Runs `body` against a reference scanner started with these options, and stops it after. */
async function withScanner(options: Partial<ReferenceScannerOptions>, body: (scanner: Awaited<ReturnType<typeof startReferenceScanner>>, driver: ReturnType<typeof createEsclDriver>) => Promise<void>): Promise<void> {
  const scanner = await startReferenceScanner({ port: 0, pages: pagesDir, ...options });
  try {
    const driver = createEsclDriver({ device: { id: scanner.url, kind: 'escl', name: 'Reference', origin: 'typed' }, log: createMemoryLogger(), retryPauseMs: 20, timeoutMs: 5000 });
    await body(scanner, driver);
  } finally {
    await scanner.close();
  }
}

async function drain(job: ScanJob): Promise<ScannedPage[]> {
  const pages: ScannedPage[] = [];
  for (let page = await job.nextPage(never()); page; page = await job.nextPage(never())) pages.push(page);
  return pages;
}

/** A JPEG's size from its frame header. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] as number;
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: ((bytes[at + 5] as number) << 8) | (bytes[at + 6] as number), width: ((bytes[at + 7] as number) << 8) | (bytes[at + 8] as number) };
    }
    at += 2 + length;
  }
  return null;
}

const isCode = (code: string) => (error: unknown) => error instanceof CoreError && error.code === code;

test('the reference scanner: capabilities and status as the client reads them', async () => {
  await withScanner({}, async (_scanner, driver) => {
    const caps = await driver.readCapabilities(never());
    assert.deepEqual(caps.sources, ['adf', 'duplex', 'flatbed']);
    assert.ok(caps.resolutions.includes(200) && caps.resolutions.includes(300));
    assert.deepEqual(caps.colors, ['gray', 'color']);
    assert.ok(caps.formats.includes('image/jpeg'));
    assert.equal((await driver.readStatus(never())).condition, 'ready');
  });
});

test('a duplex feeder job of a generated stack: every side in order as a 200-dpi JPEG, the job completed and deleted', async () => {
  await withScanner({ unavailableEvery: 3 }, async (scanner, driver) => {
    const job = await driver.startJob({ source: 'duplex', dpi: 200, color: 'gray' }, never());
    assert.equal((await driver.readStatus(never())).condition, 'busy', 'the job shows in the status');
    const pages = await drain(job);
    await job.close();
    assert.equal(pages.length, stack.length);
    for (const page of pages) {
      assert.equal(page.mime, 'image/jpeg');
      const size = jpegSize(page.bytes);
      assert.ok(size && Math.abs(size.width - 1654) < 20, JSON.stringify(size));
    }
    // In order: every front has ink (a QR), every back is blank paper.
    const inked = await Promise.all(pages.map(async (page) => {
      const image = await decodeJpegLuma(page.bytes);
      return image ? image.data.filter((luma) => luma < 100).length / image.data.length : -1;
    }));
    assert.deepEqual(inked.map((share) => share > 0.005), stack.map((page) => page.kind !== 'blank'), inked.join(' '));
    const [served] = scanner.jobs();
    assert.equal(served?.settings.source, 'Feeder');
    assert.equal(served?.imagesCompleted, stack.length);
    assert.ok((served?.nextDocumentRequests ?? 0) > stack.length + 1, 'the 503s were waited out');
    assert.equal(served?.deleted, true);
    assert.equal((await driver.readStatus(never())).condition, 'ready');
  });
});

test('an empty feeder is refused before any job; a jam mid-job keeps the pages before it; slow pages are waited for', async () => {
  await withScanner({ adfEmpty: true }, async (scanner, driver) => {
    assert.equal((await driver.readStatus(never())).condition, 'feeder-empty');
    await assert.rejects(driver.startJob({ source: 'duplex', dpi: 200, color: 'gray' }, never()), isCode('scanner-feeder-empty'));
    assert.equal(scanner.jobs().length, 0);
  });
  await withScanner({ jamAfter: 2 }, async (_scanner, driver) => {
    const job = await driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never());
    assert.ok(await job.nextPage(never()));
    assert.ok(await job.nextPage(never()));
    await assert.rejects(job.nextPage(never()), isCode('scanner-jammed'));
    await job.close();
    assert.equal((await driver.readStatus(never())).condition, 'ready', 'deleting the jammed job clears the jam on the reference scanner');
  });
  await withScanner({ slowMs: 150 }, async (scanner, driver) => {
    const job = await driver.startJob({ source: 'adf', dpi: 200, color: 'color' }, never());
    assert.equal((await drain(job)).length, stack.length);
    await job.close();
    assert.equal(scanner.jobs()[0]?.settings.colorMode, 'RGB24');
  });
});

test('cancel: close() after the first page cancels the job on the scanner, and the next job can start', async () => {
  await withScanner({}, async (scanner, driver) => {
    const job = await driver.startJob({ source: 'duplex', dpi: 300, color: 'gray' }, never());
    assert.ok(await job.nextPage(never()));
    await job.close();
    assert.equal(await job.nextPage(never()), null);
    assert.deepEqual([scanner.jobs()[0]?.state, scanner.jobs()[0]?.deleted, scanner.jobs()[0]?.imagesCompleted], ['Canceled', true, 1]);
    const second = await driver.startJob({ source: 'flatbed', dpi: 300, color: 'gray' }, never());
    assert.equal((await drain(second)).length, 1);
    await second.close();
  });
});

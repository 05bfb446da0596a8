// Upload adapters: pages per second into the reference imaging server (http, loopback) and into a
// folder, against what a production scanner produces (60–150 pages a minute, NOTES.md).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFolderAdapter } from '../electron/core/imaging/folder-adapter.js';
import { createHttpAdapter } from '../electron/core/imaging/http-adapter.js';
import type { ImagingAdapter } from '../electron/core/imaging/imaging-adapter.js';
import { startReferenceImagingServer } from '../electron/core/imaging/reference-server.js';

/** A 200-dpi gray A4 JPEG page is typically 150–300 KB; 200 KB of incompressible bytes stands in. */
const pageBytes = 200 * 1024;
const bills = 20;
const pagesPerBill = 10;

async function sendAll(adapter: ImagingAdapter): Promise<{ pagesPerSecond: number; mbPerSecond: number }> {
  const pages = Array.from({ length: bills * pagesPerBill }, (_, index) => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(pageBytes - 4)]);
    return { imageCode: `FY-BENCH-${String(Math.floor(index / pagesPerBill)).padStart(4, '0')}`, page: (index % pagesPerBill) + 1, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), idempotencyKey: randomUUID() };
  });
  const started = performance.now();
  // One bill at a time, its pages in order: what the upload queue will do.
  for (const page of pages) await adapter.uploadPage(page);
  for (let bill = 0; bill < bills; bill += 1) await adapter.closeBill(`FY-BENCH-${String(bill).padStart(4, '0')}`, pagesPerBill);
  const seconds = (performance.now() - started) / 1000;
  return { pagesPerSecond: pages.length / seconds, mbPerSecond: (pages.length * pageBytes) / 1024 / 1024 / seconds };
}

/** Prints the upload section of `npm run bench`. */
export async function runUploadBench(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-upload-bench-'));
  try {
    const server = await startReferenceImagingServer({ dataDir: path.join(dir, 'server'), clients: { bench: 'bench-secret' } });
    const http = await sendAll(createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'bench' }, clientSecret: 'bench-secret', env: {} }));
    await server.close();
    const folder = await sendAll(createFolderAdapter({ folder: path.join(dir, 'share') }));
    const scannerPeak = 150 / 60;
    console.log(`\nUpload adapters (${bills} bills × ${pagesPerBill} pages of ${pageBytes / 1024} KB, sequential, fsync on every file)`);
    for (const [name, figure] of [['http → reference server (loopback)', http], ['folder (local disk)', folder]] as const) {
      console.log(`  ${name.padEnd(40)} ${figure.pagesPerSecond.toFixed(0).padStart(8)} pages/s   ${figure.mbPerSecond.toFixed(1)} MB/s, ${(figure.pagesPerSecond / scannerPeak).toFixed(0)}x a 150-page/min scanner`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

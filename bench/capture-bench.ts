// Direct capture (issue 25): a feeder job from the reference eSCL scanner (slow-ms 0: the device
// as fast as it can serve) into the spool through the capture service, next to the device's own pace
// read by a plain eSCL client loop that stores nothing. The station's share is the difference per
// page: each page read, classified, written and fsync'd, batch.json committed, before the next is asked
// (target < 50 ms a page over the device's pace).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../electron/core/create-core.js';
import { createMemoryLogger } from '../electron/core/log/logger.js';
import { createEsclDriver } from '../electron/core/scanner/escl-client.js';
import { startReferenceScanner } from '../electron/core/scanner/escl-server.js';
import type { ScanSettings } from '../electron/core/scanner/scanner-driver.js';
import { encodeJpeg } from '../tests/fixtures/encode.js';
import { renderStackPage, type StackPage } from '../tests/fixtures/stacks.js';

const pages = 40;
const settings: ScanSettings = { source: 'duplex', dpi: 200, color: 'gray' };

/** Pulls one whole job from the device and drops the pages: the device's own pace (ms a page). */
async function timeDevice(url: string): Promise<number> {
  const driver = createEsclDriver({ device: { id: url, kind: 'escl', name: 'reference', origin: 'typed' }, log: createMemoryLogger() });
  const signal = new AbortController().signal;
  const started = performance.now();
  const job = await driver.startJob(settings, signal);
  let count = 0;
  for (let page = await job.nextPage(signal); page; page = await job.nextPage(signal)) count += 1;
  await job.close();
  return (performance.now() - started) / count;
}

/** One capture job into a fresh station's spool: ms a page, start to stack. */
async function timeStation(url: string): Promise<number> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-capture-bench-'));
  const core = await createCore({ dataDir, appVersion: 'bench', log: createMemoryLogger() });
  try {
    await core.capture.saveSettings({ device: url, ...settings });
    // The spool opened first (a desk's app has done so long before the clerk presses Scan).
    await core.scanDesk.prepare();
    const started = performance.now();
    await core.capture.start();
    const end = await core.capture.idle();
    if (end.job?.phase !== 'done' || end.job.pages !== pages) throw new Error(`capture bench: the job ended ${end.job?.phase} with ${end.job?.pages} pages`);
    return (performance.now() - started) / pages;
  } finally {
    await core.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs the capture section and prints its rows. */
export async function runCaptureBench(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-capture-feeder-'));
  const feeder = path.join(dir, 'feeder');
  await mkdir(feeder);
  // A duplex stack of 10 bills: a cover, its back, content sides (200 dpi gray, as a desk scans).
  const kinds: StackPage[] = Array.from({ length: pages }, (_, index) => (index % 4 === 0 ? { kind: 'cover', code: `FY-BENCH-${String(index / 4).padStart(4, '0')}` } : index % 4 === 1 ? { kind: 'blank' } : { kind: 'content' }));
  await Promise.all(kinds.map(async (kind, index) => writeFile(path.join(feeder, `side-${String(index + 1).padStart(3, '0')}.jpg`), await encodeJpeg(renderStackPage(kind, 200, index + 1), 200))));
  const scanner = await startReferenceScanner({ port: 0, pages: feeder, slowMs: 0 });
  try {
    await timeDevice(scanner.url);
    const device = Math.min(await timeDevice(scanner.url), await timeDevice(scanner.url));
    const first = await timeStation(scanner.url);
    const station = Math.min(await timeStation(scanner.url), await timeStation(scanner.url));
    const added = station - device;
    console.log('\nDirect capture: a 40-side duplex feeder job from the reference eSCL scanner (slow-ms 0, 200 dpi gray) into the spool');
    console.log(`  ${'the device alone (plain client loop)'.padEnd(40)} ${(1000 / device).toFixed(1).padStart(8)} /s   ${device.toFixed(1)} ms a page, nothing stored`);
    console.log(`  ${'through the capture into the spool'.padEnd(40)} ${(1000 / station).toFixed(1).padStart(8)} /s   ${station.toFixed(1)} ms a page (best of two; the first job ${first.toFixed(1)} ms with the page readers starting)`);
    console.log(`  ${'what the station adds'.padEnd(40)} ${''.padStart(8)}      ${added.toFixed(1)} ms a page (target < 50 ms): read, classified, fsync'd and committed before the next is asked`);
  } finally {
    await scanner.close();
    await rm(dir, { recursive: true, force: true });
  }
}

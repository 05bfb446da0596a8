import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fsp } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import type { CaptureState } from '../../../../electron/core/capture/capture-service.js';
import type { ScannerDevice } from '../../../../electron/core/scanner/scanner-driver.js';
import type { BatchRecord } from '../../../../electron/core/spool/batch-store.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, type StackPage } from '../../../fixtures/stacks.js';
import { makeCoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { createMemoryScanner, type MemoryScannerOptions } from './memory-scanner.js';

// Attacks on the capture's promise: one job = one stack, each page in the spool before the next is
// asked for, a crash loses nothing and doubles nothing, a partial stack held until continued or released.
const device: ScannerDevice = { id: 'http://memory.test/eSCL', kind: 'escl', name: 'Memory Scanner', origin: 'typed' };
const kinds: StackPage[] = [{ kind: 'cover', code: 'FY-ATK-0001' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-ATK-0002' }, { kind: 'content' }, { kind: 'content' }];
let rendered: Promise<Uint8Array[]> | null = null;
const pagesOnce = () => (rendered ??= Promise.all(kinds.map(async (kind, index) => new Uint8Array(await encodeJpeg(renderStackPage(kind, 100, index + 1), 100)))));

async function openStation(options: Omit<MemoryScannerOptions, 'pages'> & { dataDir?: string } = {}) {
  const pages = await pagesOnce();
  const scanner = createMemoryScanner(device, { pages, ...options });
  const dataDir = options.dataDir ?? (await makeTempDir());
  const harness = await makeCoreHarness({ dataDir, scannerDrivers: scanner.drivers });
  const states: CaptureState[] = [];
  harness.core.capture.onChanged((state) => states.push(state));
  await harness.core.capture.saveSettings({ device: device.id, source: 'duplex', dpi: 200, color: 'gray' });
  return { ...harness, dataDir, scanner, pages, states };
}
const batchesDir = (dataDir: string) => path.join(dataDir, 'spool', 'batches');
const readRecord = async (dataDir: string, id: string) => JSON.parse(await readFile(path.join(batchesDir(dataDir), id, 'batch.json'), 'utf8')) as BatchRecord;
const waitFor = async (check: () => Promise<boolean> | boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** An interrupted scan of `pages` pages (a jam), its station closed; its batch id. */
async function interruptedScan(dataDir: string, pages: number): Promise<string> {
  const station = await openStation({ jamAfter: pages, dataDir });
  try {
    await station.core.capture.start();
    const end = await station.core.capture.idle();
    assert.equal(end.job?.error?.code, 'scanner-jammed');
    return end.interrupted[0]?.batchId ?? '';
  } finally {
    await station.core.close();
  }
}

/** A process that lives until killed (another station's pid). */
async function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const exited = once(child, 'exit');
  return {
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

test('after a job ends (done or cancelled) the scanner is read again at once and the change pushed: never left "busy"', async () => {
  const station = await openStation({ delayMs: 30 });
  try {
    await station.core.capture.start();
    assert.equal((await station.core.capture.readState()).scanner?.status.condition, 'busy');
    await station.core.capture.idle();
    // The memory scanner's feeder is empty after the job: the device says so, and the desk hears it without asking.
    await waitFor(() => station.states.at(-1)?.scanner?.status.condition === 'feeder-empty');
    assert.equal((await station.core.capture.readState()).scanner?.status.condition, 'feeder-empty');
  } finally {
    await station.core.close();
  }
});

test('the job\'s address is in the batch while it scans; a job a crash left on the device is ended at the next start, then forgotten', async () => {
  const station = await openStation({ delayMs: 80 });
  let batchId = '';
  try {
    await station.core.capture.start();
    await waitFor(async () => ((await station.core.capture.readState()).job?.pages ?? 0) >= 1);
    batchId = (await station.core.capture.readState()).job?.batchId ?? '';
    assert.equal((await readRecord(station.dataDir, batchId)).capture?.jobUri, station.scanner.jobs[0]?.uri);
    await station.core.capture.cancel();
    await station.core.capture.idle();
  } finally {
    await station.core.close();
  }
  // A crash mid-job: a scan left "scanning" with its job's address, by a process that is gone.
  const dataDir = await makeTempDir();
  const id = await interruptedScan(dataDir, 2);
  const gone = await otherProcess();
  await gone.stop();
  const record = await readRecord(dataDir, id);
  await writeFile(path.join(batchesDir(dataDir), id, 'batch.json'), JSON.stringify({ ...record, capture: { ...record.capture, state: 'scanning', pid: gone.pid, jobUri: '/eSCL/ScanJobs/left-1' } }));
  const next = await openStation({ dataDir });
  try {
    const state = await next.core.capture.readState();
    assert.deepEqual(state.interrupted.map((scan) => scan.batchId), [id]);
    await waitFor(async () => !(await readRecord(dataDir, id)).capture?.jobUri);
    assert.deepEqual(next.scanner.ended, ['/eSCL/ScanJobs/left-1']);
    // Continued, the new job's address is recorded in its place.
    await next.core.capture.start({ into: id });
    await next.core.capture.idle();
  } finally {
    await next.core.close();
  }
});

test('a scan another process holds (the app and a CLI on one batch) is refused scan-already-running, continue and release alike, never interleaved', async () => {
  const dataDir = await makeTempDir();
  const id = await interruptedScan(dataDir, 2);
  const other = await otherProcess();
  // The other process took the batch's lock (scanning into it, or releasing it).
  await writeFile(path.join(batchesDir(dataDir), id, 'capture.lock'), `${other.pid}\n`);
  const station = await openStation({ dataDir });
  try {
    assert.deepEqual((await station.core.capture.readState()).interrupted, []);
    await assert.rejects(station.core.capture.start({ into: id }), (error: unknown) => error instanceof CoreError && error.code === 'scan-already-running');
    await assert.rejects(station.core.capture.release(id), (error: unknown) => error instanceof CoreError && error.code === 'scan-already-running');
    assert.equal((await readRecord(dataDir, id)).sources.length, 2);
    // That process is gone (killed): its lock is stale, the scan is interrupted again and can be continued.
    await other.stop();
    assert.deepEqual((await station.core.capture.readState()).interrupted.map((scan) => scan.batchId), [id]);
    await station.core.capture.start({ into: id });
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'done');
  } finally {
    await other.stop().catch(() => undefined);
    await station.core.close();
  }
});

test('a crash after the stack\'s rename, before the batch folder went: never a second stack, in the running app or after a restart', async () => {
  const dataDir = await makeTempDir();
  const id = await interruptedScan(dataDir, 3);
  const saved = path.join(await makeTempDir(), 'batch');
  await cp(path.join(batchesDir(dataDir), id), saved, { recursive: true });
  const station = await openStation({ dataDir });
  try {
    const { stackId } = await station.core.capture.release(id);
    // What the crash leaves: the batch folder as it was, with the close's note of its stack.
    await cp(saved, path.join(batchesDir(dataDir), id), { recursive: true });
    await writeFile(path.join(batchesDir(dataDir), id, 'closing.json'), JSON.stringify({ stack: stackId }));
    await fsp.rm(path.join(batchesDir(dataDir), id, 'capture.lock'), { force: true });
    assert.deepEqual((await station.core.capture.readState()).interrupted, []);
    await assert.rejects(station.core.capture.release(id), (error: unknown) => error instanceof CoreError && error.code === 'scan-not-interrupted');
    assert.equal((await station.core.scanDesk.spool.listStacks()).length, 1);
  } finally {
    await station.core.close();
  }
  const next = await openStation({ dataDir });
  try {
    assert.deepEqual((await next.core.capture.readState()).interrupted, []);
    assert.equal((await next.core.scanDesk.spool.listStacks()).length, 1);
    assert.deepEqual(await readdir(batchesDir(dataDir)), []);
  } finally {
    await next.core.close();
  }
});

test('a full disk mid-scan: the scan stops interrupted with scan-disk-full (said as a scan, not a file), nothing half-written; continued once there is room, every page once', async () => {
  const dataDir = await makeTempDir();
  const station = await openStation({ dataDir, delayMs: 10 });
  const realOpen = fsp.open;
  let full = false;
  // The disk fills while the third page is written: half of it lands, then ENOSPC.
  fsp.open = (async (...args: Parameters<typeof realOpen>) => {
    const handle = await realOpen(...args);
    if (full && String(args[0]).includes(`${path.sep}raw${path.sep}`) && String(args[1]).includes('w')) {
      const write = handle.writeFile.bind(handle);
      handle.writeFile = (async (data: Uint8Array) => {
        await write(data.subarray(0, Math.floor(data.length / 2)));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }) as typeof handle.writeFile;
    }
    return handle;
  }) as typeof realOpen;
  let batchId = '';
  try {
    await station.core.capture.start();
    await waitFor(async () => ((await station.core.capture.readState()).job?.pages ?? 0) >= 2);
    full = true;
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'failed');
    assert.equal(end.job?.error?.code, 'scan-disk-full');
    batchId = end.interrupted[0]?.batchId ?? '';
    const record = await readRecord(dataDir, batchId);
    const pages = record.sources.length;
    assert.ok(pages >= 2);
    // Only the pages in the record are on disk: the page cut short is gone.
    const raw = await readdir(path.join(batchesDir(dataDir), batchId, 'raw')).catch(() => [] as string[]);
    const last = Math.max(...record.sources.map((source) => source.seq));
    assert.ok(raw.every((name) => Number.parseInt(name, 10) <= last), `${raw.join(',')} beyond page ${last}`);
    full = false;
    // The clerk made room and put back the sheets not taken (from page pages+1 on).
    const rest = await openStation({ dataDir });
    await rest.core.close();
  } finally {
    fsp.open = realOpen;
    await station.core.close();
  }
  const next = await openStation({ dataDir });
  try {
    const held = (await next.core.capture.readState()).interrupted.find((scan) => scan.batchId === batchId);
    assert.ok(held);
    for (let n = 0; n < held.pages; n += 1) {
      const job = await next.scanner.driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, new AbortController().signal);
      await job.nextPage(new AbortController().signal);
      await job.close();
    }
    await next.core.capture.start({ into: batchId });
    const end = await next.core.capture.idle();
    assert.equal(end.job?.phase, 'done');
    const stack = await next.core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.equal(stack?.pages.length, kinds.length);
  } finally {
    await next.core.close();
  }
});

test('a device faster than the page readers: at most 4 pages received and not read behind it', async () => {
  const dataDir = await makeTempDir();
  let batchId: string | null = null;
  let most = 0;
  const station = await openStation({
    dataDir,
    onPull: async () => {
      batchId ??= (await station.core.capture.readState()).job?.batchId ?? null;
      if (!batchId) return;
      const record = await readRecord(dataDir, batchId);
      most = Math.max(most, record.sources.filter((source) => source.raw).length);
    },
  });
  try {
    await station.core.capture.start();
    const end = await station.core.capture.idle();
    assert.equal(end.job?.phase, 'done');
    assert.ok(most <= 4, `${most} unread`);
  } finally {
    await station.core.close();
  }
});

test('cancel in every phase: while the device is checked (no job, no batch), before the first page (nothing), between pages (kept), while finishing (the stack whole)', async () => {
  const checking = await openStation({ startDelayMs: 2000 });
  try {
    const starting = checking.core.capture.start().then(() => null, (error: unknown) => error);
    await waitFor(async () => (await checking.core.capture.readState()).job?.phase === 'checking');
    await checking.core.capture.cancel();
    const refused = await starting;
    assert.ok(refused instanceof CoreError && refused.code === 'scan-cancelled', String(refused));
    const state = await checking.core.capture.idle();
    assert.equal(state.job?.phase, 'cancelled');
    assert.equal(checking.scanner.jobs.length, 0);
    assert.deepEqual(await readdir(batchesDir(checking.dataDir)).catch(() => []), []);
  } finally {
    await checking.core.close();
  }
  const first = await openStation({ delayMs: 2000 });
  try {
    await first.core.capture.start();
    await first.core.capture.cancel();
    const end = await first.core.capture.idle();
    assert.equal(end.job?.phase, 'cancelled');
    assert.equal(end.job?.stackId, null);
    assert.equal(first.scanner.jobs[0]?.closed, 1);
    assert.deepEqual(await readdir(batchesDir(first.dataDir)).catch(() => []), []);
  } finally {
    await first.core.close();
  }
  const finishing = await openStation();
  try {
    // Cancel pressed the moment the desk hears the job is finishing (closing into its stack).
    finishing.core.capture.onChanged((state) => {
      if (state.job?.phase === 'finishing') void finishing.core.capture.cancel();
    });
    await finishing.core.capture.start();
    const end = await finishing.core.capture.idle();
    assert.equal(end.job?.phase, 'done');
    assert.equal((await finishing.core.scanDesk.spool.findStack(end.job?.stackId ?? ''))?.pages.length, kinds.length);
  } finally {
    await finishing.core.close();
  }
});

test('continuing a scan whose scanner is gone: scanner-unreachable, the scan stays interrupted (and can be continued later)', async () => {
  const dataDir = await makeTempDir();
  const id = await interruptedScan(dataDir, 2);
  const station = await openStation({ dataDir, refuse: 'scanner-unreachable' });
  try {
    await assert.rejects(station.core.capture.start({ into: id }), (error: unknown) => error instanceof CoreError && error.code === 'scanner-unreachable');
    assert.deepEqual((await station.core.capture.readState()).interrupted.map((scan) => [scan.batchId, scan.pages]), [[id, 2]]);
    await assert.rejects(station.core.capture.start({ into: id }), (error: unknown) => error instanceof CoreError && error.code === 'scanner-unreachable');
    const { stackId } = await station.core.capture.release(id);
    assert.equal((await station.core.scanDesk.spool.findStack(stackId ?? ''))?.pages.length, 2);
  } finally {
    await station.core.close();
  }
});

test('a damaged batch.json: the scan\'s folder and pages are kept at the next start and said as damaged, never removed', async () => {
  const dataDir = await makeTempDir();
  const id = await interruptedScan(dataDir, 2);
  await writeFile(path.join(batchesDir(dataDir), id, 'batch.json'), '{"version":1,"id":');
  const station = await openStation({ dataDir });
  try {
    assert.deepEqual((await station.core.capture.readState()).interrupted, []);
    assert.deepEqual(await station.core.capture.describeBatch(id), { kind: 'damaged', file: path.join(batchesDir(dataDir), id, 'batch.json') });
    assert.equal((await station.core.capture.describeBatch('nope')).kind, 'missing');
    assert.ok((await readdir(path.join(batchesDir(dataDir), id, 'raw')).catch(() => [] as string[])).length + (await readdir(path.join(batchesDir(dataDir), id, 'pages')).catch(() => [] as string[])).length >= 2);
  } finally {
    await station.core.close();
  }
});

test('a damaged capture.json reads as the defaults and is kept beside the new one when the desk saves (nothing of it lost)', async () => {
  const dataDir = await makeTempDir();
  const damaged = '{"version":1,"devices":[{"id":"http://192.168.1.20/eSCL","kind":"escl","name":"Office MFP","origin":"typed"}],"settings":';
  await writeFile(path.join(dataDir, 'capture.json'), damaged);
  const station = await openStation({ dataDir });
  try {
    assert.equal((await station.core.capture.readSettings()).device, device.id);
    const aside = (await readdir(dataDir)).filter((name) => name.startsWith('capture.json.damaged-'));
    assert.equal(aside.length, 1);
    assert.equal(await readFile(path.join(dataDir, aside[0] as string), 'utf8'), damaged);
  } finally {
    await station.core.close();
  }
});

test('a kill after the job started, before its first page: the batch is there with the job\'s address; the next start ends that job and removes the empty batch', async () => {
  const dataDir = await makeTempDir();
  const station = await openStation({ dataDir, delayMs: 3000 });
  let batchId = '';
  try {
    await station.core.capture.start();
    await waitFor(async () => Boolean((batchId = (await station.core.capture.readState()).job?.batchId ?? '')));
    assert.equal((await readRecord(dataDir, batchId)).capture?.jobUri, station.scanner.jobs[0]?.uri);
    // What a kill leaves: the record as it is now, its process gone (the test's own cancel removes the batch, so it is put back).
    const record = await readRecord(dataDir, batchId);
    await station.core.capture.cancel();
    await station.core.capture.idle();
    const gone = await otherProcess();
    await gone.stop();
    await fsp.mkdir(path.join(batchesDir(dataDir), batchId), { recursive: true });
    await writeFile(path.join(batchesDir(dataDir), batchId, 'batch.json'), JSON.stringify({ ...record, capture: { ...record.capture, pid: gone.pid } }));
  } finally {
    await station.core.close();
  }
  const next = await openStation({ dataDir });
  try {
    assert.deepEqual((await next.core.capture.readState()).interrupted, []);
    await waitFor(async () => (await readdir(batchesDir(dataDir))).length === 0);
    assert.deepEqual(next.scanner.ended, [station.scanner.jobs[0]?.uri]);
  } finally {
    await next.core.close();
  }
});

test('after a reboot (a power cut mid-scan) the scan is interrupted even when another process now has the pid it recorded', async () => {
  const dataDir = await makeTempDir();
  const id = await interruptedScan(dataDir, 2);
  const stranger = await otherProcess();
  try {
    const record = await readRecord(dataDir, id);
    // Recorded in an earlier boot by a process whose number a stranger has now.
    await writeFile(path.join(batchesDir(dataDir), id, 'batch.json'), JSON.stringify({ ...record, capture: { ...record.capture, state: 'scanning', pid: stranger.pid, boot: 'an-earlier-boot' } }));
    await writeFile(path.join(batchesDir(dataDir), id, 'capture.lock'), `${stranger.pid} an-earlier-boot\n`);
    const station = await openStation({ dataDir });
    try {
      assert.deepEqual((await station.core.capture.readState()).interrupted.map((scan) => scan.batchId), [id]);
      const { stackId } = await station.core.capture.release(id);
      assert.equal((await station.core.scanDesk.spool.findStack(stackId ?? ''))?.pages.length, 2);
    } finally {
      await station.core.close();
    }
  } finally {
    await stranger.stop();
  }
});

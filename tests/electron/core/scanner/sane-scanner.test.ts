import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { listSaneDevices } from '../../../../electron/core/scanner/sane-devices.js';
import { createSaneDriver, type SaneDriverOptions } from '../../../../electron/core/scanner/sane-driver.js';
import type { ScanJob, ScannedPage, ScannerDevice } from '../../../../electron/core/scanner/scanner-driver.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// These run the real scanimage (Debian sane-utils) against SANE's `test` backend, a real backend
// that fakes a device: 10 pages from its feeder, then "out of documents"; errors on request.

const testDevice: ScannerDevice = { id: 'sane:test', kind: 'sane', name: 'SANE test', origin: 'sane' };
const never = new AbortController().signal;

/** A SANE configuration folder that lists the test backend (Debian's own dll.conf leaves it commented out). */
async function makeSaneConfig(devices = 2): Promise<string> {
  const dir = await makeTempDir('sane-config-');
  await writeFile(path.join(dir, 'dll.conf'), 'test\n');
  await writeFile(path.join(dir, 'test.conf'), `number_of_devices ${devices}\n`);
  return dir;
}

/** A driver for the test device writing into a fresh work folder. */
async function makeDriver(options: Partial<SaneDriverOptions> = {}) {
  const workDir = await makeTempDir('sane-work-');
  const log = createMemoryLogger();
  const driver = createSaneDriver({ device: testDevice, log, workDir, killGraceMs: 1000, ...options });
  return { driver, workDir, log };
}

/** The processes this test process started that still run (scanimage, or a stand-in and what it exec'd). */
function runningScanimages(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  // Other children (ps itself, tsx's esbuild) are not ours to count; a zombie has ended (Node reaps it a moment later).
  return out.split('\n').filter((line) => /\s(scanimage|fake-scanimage|sleep)$/.test(line) && !/\sZ/.test(line));
}

// A test that fails midway still ends its job, so the next test finds the device free.
const openJobs: ScanJob[] = [];
afterEach(async () => {
  await Promise.all(openJobs.splice(0).map((job) => job.close()));
});

/** The job, closed after the test whatever happens. */
function track(job: ScanJob): ScanJob {
  openJobs.push(job);
  return job;
}

async function drain(job: ScanJob): Promise<ScannedPage[]> {
  track(job);
  const pages: ScannedPage[] = [];
  try {
    for (let page = await job.nextPage(never); page; page = await job.nextPage(never)) pages.push(page);
  } finally {
    await job.close();
  }
  return pages;
}

async function rejection(work: Promise<unknown>): Promise<CoreError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof CoreError, `expected a CoreError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

const isJpeg = (page: ScannedPage) => page.mime === 'image/jpeg' && page.bytes[0] === 0xff && page.bytes[1] === 0xd8 && page.bytes.at(-2) === 0xff && page.bytes.at(-1) === 0xd9;

test('lists the test backend\'s devices from a SANE config folder; nothing without one, or without scanimage', async () => {
  const config = await makeSaneConfig(2);
  const devices = await listSaneDevices({ env: { ...process.env, SANE_CONFIG_DIR: config } });
  assert.deepEqual(devices, [
    { id: 'sane:test:0', kind: 'sane', name: 'Noname frontend-tester', origin: 'sane' },
    { id: 'sane:test:1', kind: 'sane', name: 'Noname frontend-tester', origin: 'sane' },
  ]);
  const empty = await makeTempDir('sane-config-');
  await writeFile(path.join(empty, 'dll.conf'), '');
  assert.deepEqual(await listSaneDevices({ env: { ...process.env, SANE_CONFIG_DIR: empty } }), []);
  assert.deepEqual(await listSaneDevices({ scanimage: path.join(empty, 'no-scanimage') }), []);
});

test('a listing that hangs is cut at its time bound and leaves no process', async () => {
  const dir = await makeTempDir('sane-fake-');
  const fake = path.join(dir, 'fake-scanimage');
  await writeFile(fake, '#!/bin/sh\nprintf "net:a\\037V\\037M\\037t\\036\\n"\nexec sleep 30\n');
  await chmod(fake, 0o755);
  const started = Date.now();
  const devices = await listSaneDevices({ scanimage: fake, timeoutMs: 500 });
  assert.ok(Date.now() - started < 5000);
  assert.deepEqual(devices.map((device) => device.id), ['sane:net:a']);
  assert.deepEqual(runningScanimages(), []);
});

test('the test device\'s capabilities: feeder and flatbed, gray and colour, 200 and 300 dpi from its range, JPEG', async () => {
  const { driver } = await makeDriver();
  const capabilities = await driver.readCapabilities(never);
  assert.deepEqual(capabilities.sources, ['adf', 'flatbed']);
  assert.deepEqual(capabilities.colors, ['gray', 'color']);
  assert.deepEqual(capabilities.resolutions, [200, 300]);
  assert.ok(capabilities.formats.includes('image/jpeg'));
  assert.deepEqual(await driver.readStatus(never), { condition: 'ready', detail: null });
});

test('a feeder job gives the 10 pages as JPEG, then null; the folder and the process are gone', async () => {
  const { driver, workDir } = await makeDriver();
  const job = track(await driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never));
  assert.equal((await driver.readStatus(never)).condition, 'busy');
  const pages = await drain(job);
  assert.equal(pages.length, 10);
  assert.ok(pages.every(isJpeg));
  assert.equal(await job.nextPage(never), null, 'a finished job stays finished');
  assert.deepEqual(await readdir(workDir), []);
  assert.deepEqual(runningScanimages(), []);
  assert.equal((await driver.readStatus(never)).condition, 'ready');
});

test('a flatbed job gives one page in colour', async () => {
  const { driver, workDir } = await makeDriver({ extraArgs: ['--test-picture', 'Color pattern'] });
  const pages = await drain(await driver.startJob({ source: 'flatbed', dpi: 300, color: 'color' }, never));
  assert.equal(pages.length, 1);
  assert.ok(isJpeg(pages[0]!));
  assert.deepEqual(await readdir(workDir), []);
});

test('settings the device does not offer are refused before scanning', async () => {
  const { driver, workDir } = await makeDriver();
  const duplex = await rejection(driver.startJob({ source: 'duplex', dpi: 200, color: 'gray' }, never));
  assert.deepEqual([duplex.code, duplex.params['setting'], duplex.params['value']], ['scanner-setting-unsupported', 'source', 'duplex']);
  const dpi = await rejection(driver.startJob({ source: 'adf', dpi: 250, color: 'gray' }, never));
  assert.deepEqual([dpi.code, dpi.params['setting']], ['scanner-setting-unsupported', 'dpi']);
  assert.deepEqual(await readdir(workDir), []);
  assert.equal((await driver.readStatus(never)).condition, 'ready');
});

test('an unknown device is not found', async () => {
  const { driver } = await makeDriver({ device: { id: 'sane:nosuch', kind: 'sane', name: 'Nosuch', origin: 'typed' } });
  const error = await rejection(driver.readCapabilities(never));
  assert.deepEqual([error.code, error.params['device']], ['scanner-not-found', 'Nosuch']);
  assert.equal((await rejection(driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never))).code, 'scanner-not-found');
  const notSane = createSaneDriver({ device: { id: 'http://host/eSCL', kind: 'escl', name: 'host', origin: 'typed' }, log: createMemoryLogger(), workDir: '/nonexistent' });
  assert.equal((await rejection(notSane.readStatus(never))).code, 'scanner-not-found');
});

for (const [status, code, reason] of [
  ['SANE_STATUS_JAMMED', 'scanner-jammed', undefined],
  ['SANE_STATUS_NO_DOCS', 'scanner-feeder-empty', undefined],
  ['SANE_STATUS_COVER_OPEN', 'scanner-door-open', undefined],
  ['SANE_STATUS_DEVICE_BUSY', 'scanner-busy', undefined],
  ['SANE_STATUS_IO_ERROR', 'scanner-failed', 'EIO'],
  ['SANE_STATUS_ACCESS_DENIED', 'scanner-failed', 'EACCES'],
] as const) {
  test(`the device's ${status} before the first page fails the start as ${code}${reason ? ` (${reason})` : ''}, and nothing is left behind`, async () => {
    const { driver, workDir } = await makeDriver({ extraArgs: ['--enable-test-options', '--read-return-value', status] });
    const error = await rejection(driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never));
    assert.equal(error.code, code);
    assert.equal(error.params['reason'], reason);
    assert.equal(error.params['device'], 'SANE test');
    assert.deepEqual(await readdir(workDir), []);
    assert.deepEqual(runningScanimages(), []);
    assert.equal((await driver.readStatus(never)).condition, 'ready');
  });
}

// The test backend pausing 200 ms between its writes: a colour page at 200 dpi takes about 4.5 s, so a
// cancel lands while a page is being scanned, not after the job ended.
const slowArgs = ['--read-limit=yes', '--read-limit-size', '1024', '--read-delay=yes', '--read-delay-duration', '200000'];
const slow = { source: 'adf', dpi: 200, color: 'color' } as const;

test('a cancel before the first page stops scanimage and removes its files', async () => {
  const { driver, workDir } = await makeDriver({ extraArgs: slowArgs });
  const stop = new AbortController();
  const starting = driver.startJob(slow, stop.signal);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(runningScanimages().length, 1, 'scanimage is scanning');
  assert.equal((await rejection(driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never))).code, 'scanner-busy', 'one job per device');
  stop.abort();
  const error = await rejection(starting);
  assert.deepEqual([error.code, error.params['pages']], ['scan-cancelled', 0]);
  assert.deepEqual(runningScanimages(), []);
  assert.deepEqual(await readdir(workDir), []);
  assert.equal((await driver.readStatus(never)).condition, 'ready');
});

test('a cancel while the next page is scanned stops scanimage; the pages taken stay counted', async () => {
  const { driver, workDir } = await makeDriver({ extraArgs: slowArgs });
  const job = track(await driver.startJob(slow, never));
  assert.ok(isJpeg((await job.nextPage(never))!));
  assert.equal(runningScanimages().length, 1, 'scanimage is on the second page');
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 200);
  const error = await rejection(job.nextPage(stop.signal));
  assert.deepEqual([error.code, error.params['pages']], ['scan-cancelled', 1]);
  assert.deepEqual(runningScanimages(), []);
  assert.deepEqual(await readdir(workDir), []);
  await job.close();
  assert.equal((await driver.readStatus(never)).condition, 'ready');
});

test('close() mid-job (the caller failed storing a page) stops scanimage too', async () => {
  const { driver, workDir } = await makeDriver({ extraArgs: slowArgs });
  const job = track(await driver.startJob(slow, never));
  assert.equal(runningScanimages().length, 1);
  await Promise.all([job.close(), job.close()]);
  assert.deepEqual(runningScanimages(), []);
  assert.deepEqual(await readdir(workDir), []);
  assert.equal(await job.nextPage(never), null);
});

/** A stand-in scanimage: the test device's options for -A, and a batch run by the given shell lines. */
async function makeFakeScanimage(batch: string): Promise<string> {
  const dir = await makeTempDir('sane-fake-');
  const fake = path.join(dir, 'fake-scanimage');
  const options = execFileSync('scanimage', ['-d', 'test', '-A', '--help'], { encoding: 'utf8' });
  await writeFile(path.join(dir, 'options.txt'), options);
  await writeFile(fake, [
    '#!/bin/sh',
    `case " $* " in *" -A "*) cat '${dir}/options.txt'; exit 0;; esac`,
    'for arg in "$@"; do case "$arg" in --batch=*) pattern="${arg#--batch=}";; esac; done',
    'page() { file=$(printf "$pattern" "$1"); printf "page %s" "$1" > "$file.part"; mv "$file.part" "$file"; echo "$file"; }',
    batch,
  ].join('\n'));
  await chmod(fake, 0o755);
  return fake;
}

const text = (page: ScannedPage) => Buffer.from(page.bytes).toString('utf8');

test('pages finished before a jam come first, in order, then the jam', async () => {
  const fake = await makeFakeScanimage('page 1; page 2; page 3\necho "scanimage: sane_read: Document feeder jammed" >&2\nexit 6');
  const { driver, workDir } = await makeDriver({ scanimage: fake });
  const job = track(await driver.startJob({ source: 'adf', dpi: 300, color: 'gray' }, never));
  const pages: string[] = [];
  const error = await rejection((async () => {
    for (;;) {
      const page = await job.nextPage(never);
      if (!page) return;
      pages.push(text(page));
    }
  })());
  assert.deepEqual(pages, ['page 1', 'page 2', 'page 3']);
  assert.equal(error.code, 'scanner-jammed');
  assert.deepEqual(await readdir(workDir), []);
});

test('"out of documents" after some pages is the normal end; a feeder with none gives nothing is empty', async () => {
  const ended = await makeFakeScanimage('page 1; page 2\necho "scanimage: sane_start: Document feeder out of documents" >&2\nexit 0');
  const { driver } = await makeDriver({ scanimage: ended });
  assert.deepEqual((await drain(await driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never))).map(text), ['page 1', 'page 2']);
  const empty = await makeFakeScanimage('echo "scanimage: sane_start: Document feeder out of documents" >&2\nexit 7');
  const second = await makeDriver({ scanimage: empty });
  assert.equal((await rejection(second.driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never))).code, 'scanner-feeder-empty');
  assert.deepEqual(await readdir(second.workDir), []);
});

test('a device that stalls is given up after the page timeout (mid-job or before the first page), its process killed', async () => {
  const fake = await makeFakeScanimage('page 1\nexec sleep 30');
  const { driver, workDir } = await makeDriver({ scanimage: fake, pageTimeoutMs: 600, killGraceMs: 200 });
  const job = track(await driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never));
  assert.equal(text((await job.nextPage(never))!), 'page 1');
  const error = await rejection(job.nextPage(never));
  assert.deepEqual([error.code, error.params['reason']], ['scanner-failed', 'ETIMEDOUT']);
  assert.deepEqual(runningScanimages(), []);
  assert.deepEqual(await readdir(workDir), []);
  const silent = await makeFakeScanimage('exec sleep 30');
  const never2 = await makeDriver({ scanimage: silent, pageTimeoutMs: 600, killGraceMs: 200 });
  const before = await rejection(never2.driver.startJob({ source: 'flatbed', dpi: 200, color: 'gray' }, never));
  assert.deepEqual([before.code, before.params['reason']], ['scanner-failed', 'ETIMEDOUT']);
  assert.deepEqual(runningScanimages(), []);
});

test('a page past the size bound is refused, the job stopped', async () => {
  const fake = await makeFakeScanimage('page 1; page 2');
  const { driver, workDir } = await makeDriver({ scanimage: fake, maxPageBytes: 3 });
  const job = track(await driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, never));
  assert.equal((await rejection(job.nextPage(never))).code, 'file-too-large');
  assert.deepEqual(runningScanimages(), []);
  assert.deepEqual(await readdir(workDir), []);
});

test('a station killed outright (SIGKILL) takes its scanimage with it on Linux: no sheets fed into a folder nobody reads', { skip: process.platform !== 'linux' }, async () => {
  const workDir = await makeTempDir('sane-orphan-');
  // A station of its own: starts a slow job and says scanimage's pid, then waits to be killed.
  const script = path.join(workDir, 'station.ts');
  const driverModule = path.resolve('electron/core/scanner/sane-driver.ts');
  const loggerModule = path.resolve('electron/core/log/logger.ts');
  await writeFile(script, `import { createSaneDriver } from ${JSON.stringify(driverModule)};
import { createMemoryLogger } from ${JSON.stringify(loggerModule)};
import { execFileSync } from 'node:child_process';
const driver = createSaneDriver({ device: { id: 'sane:test', kind: 'sane', name: 'SANE test', origin: 'sane' }, log: createMemoryLogger(), workDir: ${JSON.stringify(path.join(workDir, 'jobs'))}, extraArgs: ${JSON.stringify(slowArgs)} });
void driver.startJob({ source: 'adf', dpi: 200, color: 'color' }, new AbortController().signal).catch(() => undefined);
setTimeout(() => console.log(execFileSync('pgrep', ['-P', String(process.pid), 'scanimage'], { encoding: 'utf8' }).trim()), 800);
setInterval(() => undefined, 1000);
`);
  const { spawn } = await import('node:child_process');
  const station = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    station.stdout.on('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim().split('\n')[0])));
    station.once('exit', () => reject(new Error('the station ended before scanning')));
  });
  assert.ok(pid > 0, 'scanimage runs under the station');
  station.kill('SIGKILL');
  const alive = () => {
    try {
      process.kill(pid, 0);
      // A zombie (killed, not yet reaped by init) has ended: `ps -o stat=` prints its state alone (`Z`).
      return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
    } catch {
      return false;
    }
  };
  // At once, not after the page it is on (a slow colour page takes about 4.5 s here): without the
  // death signal scanimage would only die of a broken pipe when it next prints a page's name.
  const deadline = Date.now() + 1500;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(alive(), false, 'scanimage ended with its station');
});

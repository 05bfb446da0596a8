import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { backOff, createEsclDriver, readJobPath, type EsclDriverOptions } from '../../../../electron/core/scanner/escl-client.js';
import type { ScanSettings } from '../../../../electron/core/scanner/scanner-driver.js';
import { canonLikeCapabilities, epsonLikeCapabilities, brotherLikeCapabilities, statusXml } from '../../../fixtures/escl-documents.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** A stand-in JPEG: the driver never decodes pages, it checks their first bytes. */
const fakeJpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`page ${n} `.repeat(50)), Buffer.from([0xff, 0xd9])]);

interface Seen {
  method: string;
  url: string;
  host: string | undefined;
  body: string;
  at: number;
}

type Reply = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

/**
 * A scripted eSCL device: capabilities and status documents, and the answers to ScanJobs,
 * NextDocument and DELETE as functions of the call, every request recorded.
 */
interface FakeDevice {
  caps: string;
  status: () => string;
  post: Reply;
  next: Reply;
  remove: Reply;
}

function defaultDevice(): FakeDevice {
  return {
    caps: brotherLikeCapabilities(),
    status: () => statusXml('Idle', 'ScannerAdfLoaded'),
    post: (_req, res) => res.writeHead(201, { location: 'http://printer.internal:9999/eSCL/ScanJobs/job-1' }).end(),
    next: (_req, res) => res.writeHead(404).end(),
    remove: (_req, res) => res.writeHead(200).end(),
  };
}

async function startDevice(device: FakeDevice, tls?: { key: Buffer; cert: Buffer }): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', host: req.headers.host, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      seen.push(entry);
      if (req.method === 'GET' && req.url === '/eSCL/ScannerCapabilities') res.writeHead(200, { 'content-type': 'text/xml' }).end(device.caps);
      else if (req.method === 'GET' && req.url === '/eSCL/ScannerStatus') res.writeHead(200, { 'content-type': 'text/xml' }).end(device.status());
      else if (req.method === 'POST' && req.url === '/eSCL/ScanJobs') device.post(req, res, entry);
      else if (req.method === 'GET' && /\/NextDocument$/.test(req.url ?? '')) device.next(req, res, entry);
      else if (req.method === 'DELETE') device.remove(req, res, entry);
      else res.writeHead(404).end();
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/eSCL`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const duplexGray: ScanSettings = { source: 'duplex', dpi: 200, color: 'gray' };
const never = () => new AbortController().signal;

function driverFor(url: string, extra: Partial<EsclDriverOptions> = {}) {
  const log = createMemoryLogger();
  return { log, driver: createEsclDriver({ device: { id: url, kind: 'escl', name: 'Test MFP', origin: 'typed' }, log, retryPauseMs: 10, timeoutMs: 3000, ...extra }) };
}

/** Pages in a script: each entry an answer to one NextDocument call, 404 after the last. */
function pagesScript(script: Array<number | Buffer | 'cut' | 'cut-after-full'>): Reply {
  let call = 0;
  return (_req, res) => {
    const step = script[call];
    call += 1;
    if (step === undefined) res.writeHead(404).end();
    else if (typeof step === 'number') res.writeHead(step).end();
    else if (step === 'cut' || step === 'cut-after-full') {
      const page = fakeJpeg(call);
      const socket = res.socket;
      // Raw bytes: a device that sends headers and then drops the connection (before or after the whole body).
      socket?.write(`HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: ${page.length}\r\n\r\n`);
      socket?.write(step === 'cut' ? page.subarray(0, 100) : page);
      setTimeout(() => socket?.destroy(), 20);
    } else res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': step.length }).end(step);
  };
}

async function drain(job: Awaited<ReturnType<ReturnType<typeof createEsclDriver>['startJob']>>): Promise<Buffer[]> {
  const pages: Buffer[] = [];
  for (let page = await job.nextPage(never()); page; page = await job.nextPage(never())) pages.push(Buffer.from(page.bytes));
  return pages;
}

async function rejectsWith(promise: Promise<unknown>, code: string, params: Record<string, unknown> = {}): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CoreError, String(error));
    assert.equal(error.code, code, error.message);
    for (const [key, value] of Object.entries(params)) assert.equal(error.params[key], value, key);
    return true;
  });
}

test('capabilities and status over HTTP', async () => {
  const device = await startDevice(defaultDevice());
  try {
    const { driver } = driverFor(device.url);
    const caps = await driver.readCapabilities(never());
    assert.deepEqual(caps.sources, ['adf', 'duplex', 'flatbed']);
    assert.deepEqual(await driver.readStatus(never()), { condition: 'ready', detail: 'Idle / ScannerAdfLoaded' });
    assert.equal(device.seen[0]?.host, new URL(device.url).host);
  } finally {
    await device.close();
  }
});

test('a duplex job: the settings posted, 503s waited out, the pages in order, the job path kept from Location on the host connected to, the job deleted once', async () => {
  const pages = [fakeJpeg(1), fakeJpeg(2), fakeJpeg(3)];
  const device = await startDevice({ ...defaultDevice(), next: pagesScript([503, pages[0] as Buffer, 503, 503, pages[1] as Buffer, pages[2] as Buffer]) });
  try {
    const { driver } = driverFor(device.url, { pageGapMs: 0 });
    const job = await driver.startJob(duplexGray, never());
    assert.deepEqual(await drain(job), pages);
    assert.equal(await job.nextPage(never()), null, 'no request after the end');
    await job.close();
    await job.close();
    const post = device.seen.find((entry) => entry.method === 'POST');
    assert.match(post?.body ?? '', /<pwg:InputSource>Feeder<\/pwg:InputSource>/);
    assert.match(post?.body ?? '', /<scan:Duplex>true<\/scan:Duplex>/);
    assert.match(post?.body ?? '', /<scan:ColorMode>Grayscale8<\/scan:ColorMode>/);
    assert.match(post?.body ?? '', /<scan:XResolution>200<\/scan:XResolution>/);
    assert.match(post?.body ?? '', /<pwg:Width>2480<\/pwg:Width>\s*<pwg:Height>3508<\/pwg:Height>/);
    assert.match(post?.body ?? '', /<pwg:DocumentFormat>image\/jpeg<\/pwg:DocumentFormat>/);
    const gets = device.seen.filter((entry) => entry.url.endsWith('/NextDocument'));
    assert.equal(gets.length, 7);
    assert.ok(gets.every((entry) => entry.url === '/eSCL/ScanJobs/job-1/NextDocument' && entry.host === new URL(device.url).host));
    assert.deepEqual(device.seen.filter((entry) => entry.method === 'DELETE').map((entry) => entry.url), ['/eSCL/ScanJobs/job-1']);
  } finally {
    await device.close();
  }
});

test('the status is checked first: an empty feeder, a jam, an open door, a busy device are errors and no job is posted', async () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['Idle', 'ScannerAdfEmpty', 'scanner-feeder-empty'],
    ['Idle', 'ScannerAdfJam', 'scanner-jammed'],
    ['Idle', 'ScannerAdfDoorOpen', 'scanner-door-open'],
    ['Processing', 'ScannerAdfLoaded', 'scanner-busy'],
  ];
  for (const [state, adf, code] of cases) {
    const device = await startDevice({ ...defaultDevice(), status: () => statusXml(state, adf) });
    try {
      const { driver } = driverFor(device.url);
      await rejectsWith(driver.startJob(duplexGray, never()), code, { device: 'Test MFP' });
      assert.equal(device.seen.filter((entry) => entry.method === 'POST').length, 0, code);
    } finally {
      await device.close();
    }
  }
  // The feeder emptied between the look and the job: the device's 409 is read from its status; a 409 with nothing wrong there is a refusal.
  let looks = 0;
  const racing = await startDevice({ ...defaultDevice(), status: () => statusXml('Idle', ++looks > 1 ? 'ScannerAdfEmpty' : 'ScannerAdfLoaded'), post: (_req, res) => res.writeHead(409).end('no paper') });
  try {
    await rejectsWith(driverFor(racing.url).driver.startJob(duplexGray, never()), 'scanner-feeder-empty');
    looks = -100;
    await rejectsWith(driverFor(racing.url).driver.startJob(duplexGray, never()), 'scanner-bad-answer', { reason: '409' });
  } finally {
    await racing.close();
  }
  // The glass does not care about an empty feeder.
  const device = await startDevice({ ...defaultDevice(), status: () => statusXml('Idle', 'ScannerAdfEmpty'), next: pagesScript([fakeJpeg(1)]) });
  try {
    const job = await driverFor(device.url).driver.startJob({ source: 'flatbed', dpi: 300, color: 'color' }, never());
    assert.equal((await drain(job)).length, 1);
    await job.close();
    assert.doesNotMatch(device.seen.find((entry) => entry.method === 'POST')?.body ?? '', /Duplex/);
    assert.match(device.seen.find((entry) => entry.method === 'POST')?.body ?? '', /<pwg:Height>3507<\/pwg:Height>/, 'A4 clamped to the glass');
  } finally {
    await device.close();
  }
});

test('settings the device does not offer are refused before any job', async () => {
  const canon = await startDevice({ ...defaultDevice(), caps: canonLikeCapabilities() });
  const epson = await startDevice({ ...defaultDevice(), caps: epsonLikeCapabilities() });
  try {
    await rejectsWith(driverFor(canon.url).driver.startJob({ source: 'flatbed', dpi: 300, color: 'gray' }, never()), 'scanner-setting-unsupported', { setting: 'source', value: 'flatbed' });
    await rejectsWith(driverFor(canon.url).driver.startJob({ source: 'duplex', dpi: 200, color: 'gray' }, never()), 'scanner-setting-unsupported', { setting: 'dpi', value: '200' });
    await rejectsWith(driverFor(epson.url).driver.startJob({ source: 'flatbed', dpi: 300, color: 'gray' }, never()), 'scanner-setting-unsupported', { setting: 'color', value: 'gray' });
    assert.equal([...canon.seen, ...epson.seen].filter((entry) => entry.method === 'POST').length, 0);
    // Canon's feeder does both sides through its AdfOption: the job goes out with Duplex true.
    const job = await driverFor(canon.url).driver.startJob({ source: 'duplex', dpi: 300, color: 'gray' }, never());
    await job.close();
    assert.match(canon.seen.find((entry) => entry.method === 'POST')?.body ?? '', /<scan:Duplex>true<\/scan:Duplex>/);
  } finally {
    await canon.close();
    await epson.close();
  }
});

test('404 on the first feeder page with the feeder empty is an empty feeder, not an empty stack', async () => {
  let empty = false;
  // The device still says Processing (the station's own job) while its feeder says empty.
  const device = await startDevice({ ...defaultDevice(), status: () => (empty ? statusXml('Processing', 'ScannerAdfEmpty') : statusXml('Idle', 'ScannerAdfLoaded')), next: (_req, res) => { empty = true; res.writeHead(404).end(); } });
  try {
    const job = await driverFor(device.url).driver.startJob(duplexGray, never());
    await rejectsWith(job.nextPage(never()), 'scanner-feeder-empty');
    await job.close();
  } finally {
    await device.close();
  }
});

test('a jam mid-job (409) is read from the status; 410 is a job cancelled on the device; pages before them were handed out', async () => {
  for (const [failure, code, reason] of [[409, 'scanner-jammed', undefined], [410, 'scanner-failed', 'cancelled'], [500, 'scanner-failed', '500']] as const) {
    let phase: 'idle' | 'running' | 'jammed' = 'idle';
    const pages = pagesScript([fakeJpeg(1), fakeJpeg(2)]);
    let calls = 0;
    const device = await startDevice({
      ...defaultDevice(),
      status: () => (phase === 'idle' ? statusXml('Idle', 'ScannerAdfLoaded') : phase === 'running' ? statusXml('Processing', 'ScannerAdfLoaded') : statusXml('Stopped', 'ScannerAdfJam')),
      post: (_req, res) => {
        phase = 'running';
        res.writeHead(201, { location: '/eSCL/ScanJobs/j9' }).end();
      },
      next: (req, res, seen) => {
        calls += 1;
        if (calls <= 2) return pages(req, res, seen);
        if (failure === 409) phase = 'jammed';
        res.writeHead(failure).end();
      },
    });
    try {
      const job = await driverFor(device.url).driver.startJob(duplexGray, never());
      assert.ok(await job.nextPage(never()));
      assert.ok(await job.nextPage(never()));
      await rejectsWith(job.nextPage(never()), code, reason ? { reason } : {});
      await job.close();
      assert.equal(device.seen.filter((entry) => entry.method === 'DELETE').length, 1);
    } finally {
      await device.close();
    }
  }
});

test('a device that cannot be reached, does not answer, or answers junk: scanner-unreachable and scanner-bad-answer with reasons', async () => {
  const gone = await startDevice(defaultDevice());
  await gone.close();
  await rejectsWith(driverFor(gone.url).driver.readStatus(never()), 'scanner-unreachable', { reason: 'ECONNREFUSED', device: 'Test MFP' });
  const silent = http.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const started = Date.now();
    await rejectsWith(driverFor(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/eSCL`, { timeoutMs: 300 }).driver.readCapabilities(never()), 'scanner-unreachable', { reason: 'ETIMEDOUT' });
    assert.ok(Date.now() - started < 2000);
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
  const junk = await startDevice({ ...defaultDevice(), caps: '<html><body>Web Image Monitor</body></html>' });
  try {
    await rejectsWith(driverFor(junk.url).driver.readCapabilities(never()), 'scanner-bad-answer', { reason: 'unrecognised' });
    await rejectsWith(driverFor(junk.url.replace('/eSCL', '/other')).driver.readStatus(never()), 'scanner-bad-answer', { reason: '404' });
  } finally {
    await junk.close();
  }
  await rejectsWith(driverFor('sane:test').driver.readStatus(never()), 'scanner-not-found');
  await rejectsWith(driverFor('http://no-such-scanner.invalid/eSCL').driver.readStatus(never()), 'scanner-unreachable', { reason: 'ENOTFOUND' });
});

test('an answer complete per Content-Length counts although the connection drops; one cut short is asked for once more, twice is an error', async () => {
  // The device sends page 2 again after the cut, as the reference scanner (and NAPS2's server) do: a page counts as sent once all its bytes left.
  const device = await startDevice({ ...defaultDevice(), next: pagesScript(['cut-after-full', 'cut', fakeJpeg(2)]) });
  try {
    const { driver, log } = driverFor(device.url);
    const job = await driver.startJob(duplexGray, never());
    const pages = await drain(job);
    assert.deepEqual(pages, [fakeJpeg(1), fakeJpeg(2)]);
    assert.equal(device.seen.filter((entry) => entry.url.endsWith('/NextDocument')).length, 4);
    assert.equal(log.records.filter((record) => record.event === 'escl.answer-cut-off').length, 1);
    await job.close();
  } finally {
    await device.close();
  }
  const twice = await startDevice({ ...defaultDevice(), next: pagesScript(['cut', 'cut']) });
  try {
    const job = await driverFor(twice.url).driver.startJob(duplexGray, never());
    await rejectsWith(job.nextPage(never()), 'scanner-unreachable', { reason: 'ECONNRESET' });
    await job.close();
  } finally {
    await twice.close();
  }
});

test('a page over the size limit is refused; a page that is no image is a bad answer', async () => {
  const device = await startDevice({ ...defaultDevice(), next: pagesScript([Buffer.alloc(5000, 0xff), Buffer.from('<html>no</html>')]) });
  try {
    const job = await driverFor(device.url, { maxPageBytes: 4000 }).driver.startJob(duplexGray, never());
    await rejectsWith(job.nextPage(never()), 'scanner-bad-answer');
    await rejectsWith(job.nextPage(never()), 'scanner-bad-answer', { reason: 'unsupported-image' });
    await job.close();
  } finally {
    await device.close();
  }
});

test('the signal stops a job waiting out 503s at once, and close() still deletes the job', async () => {
  const device = await startDevice({ ...defaultDevice(), next: (_req, res) => res.writeHead(503).end() });
  try {
    const job = await driverFor(device.url, { retryPauseMs: 200 }).driver.startJob(duplexGray, never());
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(job.nextPage(controller.signal), (error: unknown) => error instanceof Error && error.name === 'AbortError');
    assert.ok(Date.now() - started < 1000, `stopped after ${Date.now() - started} ms`);
    await job.close();
    assert.equal(device.seen.filter((entry) => entry.method === 'DELETE').length, 1);
  } finally {
    await device.close();
  }
  // Too many 503s in a row end the job.
  const stuck = await startDevice({ ...defaultDevice(), next: (_req, res) => res.writeHead(503).end() });
  try {
    const job = await driverFor(stuck.url, { retryPauseMs: 1, maxRetries: 3 }).driver.startJob(duplexGray, never());
    await rejectsWith(job.nextPage(never()), 'scanner-failed', { reason: 'ETIMEDOUT' });
    assert.equal(stuck.seen.filter((entry) => entry.url.endsWith('/NextDocument')).length, 4);
    await job.close();
  } finally {
    await stuck.close();
  }
});

test('a pause between pages: fixed when set, and by default for Brother devices (half the last page time, at most 1 s)', async () => {
  const slowPage: Reply = (_req, res, seen) => setTimeout(() => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fakeJpeg(seen.at)), 200);
  let served = 0;
  const device = await startDevice({ ...defaultDevice(), next: (req, res, seen) => (++served <= 2 ? slowPage(req, res, seen) : res.writeHead(404).end()) });
  try {
    const job = await driverFor(device.url).driver.startJob(duplexGray, never());
    await drain(job);
    await job.close();
    const gets = device.seen.filter((entry) => entry.url.endsWith('/NextDocument'));
    // The second request waits ≈ 100 ms (half the first page's 200 ms) after the first page arrived at ≈ 200 ms.
    assert.ok((gets[1]?.at ?? 0) - (gets[0]?.at ?? 0) >= 280, `gap ${(gets[1]?.at ?? 0) - (gets[0]?.at ?? 0)} ms`);
  } finally {
    await device.close();
  }
  served = 0;
  const other = await startDevice({ ...defaultDevice(), caps: canonLikeCapabilities(), next: (req, res, seen) => (++served <= 2 ? slowPage(req, res, seen) : res.writeHead(404).end()) });
  try {
    const job = await driverFor(other.url).driver.startJob({ source: 'adf', dpi: 300, color: 'gray' }, never());
    await drain(job);
    await job.close();
    const gets = other.seen.filter((entry) => entry.url.endsWith('/NextDocument'));
    assert.ok((gets[1]?.at ?? 0) - (gets[0]?.at ?? 0) < 280, 'no pause for other makes');
  } finally {
    await other.close();
  }
});

test('an https device with its own self-signed certificate is reached', async () => {
  const dir = await makeTempDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '30', '-subj', '/CN=BRN3C2AF4'], { stdio: 'ignore' });
  const device = await startDevice({ ...defaultDevice(), next: pagesScript([fakeJpeg(1)]) }, { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) });
  try {
    const { driver } = driverFor(device.url);
    assert.equal((await driver.readCapabilities(never())).makeAndModel, 'Brother MFC-L8690CDW series');
    const job = await driver.startJob(duplexGray, never());
    assert.equal((await drain(job)).length, 1);
    await job.close();
  } finally {
    await device.close();
  }
});

test('the job path from Location: the path only, whatever host or shape the device puts there', () => {
  assert.equal(readJobPath('http://localhost/eSCL/ScanJobs/1', '/eSCL'), '/eSCL/ScanJobs/1');
  assert.equal(readJobPath('https://192.168.7.7:443/eSCL/ScanJobs/ab-cd/', '/eSCL'), '/eSCL/ScanJobs/ab-cd');
  assert.equal(readJobPath('http://[fe80/eSCL/ScanJobs/4060', '/eSCL'), '/eSCL/ScanJobs/4060');
  assert.equal(readJobPath('/eSCL/ScanJobs/7?x=1', '/eSCL'), '/eSCL/ScanJobs/7');
  assert.equal(readJobPath('ScanJobs/7', '/eSCL'), '/eSCL/ScanJobs/7');
  assert.equal(readJobPath('http://host', '/eSCL'), null);
  assert.equal(readJobPath('/eSCL/../admin', '/eSCL'), null);
});

test('503 back-off: short first, up to the longest pause; thirty retries wait about thirty seconds', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 30].map((retry) => backOff(retry, 1000)), [200, 400, 800, 1000, 1000, 1000]);
  const total = Array.from({ length: 30 }, (_, index) => backOff(index + 1, 1000)).reduce((sum, ms) => sum + ms, 0);
  assert.ok(total > 25_000 && total <= 30_000, String(total));
});

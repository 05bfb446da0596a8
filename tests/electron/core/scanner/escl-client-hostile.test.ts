// The eSCL client against hostile or broken devices: what a device answers is untrusted input, and the station must stay bounded in time and memory, leave no socket behind and say what went wrong in words a clerk has.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createEsclDriver, readJobPath, type EsclDriverOptions } from '../../../../electron/core/scanner/escl-client.js';
import { parseEsclCapabilities, parseEsclStatus } from '../../../../electron/core/scanner/escl-xml.js';
import type { ScanSettings } from '../../../../electron/core/scanner/scanner-driver.js';
import { localizeError } from '../../../../electron/shared/message-text.js';
import { createTranslator } from '../../../../electron/shared/i18n/catalog.js';
import { brotherLikeCapabilities, statusXml } from '../../../fixtures/escl-documents.js';

const fakeJpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`page ${n} `.repeat(50)), Buffer.from([0xff, 0xd9])]);
const never = () => new AbortController().signal;
const duplexGray: ScanSettings = { source: 'duplex', dpi: 200, color: 'gray' };
const flatbedGray: ScanSettings = { source: 'flatbed', dpi: 200, color: 'gray' };

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Hostile {
  url: string;
  requests: Array<{ method: string; url: string }>;
  /** Connections still open on the device's side. */
  openSockets(): number;
  close(): Promise<void>;
}

/** A scripted device: ScannerCapabilities and ScannerStatus sane unless overridden, everything else by `handle`. */
async function startHostile(handlers: { caps?: Handler; status?: Handler; post?: Handler; next?: Handler; remove?: Handler }): Promise<Hostile> {
  const requests: Hostile['requests'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    const url = req.url ?? '';
    const pick = req.method === 'GET' && url === '/eSCL/ScannerCapabilities' ? handlers.caps ?? ((_q, r) => r.writeHead(200, { 'content-type': 'text/xml' }).end(brotherLikeCapabilities()))
      : req.method === 'GET' && url === '/eSCL/ScannerStatus' ? handlers.status ?? ((_q, r) => r.writeHead(200, { 'content-type': 'text/xml' }).end(statusXml('Idle', 'ScannerAdfLoaded')))
      : req.method === 'POST' ? handlers.post ?? ((_q, r) => r.writeHead(201, { location: '/eSCL/ScanJobs/1' }).end())
      : req.method === 'GET' && url.endsWith('/NextDocument') ? handlers.next ?? ((_q, r) => r.writeHead(404).end())
      : req.method === 'DELETE' ? handlers.remove ?? ((_q, r) => r.writeHead(200).end())
      : (_q: http.IncomingMessage, r: http.ServerResponse) => r.writeHead(404).end();
    pick(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/eSCL`,
    requests,
    openSockets: () => sockets.size,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function driverFor(url: string, extra: Partial<EsclDriverOptions> = {}) {
  const log = createMemoryLogger();
  return { log, driver: createEsclDriver({ device: { id: url, kind: 'escl', name: 'Test MFP', origin: 'typed' }, log, retryPauseMs: 10, timeoutMs: 2000, ...extra }) };
}

async function rejectsWith(promise: Promise<unknown>, code: string, params: Record<string, unknown> = {}): Promise<CoreError> {
  let caught: CoreError | null = null;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CoreError, String(error));
    assert.equal(error.code, code, `${error.code}: ${error.message} ${JSON.stringify(error.params)}`);
    for (const [key, value] of Object.entries(params)) assert.equal(error.params[key], value, `${key}: ${JSON.stringify(error.params)}`);
    caught = error;
    return true;
  });
  return caught as unknown as CoreError;
}

/** Waits until the device has no open connection left (the client closed its side). */
async function noSocketsLeft(device: Hostile): Promise<void> {
  const until = Date.now() + 2000;
  while (device.openSockets() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(device.openSockets(), 0, 'a connection was left open');
}

/** What a clerk reads for an error, in both languages: no raw library text, no "undefined". */
function assertClerkWords(error: CoreError): void {
  for (const language of ['en', 'zh-CN'] as const) {
    const words = localizeError(createTranslator(language).t, error);
    assert.ok(!/undefined|\{\{|errors\.|reasons\./.test(words), words);
  }
}

const xmlOk = (body: string): Handler => (_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(body);

test('XML bombs and junk are refused quickly as a bad answer: entities, a DOCTYPE, deep nesting, a flood of tiny elements', async () => {
  let entities = '<!ENTITY a0 "lol">';
  for (let i = 1; i < 10; i += 1) entities += `<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`;
  const bombs = {
    laughs: `<?xml version="1.0"?><!DOCTYPE s [${entities}]><ScannerStatus><State>&a9;</State></ScannerStatus>`,
    external: '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><ScannerStatus><State>&x;</State></ScannerStatus>',
    // A DOCTYPE-defined word would decide the state: eSCL never has a DOCTYPE, so none is read.
    internal: '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "Idle">]><ScannerStatus><State>&x;</State></ScannerStatus>',
    deep: `<ScannerStatus>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</ScannerStatus>`,
    flood: `<ScannerStatus>${'<a/>'.repeat(200_000)}</ScannerStatus>`,
    jobsFlood: `<ScannerStatus><State>Idle</State><Jobs>${'<JobInfo><JobUri>/x</JobUri></JobInfo>'.repeat(20_000)}</Jobs></ScannerStatus>`,
  };
  for (const [name, xml] of Object.entries(bombs)) {
    const started = performance.now();
    assert.throws(() => parseEsclStatus(xml), Error, name);
    // One parse may hold the main process (the window) only briefly.
    assert.ok(performance.now() - started < 150, `${name} took ${Math.round(performance.now() - started)} ms`);
  }
  // What real devices send still reads, numeric character references included.
  assert.equal(parseEsclCapabilities(brotherLikeCapabilities()).makeAndModel?.startsWith('Brother'), true);
  assert.equal(parseEsclStatus('<?xml version="1.0" encoding="UTF-8"?><scan:ScannerStatus xmlns:scan="s" xmlns:pwg="p"><pwg:State>&#x49;dle</pwg:State></scan:ScannerStatus>').state, 'Idle');

  const device = await startHostile({ status: xmlOk(bombs.laughs), caps: xmlOk(bombs.flood) });
  try {
    const { driver } = driverFor(device.url);
    assertClerkWords(await rejectsWith(driver.readStatus(never()), 'scanner-bad-answer', { reason: 'unrecognised' }));
    await rejectsWith(driver.readCapabilities(never()), 'scanner-bad-answer', { reason: 'unrecognised' });
  } finally {
    await device.close();
  }
});

test('what a device says for people is cleaned and bounded: model, state, formats, resolutions, sizes', () => {
  const caps = parseEsclCapabilities(
    '<ScannerCapabilities><MakeAndModel>Evil\u202e MFP\u0007 ' + 'x'.repeat(5000) + '</MakeAndModel><UUID>' + 'u'.repeat(500) + '</UUID>' +
      '<Platen><PlatenInputCaps><MaxWidth>99999999999999999999999</MaxWidth><SettingProfiles><SettingProfile><ColorModes><ColorMode>Grayscale8</ColorMode></ColorModes>' +
      '<DocumentFormats><DocumentFormat>image/jpeg</DocumentFormat><DocumentFormat>' + 'a'.repeat(3000) + '</DocumentFormat><DocumentFormat>image/jpeg\u0000; x</DocumentFormat></DocumentFormats>' +
      '<SupportedResolutions><DiscreteResolutions>' + [0, 1, 200, 300, 123456, 99999999].map((dpi) => `<DiscreteResolution><XResolution>${dpi}</XResolution><YResolution>${dpi}</YResolution></DiscreteResolution>`).join('') + '</DiscreteResolutions></SupportedResolutions>' +
      '</SettingProfile></SettingProfiles></PlatenInputCaps></Platen><Adf><FeederCapacity>1e9</FeederCapacity></Adf></ScannerCapabilities>',
  );
  assert.ok(caps.makeAndModel && caps.makeAndModel.length <= 128 && !/[\p{Cc}\p{Cf}]/u.test(caps.makeAndModel), caps.makeAndModel ?? '');
  assert.ok((caps.uuid ?? '').length <= 64);
  assert.deepEqual(caps.inputs.flatbed?.formats, ['image/jpeg']);
  assert.deepEqual(caps.inputs.flatbed?.resolutions, [200, 300]);
  assert.equal(caps.inputs.flatbed?.maxWidth, null);
  assert.equal(caps.feederCapacity, null);
  const status = parseEsclStatus(`<ScannerStatus><State>Idle\u202e${'z'.repeat(5000)}</State><AdfState>\u0007ScannerAdfJam</AdfState></ScannerStatus>`);
  assert.ok((status.state ?? '').length <= 64 && !/[\p{Cc}\p{Cf}]/u.test(status.state ?? ''));
  assert.equal(status.adfState, 'ScannerAdfJam');
});

test('answers too big, streaming forever, dripping, gzipped or with huge headers: bounded, a bad answer or unreachable, no socket left', async () => {
  let endless: NodeJS.Timeout | null = null;
  const device = await startHostile({
    // 2 MB of XML, declared.
    caps: (_req, res) => res.writeHead(200, { 'content-type': 'text/xml', 'content-length': String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024, 0x20)),
    // No length, never ending.
    status: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<ScannerStatus>');
      endless = setInterval(() => res.write('<a/>'.repeat(4096)), 1);
      res.on('close', () => clearInterval(endless ?? undefined));
    },
  });
  try {
    const { driver } = driverFor(device.url);
    assertClerkWords(await rejectsWith(driver.readCapabilities(never()), 'scanner-bad-answer', { reason: 'unrecognised' }));
    const started = Date.now();
    await rejectsWith(driver.readStatus(never()), 'scanner-bad-answer', { reason: 'unrecognised' });
    assert.ok(Date.now() - started < 1500);
    await noSocketsLeft(device);
  } finally {
    await device.close();
  }

  const drip = await startHostile({
    status: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    },
    caps: (_req, res) => res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' }).end(gzipSync(brotherLikeCapabilities())),
  });
  try {
    const { driver } = driverFor(drip.url, { timeoutMs: 400 });
    const started = Date.now();
    assertClerkWords(await rejectsWith(driver.readStatus(never()), 'scanner-unreachable', { reason: 'ETIMEDOUT' }));
    assert.ok(Date.now() - started < 1200, `${Date.now() - started} ms`);
    // The station never asks for gzip; a device sending it anyway is not understood, and nothing is inflated.
    await rejectsWith(driver.readCapabilities(never()), 'scanner-bad-answer', { reason: 'unrecognised' });
    await noSocketsLeft(drip);
  } finally {
    await drip.close();
  }

  // Broken chunked framing mid-answer, or no HTTP at all: the device answered, in something that is not HTTP the station reads.
  const broken = await startHostile({
    status: (_req, res) => {
      res.socket?.write('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<Scan\r\nZZZZ\r\nnot a chunk\r\n');
    },
    caps: (_req, res) => {
      res.socket?.end('SSH-2.0-OpenSSH_9.6\r\n');
    },
  });
  try {
    const { driver } = driverFor(broken.url);
    assertClerkWords(await rejectsWith(driver.readStatus(never()), 'scanner-bad-answer', { reason: 'unrecognised' }));
    await rejectsWith(driver.readCapabilities(never()), 'scanner-bad-answer', { reason: 'unrecognised' });
    assert.equal(broken.requests.filter((request) => request.url.endsWith('/ScannerStatus')).length, 1, 'broken HTTP is not asked for again');
    await noSocketsLeft(broken);
  } finally {
    await broken.close();
  }

  // Headers beyond Node's limit: a device that cannot speak HTTP properly is a bad answer, not a network failure.
  const huge = await startHostile({ status: (_req, res) => res.writeHead(200, { 'x-junk': 'j'.repeat(100_000) }).end('<ScannerStatus/>') });
  try {
    assertClerkWords(await rejectsWith(driverFor(huge.url).driver.readStatus(never()), 'scanner-bad-answer', { reason: 'unrecognised' }));
    await noSocketsLeft(huge);
  } finally {
    await huge.close();
  }
});

test('redirects are not followed, and a job Location never leads off the device or out of its path', async () => {
  const elsewhere = await startHostile({});
  const locations = [
    `http://127.0.0.1:${new URL(elsewhere.url).port}/eSCL/ScanJobs/7`,
    `//127.0.0.1:${new URL(elsewhere.url).port}/eSCL/ScanJobs/7`,
  ];
  let location = '';
  let redirect = true;
  const device = await startHostile({
    caps: (_req, res) => (redirect ? res.writeHead(302, { location: `${elsewhere.url}/ScannerCapabilities` }).end() : res.writeHead(200, { 'content-type': 'text/xml' }).end(brotherLikeCapabilities())),
    post: (_req, res) => res.writeHead(201, { location }).end(),
    next: (_req, res) => res.writeHead(404).end(),
  });
  try {
    const { driver } = driverFor(device.url, { timeoutMs: 2000 });
    assertClerkWords(await rejectsWith(driver.readCapabilities(never()), 'scanner-bad-answer', { reason: '302' }));
    // The device's own capabilities are needed for a job: served from now on.
    redirect = false;
    for (const value of locations) {
      location = value;
      const job = await driver.startJob(duplexGray, never());
      assert.equal(await job.nextPage(never()), null);
      await job.close();
    }
    assert.deepEqual(device.requests.filter((request) => request.url.includes('ScanJobs/')).map((request) => `${request.method} ${request.url}`), ['GET /eSCL/ScanJobs/7/NextDocument', 'DELETE /eSCL/ScanJobs/7', 'GET /eSCL/ScanJobs/7/NextDocument', 'DELETE /eSCL/ScanJobs/7']);
    assert.deepEqual(elsewhere.requests, [], 'a request went to another host');
  } finally {
    await device.close();
    await elsewhere.close();
  }
  // Traversal out of the job's path, plain or encoded, and backslashes (read as slashes by URL parsers) are no job path.
  for (const bad of ['/eSCL/ScanJobs/../../admin', '/eSCL/ScanJobs/%2e%2e/%2E%2E/admin', '/eSCL/ScanJobs/.%2e/x', '/eSCL/ScanJobs\\..\\x', 'http://h/eSCL/%2e%2e', '/eSCL/ScanJobs/1\r\nX: y', `/eSCL/ScanJobs/${'a'.repeat(5000)}`]) {
    assert.equal(readJobPath(bad, '/eSCL'), null, bad);
  }
  assert.equal(readJobPath('/eSCL/ScanJobs/ab%2Fcd', '/eSCL'), '/eSCL/ScanJobs/ab%2Fcd');
});

test('pages that are not what they claim: no image, a truncated JPEG or PNG, zero bytes, a Content-Length that lies', async () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
  const script: Array<(res: http.ServerResponse) => void> = [
    (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<html>login</html>'),
    (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fakeJpeg(1).subarray(0, 200)),
    (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png),
    (res) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '0' }).end(),
    (res) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '0' }).end(),
    // Shorter than the body: the first bytes only, which are no whole JPEG.
    (res) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '100' }).end(fakeJpeg(2)),
    // What real devices do and is fine: a whole JPEG labelled as something else, fill after the end marker, a whole PNG.
    (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(fakeJpeg(3)),
    (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.concat([fakeJpeg(4), Buffer.alloc(4096, 0), Buffer.from([0xff, 0xff, 0x0d, 0x0a])])),
    (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([png, Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82])])),
  ];
  let call = 0;
  const device = await startHostile({
    next: (_req, res) => {
      const step = script[call];
      call += 1;
      if (step) step(res);
      else res.writeHead(404).end();
    },
  });
  try {
    const job = await driverFor(device.url).driver.startJob(duplexGray, never());
    assertClerkWords(await rejectsWith(job.nextPage(never()), 'scanner-bad-answer', { reason: 'unsupported-image' }));
    assertClerkWords(await rejectsWith(job.nextPage(never()), 'scanner-bad-answer', { reason: 'jpeg-no-eoi' }));
    assertClerkWords(await rejectsWith(job.nextPage(never()), 'scanner-bad-answer', { reason: 'png-no-iend' }));
    // Zero bytes is asked once more (a connection that broke before the body), then refused.
    await rejectsWith(job.nextPage(never()), 'scanner-bad-answer', { reason: 'unsupported-image' });
    // A Content-Length shorter than the page: what it declares is the answer, and that is no whole JPEG.
    assertClerkWords(await rejectsWith(job.nextPage(never()), 'scanner-bad-answer', { reason: 'jpeg-no-eoi' }));
    assert.deepEqual(Buffer.from((await job.nextPage(never()))?.bytes ?? []), fakeJpeg(3));
    assert.equal((await job.nextPage(never()))?.mime, 'image/jpeg');
    assert.equal((await job.nextPage(never()))?.mime, 'image/png');
    assert.equal(await job.nextPage(never()), null);
    await job.close();
    await noSocketsLeft(device);
  } finally {
    await device.close();
  }
});

test('endless 503s (with Retry-After: 99999) and a page dripping in are bounded for the page as a whole', async () => {
  let nexts = 0;
  const device = await startHostile({
    next: (_req, res) => {
      nexts += 1;
      res.writeHead(503, { 'retry-after': '99999' }).end();
    },
  });
  try {
    const job = await driverFor(device.url, { maxRetries: 5 }).driver.startJob(duplexGray, never());
    const started = Date.now();
    assertClerkWords(await rejectsWith(job.nextPage(never()), 'scanner-failed', { reason: 'ETIMEDOUT' }));
    assert.ok(Date.now() - started < 2000);
    assert.equal(nexts, 6);
    await job.close();
  } finally {
    await device.close();
  }
  // Each 503 takes nearly the whole request time to arrive: the page as a whole still ends in time.
  const slow = await startHostile({
    next: (_req, res) => {
      const timer = setTimeout(() => res.writeHead(503).end(), 250);
      res.on('close', () => clearTimeout(timer));
    },
  });
  try {
    const job = await driverFor(slow.url, { pageTimeoutMs: 300, maxRetries: 30, retryPauseMs: 10 }).driver.startJob(duplexGray, never());
    const started = Date.now();
    await rejectsWith(job.nextPage(never()), 'scanner-failed', { reason: 'ETIMEDOUT' });
    assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
    await job.close();
    await noSocketsLeft(slow);
  } finally {
    await slow.close();
  }
});

test('a device sending pages forever: a feeder job stops at the page limit with a clear error; a platen job is one page', async () => {
  const device = await startHostile({ next: (_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fakeJpeg(1)) });
  try {
    const { driver } = driverFor(device.url, { maxPages: 5 });
    const job = await driver.startJob(duplexGray, never());
    for (let page = 1; page <= 5; page += 1) assert.ok(await job.nextPage(never()), `page ${page}`);
    const error = await rejectsWith(job.nextPage(never()), 'scanner-failed', { reason: 'too-many-pages', limit: 5 });
    assertClerkWords(error);
    assert.match(localizeError(createTranslator('en').t, error), /5/);
    // Once failed, no more is asked.
    assert.equal(await job.nextPage(never()), null);
    await job.close();

    const platen = await driver.startJob(flatbedGray, never());
    assert.ok(await platen.nextPage(never()));
    const asked = device.requests.filter((request) => request.url.endsWith('/NextDocument')).length;
    assert.equal(await platen.nextPage(never()), null);
    assert.equal(device.requests.filter((request) => request.url.endsWith('/NextDocument')).length, asked, 'the glass holds one page: nothing more is asked');
    await platen.close();
    assert.equal(device.requests.filter((request) => request.method === 'DELETE').length, 2);
  } finally {
    await device.close();
  }
});

test('a job start whose answer breaks off after the status and Location is the job: it is not posted twice', async () => {
  const device = await startHostile({
    post: (_req, res) => {
      res.socket?.write('HTTP/1.1 201 Created\r\nLocation: /eSCL/ScanJobs/9\r\nContent-Length: 100\r\n\r\nshort');
      setTimeout(() => res.socket?.destroy(), 20);
    },
    next: (_req, res) => res.writeHead(404).end(),
  });
  try {
    const job = await driverFor(device.url).driver.startJob(duplexGray, never());
    assert.equal(await job.nextPage(never()), null);
    await job.close();
    assert.equal(device.requests.filter((request) => request.method === 'POST').length, 1);
    assert.deepEqual(device.requests.filter((request) => request.method !== 'POST' && request.url.includes('ScanJobs')).map((request) => `${request.method} ${request.url}`), ['GET /eSCL/ScanJobs/9/NextDocument', 'DELETE /eSCL/ScanJobs/9']);
  } finally {
    await device.close();
  }
});

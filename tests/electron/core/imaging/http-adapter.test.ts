import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { buildEndpointUrl } from '../../../../electron/core/imaging/endpoint-url.js';
import { createHttpAdapter, parseRetryAfter } from '../../../../electron/core/imaging/http-adapter.js';
import { ImagingError, type PageUpload } from '../../../../electron/core/imaging/imaging-adapter.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { startTestProxy } from '../../../helpers/http-proxy.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const clients = { 'station-7': 'the-secret-7' };
const jpeg = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text)]);
const pageOf = (imageCode: string, page: number, bytes: Buffer, idempotencyKey = randomUUID()): PageUpload => ({ imageCode, page, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), idempotencyKey });
const adapterFor = (apiAddress: string, extra: Partial<Parameters<typeof createHttpAdapter>[0]> = {}) =>
  createHttpAdapter({ settings: { apiAddress, clientId: 'station-7' }, clientSecret: 'the-secret-7', env: {}, ...extra });
const isImagingError = (code: string, advice?: string) => (error: unknown) => error instanceof ImagingError && error.code === code && (advice === undefined || error.advice === advice);

test('uploads pages, closes the bill, and queries it back (under a private /api address)', async () => {
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients });
  try {
    const adapter = adapterFor(`${server.url}/api`);
    assert.equal((await adapter.queryBill('FY-2026-0001')).status, 'unknown');
    const first = await adapter.uploadPage(pageOf('FY-2026-0001', 1, jpeg('cover')));
    await adapter.uploadPage(pageOf('FY-2026-0001', 2, jpeg('invoice')));
    assert.equal(first.page, 1);
    const closed = await adapter.closeBill('FY-2026-0001', 2);
    assert.deepEqual([closed.status, closed.pageCount, closed.pages.map((page) => page.page)], ['closed', 2, [1, 2]]);
    // What the server keeps is byte for byte what was sent.
    assert.deepEqual(await readFile(path.join(dataDir, 'bills', 'FY-2026-0001', '0002.bin')), jpeg('invoice'));
  } finally {
    await server.close();
  }
});

test('a connection dropped after the server saved: the retry with the same key gets the same receipt, the bill holds the page once', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients, faults: { dropAfterSaveEvery: 1 } });
  try {
    const adapter = adapterFor(server.url);
    const upload = pageOf('FY-2026-0002', 1, jpeg('only page'));
    await assert.rejects(adapter.uploadPage(upload), isImagingError('imaging-unreachable', 'retry'));
    server.setFaults({});
    const receipt = await adapter.uploadPage(upload);
    const again = await adapter.uploadPage(upload);
    assert.equal(again.receiptId, receipt.receiptId);
    assert.equal((await adapter.queryBill('FY-2026-0002')).pages.length, 1);
  } finally {
    await server.close();
  }
});

test('busy servers say when to retry; conflicts and missing pages need a person; a wrong secret needs the settings fixed', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    const adapter = adapterFor(server.url);
    await adapter.uploadPage(pageOf('FY-2026-0003', 1, jpeg('a')));
    server.setFaults({ rateLimitEvery: 1 });
    await assert.rejects(adapter.uploadPage(pageOf('FY-2026-0003', 2, jpeg('b'))), (error) => isImagingError('imaging-server-busy', 'retry')(error) && (error as ImagingError).retryAfterMs === 1000);
    server.setFaults({ failEvery: 1 });
    await assert.rejects(adapter.queryBill('FY-2026-0003'), isImagingError('imaging-server-busy', 'retry'));
    server.setFaults({});
    await assert.rejects(adapter.uploadPage(pageOf('FY-2026-0003', 1, jpeg('other bytes'))), isImagingError('imaging-conflict', 'needs-person'));
    await assert.rejects(adapter.closeBill('FY-2026-0003', 3), (error) => isImagingError('imaging-conflict', 'needs-person')(error) && String((error as ImagingError).params['description']).includes('missing 2,3'));
    await assert.rejects(adapterFor(server.url, { clientSecret: 'wrong' }).queryBill('FY-2026-0003'), isImagingError('imaging-auth-failed', 'fix-settings'));
    await assert.rejects(adapterFor(server.url).uploadPage(pageOf('../../etc', 1, jpeg('x'))), isImagingError('imaging-rejected', 'needs-person'));
  } finally {
    await server.close();
  }
});

test('a token the server forgot (restart) is renewed once, transparently; a wrong path or clock is reported as such', async () => {
  const dataDir = await makeTempDir();
  let server = await startReferenceImagingServer({ dataDir, clients });
  const port = server.port;
  try {
    const adapter = adapterFor(server.url);
    await adapter.uploadPage(pageOf('FY-2026-0004', 1, jpeg('a')));
    await server.close();
    server = await startReferenceImagingServer({ dataDir, clients, port });
    await adapter.uploadPage(pageOf('FY-2026-0004', 2, jpeg('b')));
    assert.equal((await adapter.queryBill('FY-2026-0004')).pages.length, 2);
    const wrongPath = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-7', httpPaths: { query: '/v9/nothing/{imageCode}' } }, clientSecret: 'the-secret-7', env: {} });
    await assert.rejects(wrongPath.queryBill('FY-2026-0004'), isImagingError('imaging-rejected'));
    const slowClock = adapterFor(server.url, { now: () => new Date(Date.now() - 3_600_000) });
    await assert.rejects(slowClock.queryBill('FY-2026-0004'), isImagingError('imaging-clock-skew', 'fix-settings'));
    await assert.rejects(adapterFor('http://127.0.0.1:9').queryBill('FY-2026-0004'), isImagingError('imaging-unreachable', 'retry'));
  } finally {
    await server.close();
  }
});

test('uploads go through the configured proxy', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  const proxy = await startTestProxy();
  try {
    const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-7', proxy: proxy.url }, clientSecret: 'the-secret-7', env: {} });
    await adapter.uploadPage(pageOf('FY-2026-0005', 1, jpeg('via proxy')));
    assert.ok(proxy.seen.some((line) => line.startsWith(`POST ${server.url}/imaging/v1/bills/FY-2026-0005/pages`)), proxy.seen.join('\n'));
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('Retry-After in seconds or as a date', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
});

test('returned for rescan: the server sends a closed bill back with a reason, the station opens round 2, the first round stays stored', async () => {
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients });
  try {
    const adapter = adapterFor(server.url);
    const code = 'FY-2026-0301';
    await adapter.uploadPage(pageOf(code, 1, jpeg('cover r1')));
    await adapter.uploadPage(pageOf(code, 2, jpeg('blurred invoice')));
    await assert.rejects(adapter.returnBill(code, { text: 'invoice unreadable' }), isImagingError('imaging-conflict', 'needs-person'), 'an open bill cannot be returned');
    await adapter.closeBill(code, 2);
    await assert.rejects(adapter.openRound(code, 2), isImagingError('imaging-conflict', 'needs-person'), 'a closed, not returned bill has no next round');
    const returned = await adapter.returnBill(code, { text: 'invoice unreadable' });
    assert.deepEqual([returned.status, returned.round, returned.returned?.reason], ['returned', 1, 'invoice unreadable']);
    assert.equal((await adapter.queryBill(code)).status, 'returned');
    // Pages and closes to a returned bill are refused until a round is opened.
    await assert.rejects(adapter.uploadPage(pageOf(code, 1, jpeg('cover r2'))), isImagingError('imaging-conflict', 'needs-person'));
    await assert.rejects(adapter.closeBill(code, 2), isImagingError('imaging-conflict', 'needs-person'));
    await assert.rejects(adapter.openRound(code, 3), isImagingError('imaging-conflict'), 'only the next round');
    const opened = await adapter.openRound(code, 2);
    assert.deepEqual([opened.status, opened.round, opened.pages.length, opened.returned], ['open', 2, 0, null]);
    assert.equal((await adapter.openRound(code, 2)).round, 2, 'asking again (a lost answer) is harmless');
    await adapter.uploadPage(pageOf(code, 1, jpeg('cover r2')));
    await adapter.uploadPage(pageOf(code, 2, jpeg('sharp invoice')));
    await adapter.uploadPage(pageOf(code, 3, jpeg('one more page')));
    const closed = await adapter.closeBill(code, 3);
    assert.deepEqual([closed.status, closed.round, closed.pageCount], ['closed', 2, 3]);
    // Never overwritten: round 1's files are still there beside round 2's, and bill.json keeps round 1.
    const billDir = path.join(dataDir, 'bills', code);
    assert.deepEqual(await readFile(path.join(billDir, '0002.bin')), jpeg('blurred invoice'));
    assert.deepEqual(await readFile(path.join(billDir, 'r2-0002.bin')), jpeg('sharp invoice'));
    const manifest = JSON.parse(await readFile(path.join(billDir, 'bill.json'), 'utf8')) as { history: Array<{ round: number; pageCount: number; returned: { reason: string } }> };
    assert.deepEqual(manifest.history.map((entry) => [entry.round, entry.pageCount, entry.returned.reason]), [[1, 2, 'invoice unreadable']]);
  } finally {
    await server.close();
  }
});

test('a profile path naming another host is refused before any request: nothing reaches the other server, not even the token request', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  // A second loopback server standing in for evil.example: it answers like the imaging server and counts what it is sent.
  const seen: string[] = [];
  const evil = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ errcode: '0000', access_token: 'stolen', expires_in: 7200, data: {} }));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const evilHost = `127.0.0.1:${(evil.address() as AddressInfo).port}`;
  try {
    // As with a public preset: the API address has no path of its own.
    for (const httpPaths of [{ upload: `//${evilHost}/{imageCode}` }, { upload: `/\\${evilHost}/{imageCode}` }, { close: `http://${evilHost}/{imageCode}` }, { token: `//${evilHost}/token` }]) {
      await assert.rejects(
        (async () => {
          const adapter = adapterFor(server.url, { settings: { apiAddress: server.url, clientId: 'station-7', httpPaths } });
          await adapter.uploadPage(pageOf('FY-2026-0100', 1, jpeg('cover')));
          await adapter.closeBill('FY-2026-0100', 1);
        })(),
        isImagingError('endpoint-path-refused', 'fix-settings'),
        JSON.stringify(httpPaths),
      );
    }
    assert.deepEqual(seen, [], 'no request (and so no token or page) reached the other host');
  } finally {
    await new Promise<void>((resolve) => evil.close(() => resolve()));
    await server.close();
  }
});

test('the URL builder keeps every call on the API address, under its path', () => {
  assert.equal(buildEndpointUrl('http://10.1.2.3:8080/api/', 'upload', '/imaging/v1/bills/{imageCode}/pages', 'FY 1/2').href, 'http://10.1.2.3:8080/api/imaging/v1/bills/FY%201%2F2/pages');
  assert.equal(buildEndpointUrl('http://api.piaozone.com', 'token', '/base/oauth/token').href, 'http://api.piaozone.com/base/oauth/token');
  const refused = (apiAddress: string, template: string, imageCode?: string) => assert.throws(() => buildEndpointUrl(apiAddress, 'query', template, imageCode), isImagingError('endpoint-path-refused', 'fix-settings'), `${template} ${imageCode ?? ''}`);
  refused('http://api.piaozone.com', '//evil.example/{imageCode}', 'FY1');
  refused('http://api.piaozone.com', '/\\evil.example/{imageCode}', 'FY1');
  refused('http://api.piaozone.com/api', '/../../{imageCode}', 'FY1');
  refused('http://api.piaozone.com/api', '/%2e%2e/{imageCode}', 'FY1');
  refused('http://api.piaozone.com/api', '/bills\t/{imageCode}', 'FY1');
  // The bill code comes from a QR code: a code of ".." must not climb out of the API path either.
  refused('http://api.piaozone.com/api', '/{imageCode}', '..');
  refused('http://api.piaozone.com/api', '/{imageCode}', '.');
});

test('a hostile server: error texts with terminal escapes and bidi are escaped and bounded; huge or malformed rescan reasons are refused; a hostile bill answer is read safely', async () => {
  const nasty = '\u001b]0;owned\u0007\u001b[2J\u202eevil\u200b\n';
  let reasons: string = '[]';
  const hostile = http.createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    const url = req.url ?? '';
    if (url.startsWith('/base/oauth/token')) return res.end(JSON.stringify({ errcode: '0000', access_token: 't', expires_in: 7200 }));
    if (url.includes('rescan-reasons')) return res.end(`{"errcode":"0000","description":"ok","data":${reasons}}`);
    if (url.includes('/void')) return res.end(JSON.stringify({ errcode: `9${nasty.repeat(500)}`, description: nasty.repeat(5000) }));
    return res.end(JSON.stringify({ errcode: '0000', description: 'ok', data: { status: 'closed', imageState: '2', pages: [{ page: 1, sha256: nasty, bytes: 1, receivedAt: nasty }], scan: { scanUser: nasty, scanPoint: `<script>${nasty}</script>` } } }));
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const adapter = adapterFor(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}`);
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const hidden = /[\u0000-\u001f\u007f-\u009f\u200b\u202e]/;
  try {
    await assert.rejects(adapter.voidBill('FY-2026-0900', 'x'), (error: unknown) => {
      assert.ok(error instanceof ImagingError && error.code === 'imaging-rejected', String(error));
      for (const value of Object.values(error.params)) {
        assert.doesNotMatch(String(value), hidden, 'escaped');
        assert.ok(String(value).length <= 2000, `bounded: ${String(value).length}`);
      }
      assert.match(String(error.params.description), /\\u\{1b\}/);
      return true;
    });
    const state = await adapter.queryBill('FY-2026-0900');
    assert.doesNotMatch(JSON.stringify([state.scan, state.pages]).replace(/\\\\/g, ''), /\\u00(1b|07)|\\n|\u202e/);
    assert.match(state.scan?.scanPoint ?? '', /^<script>/, 'markup stays text (the screen escapes it)');
    for (const list of [
      JSON.stringify(Array.from({ length: 100_000 }, (_, index) => ({ code: `R${index}`, name: '原因' }))),
      JSON.stringify([{ code: 'A', name: '缺页' }, { code: 'A', name: '重复' }]),
      JSON.stringify([{ code: 'A', name: `${nasty}缺页` }]),
      JSON.stringify([{ code: '__proto__', name: 'x'.repeat(51) }]),
      '{"__proto__":{"code":"A","name":"b"}}',
    ]) {
      reasons = list;
      await assert.rejects(adapter.listRescanReasons(), (error: unknown) => error instanceof ImagingError && ['imaging-rejected', 'imaging-bad-answer'].includes(error.code), list.slice(0, 80));
    }
    reasons = JSON.stringify([{ code: '__proto__', name: '<b>缺页</b>' }, { code: 'constructor', name: '其他' }]);
    assert.deepEqual(await adapter.listRescanReasons(), [{ code: '__proto__', name: '<b>缺页</b>' }, { code: 'constructor', name: '其他' }]);
  } finally {
    await new Promise<void>((resolve) => hostile.close(() => resolve()));
  }
});

test('a close refused with a "missing" list that is not a list, or a million pages long, is a bounded imaging-conflict, not a crash', async () => {
  let missing: unknown = 'all of them';
  const hostile = http.createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    if ((req.url ?? '').startsWith('/base/oauth/token')) return res.end(JSON.stringify({ errcode: '0000', access_token: 't', expires_in: 7200 }));
    return res.end(JSON.stringify({ errcode: '2006', description: 'pages missing', data: { missing } }));
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const adapter = adapterFor(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}`);
  try {
    for (const value of ['all of them', { length: 3 }, Array.from({ length: 100_000 }, (_, index) => index + 1), [1, 'two', null, 3]]) {
      missing = value;
      await assert.rejects(adapter.closeBill('FY-2026-0901', 2), (error: unknown) => {
        assert.ok(error instanceof ImagingError && error.code === 'imaging-conflict', String(error));
        assert.ok(String(error.params.description).length < 300, String(error.params.description).slice(0, 100));
        return true;
      });
    }
  } finally {
    await new Promise<void>((resolve) => hostile.close(() => resolve()));
  }
});

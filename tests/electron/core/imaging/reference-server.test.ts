import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { test } from 'node:test';
import { imagingErrcodes, startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { signTokenRequest } from '../../../../electron/core/imaging/token-sign.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const clients = { 'station-test': 'secret-123' };

async function token(url: string, timestamp = String(Date.now()), secret = 'secret-123'): Promise<{ errcode: string; access_token?: string }> {
  const response = await fetch(`${url}/base/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'station-test', timestamp, sign: signTokenRequest('station-test', secret, timestamp) }),
  });
  return (await response.json()) as { errcode: string; access_token?: string };
}

function upload(url: string, accessToken: string, code: string, page: number | string, bytes: Uint8Array, key: string, sha = createHash('sha256').update(bytes).digest('hex')) {
  const form = new FormData();
  form.set('file', new Blob([bytes], { type: 'image/jpeg' }), `p${page}.jpg`);
  form.set('page', String(page));
  form.set('sha256', sha);
  form.set('idempotencyKey', key);
  return fetch(`${url}/imaging/v1/bills/${code}/pages?access_token=${accessToken}`, { method: 'POST', body: form });
}

test('token: md5(client_id + secret + timestamp); errcode "0000" only when right and on time', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    const ok = await token(server.url);
    assert.equal(ok.errcode, '0000');
    assert.match(ok.access_token ?? '', /^[0-9a-f]{48}$/);
    assert.equal((await token(server.url, String(Date.now()), 'wrong')).errcode, imagingErrcodes.badCredentials);
    assert.equal((await token(server.url, String(Date.now() - 3_600_000))).errcode, imagingErrcodes.clockSkew);
    assert.equal((await token(server.url, String(Math.floor(Date.now() / 1000)))).errcode, '0000', 'seconds are accepted too');
    const noToken = await fetch(`${server.url}/imaging/v1/bills/FY-0001`);
    assert.deepEqual([noToken.status, ((await noToken.json()) as { errcode: string }).errcode], [401, imagingErrcodes.tokenInvalid]);
  } finally {
    await server.close();
  }
});

test('upload: hash verified, a repeated key gets the same receipt, close checks the page count, state survives a restart', async () => {
  const dataDir = await makeTempDir();
  let server = await startReferenceImagingServer({ dataDir, clients });
  const accessToken = (await token(server.url)).access_token ?? '';
  const page1 = Buffer.from('page one bytes');
  const first = (await (await upload(server.url, accessToken, 'FY-0001', 1, page1, 'key-0001-a')).json()) as { errcode: string; data: { receiptId: string } };
  assert.equal(first.errcode, '0000');
  const again = (await (await upload(server.url, accessToken, 'FY-0001', 1, page1, 'key-0001-a')).json()) as { data: { receiptId: string } };
  assert.equal(again.data.receiptId, first.data.receiptId);
  const badHash = await upload(server.url, accessToken, 'FY-0001', 2, Buffer.from('two'), 'key-0002-a', 'a'.repeat(64));
  assert.deepEqual([badHash.status, ((await badHash.json()) as { errcode: string }).errcode], [422, imagingErrcodes.hashMismatch]);
  const conflict = await upload(server.url, accessToken, 'FY-0001', 1, Buffer.from('other bytes'), 'key-0001-b');
  assert.equal(((await conflict.json()) as { errcode: string }).errcode, imagingErrcodes.pageConflict);
  const close = (body: unknown) => fetch(`${server.url}/imaging/v1/bills/FY-0001/close?access_token=${accessToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const early = (await (await close({ pageCount: 2 })).json()) as { errcode: string; data: { missing: number[] } };
  assert.deepEqual([early.errcode, early.data.missing], [imagingErrcodes.pagesMissing, [2]]);
  await upload(server.url, accessToken, 'FY-0001', 2, Buffer.from('two'), 'key-0002-b');
  assert.equal(((await (await close({ pageCount: 2 })).json()) as { errcode: string }).errcode, '0000');
  const late = await upload(server.url, accessToken, 'FY-0001', 3, Buffer.from('three'), 'key-0003-a');
  assert.equal(((await late.json()) as { errcode: string }).errcode, imagingErrcodes.billClosed);
  await server.close();
  server = await startReferenceImagingServer({ dataDir, clients });
  try {
    const fresh = (await token(server.url)).access_token ?? '';
    const bill = (await (await fetch(`${server.url}/imaging/v1/bills/FY-0001?access_token=${fresh}`)).json()) as { data: { status: string; pages: Array<{ page: number; sha256: string }> } };
    assert.equal(bill.data.status, 'closed');
    assert.deepEqual(bill.data.pages.map((page) => page.page), [1, 2]);
    assert.equal(bill.data.pages[0]?.sha256, createHash('sha256').update(page1).digest('hex'));
    const log = await readFile(path.join(dataDir, 'access.log'), 'utf8');
    assert.ok(!log.includes(accessToken) && log.includes('access_token=[redacted]'), 'tokens never reach the access log');
  } finally {
    await server.close();
  }
});

test('faults: 503, 429 with Retry-After, and a dropped connection after saving (the retry gets the same receipt)', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    const accessToken = (await token(server.url)).access_token ?? '';
    server.setFaults({ failEvery: 1 });
    assert.equal((await fetch(`${server.url}/imaging/v1/bills/FY-0002?access_token=${accessToken}`)).status, 503);
    server.setFaults({ rateLimitEvery: 1 });
    const limited = await fetch(`${server.url}/imaging/v1/bills/FY-0002?access_token=${accessToken}`);
    assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '1']);
    server.setFaults({ dropAfterSaveEvery: 1 });
    await assert.rejects(upload(server.url, accessToken, 'FY-0002', 1, Buffer.from('saved'), 'key-drop-1'));
    server.setFaults({});
    const retry = (await (await upload(server.url, accessToken, 'FY-0002', 1, Buffer.from('saved'), 'key-drop-1')).json()) as { errcode: string; data: { page: number } };
    assert.deepEqual([retry.errcode, retry.data.page], ['0000', 1]);
    const bill = (await (await fetch(`${server.url}/imaging/v1/bills/FY-0002?access_token=${accessToken}`)).json()) as { data: { pages: unknown[] } };
    assert.equal(bill.data.pages.length, 1, 'saved once, never twice');
  } finally {
    await server.close();
  }
});

test('names from a request find only what was stored: client_id "constructor" gets no token, an idempotency key "constructor" is an ordinary key', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    for (const clientId of ['constructor', '__proto__', 'toString']) {
      const timestamp = String(Date.now());
      // What a plain-object client table would have used as the secret: the inherited member's text.
      const inherited = String((clients as Record<string, unknown>)[clientId]);
      const answer = (await (await fetch(`${server.url}/base/oauth/token`, { method: 'POST', body: JSON.stringify({ client_id: clientId, timestamp, sign: signTokenRequest(clientId, inherited, timestamp) }) })).json()) as { errcode: string; access_token?: string };
      assert.deepEqual([answer.errcode, answer.access_token], [imagingErrcodes.badCredentials, undefined], clientId);
    }
    const accessToken = (await token(server.url)).access_token ?? '';
    for (const [page, key] of [[1, 'constructor'], [2, '__proto__'], [3, 'hasOwnProperty']] as const) {
      const first = (await (await upload(server.url, accessToken, 'FY-0003', page, Buffer.from(`page ${page}`), key)).json()) as { errcode: string; data?: { receiptId: string } };
      assert.equal(first.errcode, '0000', key);
      const again = (await (await upload(server.url, accessToken, 'FY-0003', page, Buffer.from(`page ${page}`), key)).json()) as { errcode: string; data?: { receiptId: string } };
      assert.deepEqual([again.errcode, again.data?.receiptId], ['0000', first.data?.receiptId], `${key} is kept and answers the same receipt`);
    }
  } finally {
    await server.close();
  }
});

test('numbers as the protocol writes them: page fields are decimal digits 1…10000, pageCount and round JSON integers; a bad % escape is a 400, not a 500', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    const accessToken = (await token(server.url)).access_token ?? '';
    const bytes = Buffer.from('page bytes');
    for (const page of ['0x10', '0b101', ' 2 ', '+4', '1e1', '010', '0', '-1', '1.0', '10001', '']) {
      const answer = await upload(server.url, accessToken, 'FY-0004', page, bytes, `key-lenient-${page.trim() || 'empty'}`.replace(/[^\w-]/g, '_'));
      assert.deepEqual([answer.status, ((await answer.json()) as { errcode: string }).errcode], [400, imagingErrcodes.badRequest], `page ${JSON.stringify(page)}`);
    }
    assert.equal(((await (await upload(server.url, accessToken, 'FY-0004', '1', bytes, 'key-strict-1')).json()) as { errcode: string }).errcode, '0000');
    const close = (body: string) => fetch(`${server.url}/imaging/v1/bills/FY-0004/close?access_token=${accessToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const body of ['{"pageCount":"1"}', '{"pageCount":[1]}', '{"pageCount":true}', '{"pageCount":1.5}', '[1]', 'null']) {
      const answer = await close(body);
      assert.deepEqual([answer.status, ((await answer.json()) as { errcode: string }).errcode], [400, imagingErrcodes.badRequest], body);
    }
    const rounds = await fetch(`${server.url}/imaging/v1/bills/FY-0004/rounds?access_token=${accessToken}`, { method: 'POST', body: '{"round":"2"}' });
    assert.deepEqual([rounds.status, ((await rounds.json()) as { errcode: string }).errcode], [400, imagingErrcodes.badRequest], 'round "2"');
    assert.equal(((await (await close('{"pageCount":1}')).json()) as { errcode: string }).errcode, '0000');
    const badEscape = await fetch(`${server.url}/imaging/v1/bills/FY%ZZ0004?access_token=${accessToken}`);
    assert.deepEqual([badEscape.status, ((await badEscape.json()) as { errcode: string }).errcode], [400, imagingErrcodes.invalidImageCode]);
    for (const target of ['http://[', '//evil.example/imaging/v1/bills/FY-0004']) {
      const raw = await new Promise<string>((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
        let text = '';
        socket.on('data', (part: Buffer) => (text += part.toString('latin1')));
        socket.on('close', () => resolve(text));
      });
      assert.match(raw, /^HTTP\/1\.1 400 /, `target ${target}`);
    }
    const numericTimestamp = await fetch(`${server.url}/base/oauth/token`, { method: 'POST', body: JSON.stringify({ client_id: 'station-test', timestamp: ' 0x1 ', sign: signTokenRequest('station-test', 'secret-123', ' 0x1 ') }) });
    assert.equal(((await numericTimestamp.json()) as { errcode: string }).errcode, imagingErrcodes.badRequest);
  } finally {
    await server.close();
  }
});

test('close: pageCount is capped at 1…10000 before anything is sized by it (1e9 once ran the process out of memory)', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    const accessToken = (await token(server.url)).access_token ?? '';
    assert.equal(((await (await upload(server.url, accessToken, 'FY-0005', 1, Buffer.from('one'), 'key-cap-1')).json()) as { errcode: string }).errcode, '0000');
    for (const pageCount of [0, 10_001, 1e7, 1e9]) {
      const started = Date.now();
      const answer = await fetch(`${server.url}/imaging/v1/bills/FY-0005/close?access_token=${accessToken}`, { method: 'POST', body: JSON.stringify({ pageCount }) });
      const text = await answer.text();
      assert.deepEqual([answer.status, (JSON.parse(text) as { errcode: string }).errcode], [400, imagingErrcodes.badRequest], String(pageCount));
      assert.ok(text.length < 1000 && Date.now() - started < 2000, `${pageCount}: a short answer, at once`);
    }
  } finally {
    await server.close();
  }
});

/** Opens a raw connection and sends the headers of a page upload whose body never comes in full. */
function startSlowUpload(port: number, accessToken: string): { socket: net.Socket; closed: Promise<number> } {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(`POST /imaging/v1/bills/FY-0006/pages?access_token=${accessToken} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n`);
  return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started))) };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms).unref())]);

test('slow clients are cut: headers by the header timeout, a body trickling a byte at a time by the request timeout, a silent one by the idle timeout', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients, limits: { headersTimeoutMs: 400, requestTimeoutMs: 1500, idleTimeoutMs: 600 } });
  const accessToken = (await token(server.url)).access_token ?? '';
  const trickle = startSlowUpload(server.port, accessToken);
  const drip = setInterval(() => trickle.socket.write('x'), 150);
  const silent = startSlowUpload(server.port, accessToken);
  // Headers that never end, a byte at a time (so the idle timer never fires): the header timeout cuts them.
  const headerStarted = Date.now();
  const slowHeaders = net.connect(server.port, '127.0.0.1');
  slowHeaders.on('error', () => undefined);
  slowHeaders.write('GET /imaging/v1/bills/FY-0006 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  const headerDrip = setInterval(() => slowHeaders.write('h'), 150);
  const headersClosed = new Promise<number>((resolve) => slowHeaders.once('close', () => resolve(Date.now() - headerStarted)));
  try {
    const headersMs = await within(headersClosed, 5000, 'slow headers');
    assert.ok(headersMs < 2000, `slow headers cut after ${headersMs} ms (header limit 400 ms)`);
    const silentMs = await within(silent.closed, 5000, 'a silent body');
    assert.ok(silentMs >= 500 && silentMs < 2500, `silent body cut after ${silentMs} ms (idle limit 600 ms)`);
    const trickleMs = await within(trickle.closed, 6000, 'a trickling body');
    assert.ok(trickleMs >= 1400 && trickleMs < 3500, `trickling body cut after ${trickleMs} ms (request limit 1500 ms)`);
    assert.equal((await fetch(`${server.url}/imaging/v1/bills/FY-0006?access_token=${accessToken}`)).status, 200, 'the server still answers (a code never seen is 无影像, 0000)');
  } finally {
    clearInterval(drip);
    clearInterval(headerDrip);
    slowHeaders.destroy();
    trickle.socket.destroy();
    silent.socket.destroy();
    await server.close();
  }
});

test('connections beyond the cap are dropped; a body over the page limit is 413 and leaves nothing behind', async () => {
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients, maxPageBytes: 1024, limits: { maxConnections: 2 } });
  const held = [net.connect(server.port, '127.0.0.1'), net.connect(server.port, '127.0.0.1')];
  const third = () =>
    new Promise<number>((resolve, reject) => {
      http.get(`${server.url}/imaging/v1/bills/FY-0007`, { agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    });
  try {
    await Promise.all(held.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await assert.rejects(third(), 'a third connection is dropped');
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await third(), 401, 'once the others are gone, a connection is served again');
    const accessToken = (await token(server.url)).access_token ?? '';
    const big = await upload(server.url, accessToken, 'FY-0007', 1, Buffer.alloc(4096, 1), 'key-big-0001');
    assert.deepEqual([big.status, ((await big.json()) as { errcode: string }).errcode], [413, imagingErrcodes.tooLarge]);
    assert.deepEqual(await readdir(path.join(dataDir, 'incoming')), [], 'no staged file stays');
    const bigJson = await fetch(`${server.url}/imaging/v1/bills/FY-0007/close?access_token=${accessToken}`, { method: 'POST', body: JSON.stringify({ pageCount: 1, padding: 'x'.repeat(70 * 1024) }) });
    assert.deepEqual([bigJson.status, ((await bigJson.json()) as { errcode: string }).errcode], [413, imagingErrcodes.tooLarge], 'JSON bodies have their own, small limit');
  } finally {
    for (const socket of held) socket.destroy();
    await server.close();
  }
});

test('concurrent large uploads stream to disk: the server holds none of their bodies in memory', async () => {
  v8.setFlagsFromString('--expose-gc');
  const collect = vm.runInNewContext('gc') as () => void;
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients, limits: { maxPageBytes: 32 * 1024 * 1024 } });
  const accessToken = (await token(server.url)).access_token ?? '';
  const uploads = 6;
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const chunks = 256; // 16 MiB a page
  const held = 16; // the last 1 MiB waits until memory is measured
  const hash = createHash('sha256');
  for (let i = 0; i < chunks; i += 1) hash.update(chunk);
  const sha256 = hash.digest('hex');
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived = 0;
  let allArrived!: () => void;
  const allHeld = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  const send = (index: number) =>
    new Promise<{ errcode: string; data?: { bytes: number; sha256: string } }>((resolve, reject) => {
      const head = Buffer.from(
        ['page', String(1), 'sha256', sha256, 'idempotencyKey', `key-large-${index}`]
          .reduce<string[]>((parts, value, at, list) => (at % 2 === 0 ? [...parts, `--b\r\nContent-Disposition: form-data; name="${value}"\r\n\r\n${list[at + 1]}\r\n`] : parts), [])
          .join('') + '--b\r\nContent-Disposition: form-data; name="file"; filename="p.bin"\r\n\r\n',
      );
      const tail = Buffer.from('\r\n--b--\r\n');
      const request = http.request(`${server.url}/imaging/v1/bills/FY-LARGE-${index}/pages?access_token=${accessToken}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': head.length + chunks * chunk.length + tail.length } }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () => resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as { errcode: string }));
      });
      request.on('error', reject);
      const write = (bytes: Buffer) => new Promise<void>((done) => (request.write(bytes) ? done() : request.once('drain', done)));
      void (async () => {
        await write(head);
        for (let i = 0; i < chunks - held; i += 1) await write(chunk);
        arrived += 1;
        if (arrived === uploads) allArrived();
        await released;
        for (let i = 0; i < held; i += 1) await write(chunk);
        request.end(tail);
      })();
    });
  try {
    collect();
    const before = process.memoryUsage();
    const answers = Array.from({ length: uploads }, (_, index) => send(index));
    await allHeld;
    // Let the server read what the sockets still buffer.
    await new Promise((resolve) => setTimeout(resolve, 500));
    collect();
    const during = process.memoryUsage();
    release();
    const done = await Promise.all(answers);
    const grown = during.heapUsed + during.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    const sent = uploads * (chunks - held) * chunk.length;
    assert.ok(grown < 24 * 1024 * 1024, `memory grew by ${(grown / 1048576).toFixed(1)} MiB while ${(sent / 1048576).toFixed(0)} MiB of bodies had arrived`);
    for (const answer of done) assert.deepEqual([answer.errcode, answer.data?.bytes, answer.data?.sha256], ['0000', chunks * chunk.length, sha256]);
    assert.deepEqual(await readdir(path.join(dataDir, 'incoming')), [], 'every staged page was renamed into its bill');
  } finally {
    release();
    await server.close();
  }
});

test('image codes that cannot be a Windows folder are 2001 with the reason; a case-only twin of a stored bill is 2010 (HTTP 409)', async () => {
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients });
  try {
    const accessToken = (await token(server.url)).access_token ?? '';
    for (const code of ['COM1', 'lpt1', 'NUL.', 'CON.pdf', 'AB12.']) {
      const answer = await upload(server.url, accessToken, code, 1, Buffer.from('x'), 'key-name-0001');
      const body = (await answer.json()) as { errcode: string; description: string };
      assert.deepEqual([answer.status, body.errcode], [400, imagingErrcodes.invalidImageCode], code);
      assert.match(body.description, /folder name \((reserved-name|trailing-dot-or-space)\)/, code);
    }
    assert.equal(((await (await upload(server.url, accessToken, 'AB12', 1, Buffer.from('upper'), 'key-twin-0001')).json()) as { errcode: string }).errcode, '0000');
    const twin = await upload(server.url, accessToken, 'ab12', 1, Buffer.from('lower'), 'key-twin-0002');
    assert.deepEqual([twin.status, ((await twin.json()) as { errcode: string }).errcode], [409, imagingErrcodes.caseTwin]);
    const query = await fetch(`${server.url}/imaging/v1/bills/ab12?access_token=${accessToken}`);
    assert.deepEqual([query.status, ((await query.json()) as { errcode: string }).errcode], [409, imagingErrcodes.caseTwin]);
    assert.deepEqual(await readdir(path.join(dataDir, 'bills')), ['AB12']);
  } finally {
    await server.close();
  }
});

test('an access log that cannot be written does not end the process (the server runs inside the app)', async () => {
  const dataDir = await makeTempDir();
  await mkdir(path.join(dataDir, 'access.log'));
  const server = await startReferenceImagingServer({ dataDir, clients });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    for (let i = 0; i < 2; i += 1) assert.equal((await fetch(`${server.url}/imaging/v1/bills/FY-0008`)).status, 401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await server.close();
  }
});

/** Posts a JSON body to one of a bill's calls and answers the status and errcode. */
async function postBill(url: string, accessToken: string, code: string, call: string, body: unknown): Promise<{ status: number; errcode: string; data?: unknown }> {
  const answer = await fetch(`${url}/imaging/v1/bills/${encodeURIComponent(code)}/${call}?access_token=${accessToken}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const parsed = (await answer.json()) as { errcode: string; data?: unknown };
  return { status: answer.status, errcode: parsed.errcode, data: parsed.data };
}

test('close fields from a hostile client: wrong types and lengths, hidden characters and a scannedAt that is not a time are 1001; 50 characters outside the BMP are 50', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    const accessToken = (await token(server.url)).access_token ?? '';
    assert.equal(((await (await upload(server.url, accessToken, 'FY-0701', 1, Buffer.from('one'), 'key-0701-1')).json()) as { errcode: string }).errcode, '0000');
    const refused: Array<Record<string, unknown>> = [
      { scanUser: 1024 },
      { scanPoint: { name: '深圳' } },
      { scanUser: ['u'] },
      { stationIp: true },
      { scanUser: 'u'.repeat(51) },
      { scanPoint: '𠀀'.repeat(51) },
      { stationIp: '1'.repeat(65) },
      { scannedAt: 'x'.repeat(41) },
      { scannedAt: '1' },
      { scannedAt: 'hello 2' },
      { scannedAt: '12/06/2026' },
      { scannedAt: '2026-13-45T99:00:00Z' },
      { scanUser: 'u\u001b[2J' },
      { scanPoint: '\u202e点' },
      { scanUser: 'u\u200b1' },
      { scanUser: 'u\u20601' },
      { stationIp: '10.0.0.1\n' },
    ];
    // 10 MB in a close's field or a void's reason: 413 before it is read (or the connection cut while it is still being sent).
    for (const [call, body] of [['close', { pageCount: 1, scanUser: 'x'.repeat(10 * 1024 * 1024) }], ['void', { reason: 'x'.repeat(10 * 1024 * 1024) }]] as const) {
      const answer = await postBill(server.url, accessToken, 'FY-0701', call, body).catch(() => ({ status: 413, errcode: imagingErrcodes.tooLarge }));
      assert.deepEqual([answer.status, answer.errcode], [413, imagingErrcodes.tooLarge], call);
    }
    for (const fields of refused) {
      const answer = await postBill(server.url, accessToken, 'FY-0701', 'close', { pageCount: 1, ...fields });
      assert.ok([400, 413].includes(answer.status), `${JSON.stringify(fields).slice(0, 80)}: ${answer.status}`);
      if (answer.status === 400) assert.equal(answer.errcode, imagingErrcodes.badRequest);
    }
    const query = await fetch(`${server.url}/imaging/v1/bills/FY-0701?access_token=${accessToken}`);
    assert.equal(((await query.json()) as { data: { status: string } }).data.status, 'open', 'nothing refused changed the bill');
    // A code of 51 characters (the ERP keeps 50) is 2001 on every call, before any body is read; 50 are fine.
    for (const call of ['image-scan', 'void', 'close', 'return', 'rounds']) {
      const answer = await postBill(server.url, accessToken, `FY-${'9'.repeat(48)}`, call, { needImageScan: false, reason: 'x', pageCount: 1, round: 2 });
      assert.deepEqual([answer.status, answer.errcode], [400, imagingErrcodes.invalidImageCode], call);
    }
    assert.equal((await postBill(server.url, accessToken, `FY-${'9'.repeat(47)}`, 'image-scan', { needImageScan: false })).errcode, '0000');
    // 𠀀 is one character of a person's name (CJK Extension B): 50 of them fit the ERP's 50.
    const point = '𠀀'.repeat(50);
    const closed = await postBill(server.url, accessToken, 'FY-0701', 'close', { pageCount: 1, scanUser: 'u-1', scanPoint: point, scannedAt: '2026-12-06T08:30:00.000+08:00' });
    assert.deepEqual([closed.status, closed.errcode], [200, '0000']);
    assert.equal((closed.data as { scan: { scanPoint: string } }).scan.scanPoint, point);
  } finally {
    await server.close();
  }
});

test('image-scan: the marks are bounded (a client marking a million codes stops at the limit with 1001), unchanged marks are not rewritten, and a FIFO for image-scan.json does not stop the server starting', async () => {
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients, limits: { maxNoImageNeededCodes: 3 } });
  const file = path.join(dataDir, 'image-scan.json');
  try {
    const accessToken = (await token(server.url)).access_token ?? '';
    for (const code of ['FY-0801', 'FY-0802', 'FY-0803']) assert.equal((await postBill(server.url, accessToken, code, 'image-scan', { needImageScan: false })).errcode, '0000');
    const full = await postBill(server.url, accessToken, 'FY-0804', 'image-scan', { needImageScan: false });
    assert.deepEqual([full.status, full.errcode], [400, imagingErrcodes.badRequest]);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { noImageNeeded: ['FY-0801', 'FY-0802', 'FY-0803'] });
    // Marking a marked code again, or clearing one never marked, changes nothing and is still answered.
    const before = (await stat(file)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await postBill(server.url, accessToken, 'FY-0801', 'image-scan', { needImageScan: false })).errcode, '0000');
    assert.equal((await postBill(server.url, accessToken, 'FY-0899', 'image-scan', { needImageScan: true })).errcode, '0000');
    assert.equal((await stat(file)).mtimeMs, before, 'not rewritten');
    // A cleared mark makes room.
    assert.equal((await postBill(server.url, accessToken, 'FY-0802', 'image-scan', { needImageScan: true })).errcode, '0000');
    assert.equal((await postBill(server.url, accessToken, 'FY-0804', 'image-scan', { needImageScan: false })).errcode, '0000');
    // Many at once: still at most the limit, and the file is whole JSON.
    const many = await Promise.all(Array.from({ length: 20 }, (_, index) => postBill(server.url, accessToken, `FY-09${String(index).padStart(2, '0')}`, 'image-scan', { needImageScan: false })));
    assert.ok(many.every((answer) => answer.errcode === imagingErrcodes.badRequest));
    assert.equal((JSON.parse(await readFile(file, 'utf8')) as { noImageNeeded: string[] }).noImageNeeded.length, 3);
  } finally {
    await server.close();
  }
  if (process.platform === 'win32') return;
  const { execFileSync } = await import('node:child_process');
  const fifoDir = await makeTempDir();
  execFileSync('mkfifo', [path.join(fifoDir, 'image-scan.json')]);
  const started = await Promise.race([startReferenceImagingServer({ dataDir: fifoDir, clients }), new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000).unref())]);
  assert.ok(started, 'the server started (a FIFO once hung its start for good)');
  await started.close();
});

test('void, close, return, rounds and pages racing on one bill: the bill store serialises them, so every outcome is one the state machine allows', async () => {
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients });
  try {
    const accessToken = (await token(server.url)).access_token ?? '';
    for (let round = 0; round < 12; round += 1) {
      const code = `FY-RACE-${round}`;
      for (const page of [1, 2]) assert.equal(((await (await upload(server.url, accessToken, code, page, Buffer.from(`p${page}`), `race-key-${round}-${page}`)).json()) as { errcode: string }).errcode, '0000');
      const calls = [
        postBill(server.url, accessToken, code, 'close', { pageCount: 2 }),
        postBill(server.url, accessToken, code, 'void', { reason: 'raced' }),
        upload(server.url, accessToken, code, 3, Buffer.from('p3'), `race-key-${round}-3`).then(async (answer) => ({ status: answer.status, errcode: ((await answer.json()) as { errcode: string }).errcode })),
        postBill(server.url, accessToken, code, 'return', { reasonCode: 'UNCLEAR' }),
        postBill(server.url, accessToken, code, 'rounds', { round: 2 }),
      ];
      // All five are in flight at once: the server sees them in whatever order the sockets deliver.
      const [close, voided, page3, returned, rounds] = await Promise.all(calls);
      assert.equal(voided?.errcode, '0000', 'a void from 1, 2, 3 or 4 always succeeds');
      const bill = JSON.parse(await readFile(path.join(dataDir, 'bills', code, 'bill.json'), 'utf8')) as { status: string; pages: Record<string, unknown>; history?: unknown[] };
      assert.equal(bill.status, 'voided');
      if (page3?.errcode === '0000') assert.notEqual(close?.errcode, '0000', 'page 3 stored before the close: the close of 2 pages is refused');
      if (close?.errcode === '0000') assert.notEqual(page3?.errcode, '0000');
      if (returned?.errcode === '0000') assert.equal(close?.errcode, '0000', 'only a closed bill was returned');
      if (rounds?.errcode === '0000') assert.equal(returned?.errcode, '0000', 'a round opens only after a return');
      const held = Object.keys(bill.pages).sort();
      if (rounds?.errcode === '0000') assert.deepEqual(held, page3?.errcode === '0000' ? ['3'] : [], 'the new round starts empty');
      else assert.deepEqual(held, page3?.errcode === '0000' ? ['1', '2', '3'] : ['1', '2']);
      for (const answer of [close, page3, returned, rounds]) assert.ok(['0000', '2005', '2006', '2007', '2008', '2009', '2011'].includes(String(answer?.errcode)), JSON.stringify(answer));
    }
  } finally {
    await server.close();
  }
});

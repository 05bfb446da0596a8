import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isTrustedHttpSender } from '../../../electron/ipc/sender-check.js';
import { type BrowserServer, startBrowserServer } from '../../../electron/server/browser-server.js';
import { makeCoreHarness } from '../../helpers/core-harness.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

let server: BrowserServer;
let staticDir: string;

before(async () => {
  staticDir = await makeTempDir();
  await mkdir(path.join(staticDir, 'assets'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>shell</title>');
  await writeFile(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  const { dispatcher, core } = await makeCoreHarness({ runtime: 'browser', isTrustedSender: isTrustedHttpSender });
  server = await startBrowserServer({ dispatcher, staticDir, log: core.log, maxBodyBytes: 2048 });
});
after(() => server.close());

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so tests can send Host and Origin headers that fetch() would not allow. */
function request(method: string, pathname: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: pathname, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const call = (channel: string, args: unknown, headers: Record<string, string> = {}) =>
  request('POST', `/ipc/${channel}`, { 'content-type': 'application/json', 'x-scan-station-token': server.token, origin: server.origin, ...headers }, JSON.stringify(args));

test('binds 127.0.0.1 only and prints the token in the URL fragment', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
});

test('a call with the token reaches the real handlers', async () => {
  const response = await call('app:info', {});
  assert.equal(response.status, 200);
  const body = JSON.parse(response.body) as { ok: boolean; value: { runtime: string } };
  assert.equal(body.ok, true);
  assert.equal(body.value.runtime, 'browser');
  assert.equal(response.headers['cache-control'], 'no-store');
});

test('missing or wrong token → 401 bridge-unauthorized, and nothing is written', async () => {
  for (const token of ['', 'x'.repeat(32), `${server.token}x`]) {
    const response = await call('prefs:set', { language: 'en' }, { 'x-scan-station-token': token });
    assert.equal(response.status, 401);
    assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, 'bridge-unauthorized');
  }
  const prefs = JSON.parse((await call('prefs:get', {})).body) as { value: { language: string } };
  assert.equal(prefs.value.language, 'zh-CN');
});

test('foreign Host (DNS rebinding) → 421, foreign Origin → 403, even with the token', async () => {
  const rebinding = await call('app:info', {}, { host: `evil.example:${server.port}` });
  assert.equal(rebinding.status, 421);
  assert.equal((JSON.parse(rebinding.body) as { error: { code: string } }).error.code, 'bridge-bad-host');
  const page = await request('GET', '/', { host: 'evil.example' });
  assert.equal(page.status, 421);
  const crossOrigin = await call('app:info', {}, { origin: 'https://evil.example' });
  assert.equal(crossOrigin.status, 403);
  assert.equal((JSON.parse(crossOrigin.body) as { error: { code: string } }).error.code, 'bridge-bad-origin');
  const localhost = await call('app:info', {}, { host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` });
  assert.equal(localhost.status, 200);
});

test('bad requests: wrong method, content type, JSON, size; invalid arguments come back as results', async () => {
  assert.equal((await request('GET', '/ipc/app:info')).status, 405);
  assert.equal((await call('app:info', {}, { 'content-type': 'text/plain' })).status, 415);
  const notJson = await request('POST', '/ipc/app:info', { 'content-type': 'application/json', 'x-scan-station-token': server.token }, '{nope');
  assert.equal(notJson.status, 400);
  const huge = await request('POST', '/ipc/prefs:set', { 'content-type': 'application/json', 'x-scan-station-token': server.token }, JSON.stringify({ language: 'x'.repeat(5000) }));
  assert.equal(huge.status, 413);
  const invalid = JSON.parse((await call('prefs:set', { language: 'fr' })).body) as { ok: boolean; error: { code: string } };
  assert.deepEqual([invalid.ok, invalid.error.code], [false, 'invalid-arguments']);
  const unknown = JSON.parse((await call('fs:readFile', {})).body) as { error: { code: string } };
  assert.equal(unknown.error.code, 'unknown-channel');
});

test('static files carry the CSP; traversal is refused; client routes fall back to the shell', async () => {
  const index = await request('GET', '/');
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-security-policy']), /script-src 'self'/);
  assert.equal(index.headers['x-frame-options'], 'DENY');
  const asset = await request('GET', '/assets/app.js');
  assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.match(String(asset.headers['cache-control']), /immutable/);
  for (const attempt of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
    const response = await request('GET', attempt);
    assert.ok(!response.body.includes('root:'), attempt);
  }
  assert.equal((await request('GET', '/assets/missing.js')).status, 404);
  assert.match((await request('GET', '/settings')).body, /shell/);
  assert.equal((await request('DELETE', '/')).status, 405);
});

test('events reach subscribers over SSE only with a one-time ticket; the token never goes in a URL', async () => {
  assert.equal((await request('GET', '/events?ticket=wrong')).status, 401);
  assert.equal((await request('GET', `/events?token=${server.token}`)).status, 401, 'the token itself does not open the stream');
  assert.equal((await request('POST', '/events-ticket')).status, 401, 'a ticket needs the token header');
  const newTicket = async () => (JSON.parse((await request('POST', '/events-ticket', { 'x-scan-station-token': server.token })).body) as { ticket?: string }).ticket ?? '';
  const ticket = await newTicket();
  const open = (which = ticket) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: `/events?ticket=${which}`, headers: { host: `127.0.0.1:${server.port}` } }, resolve).on('error', reject);
    });
  const received: string[] = [];
  const stream = await open();
  // Another page's stream: it must not hear this caller's job.
  const other = await open(await newTicket());
  const overheard: string[] = [];
  other.on('data', (chunk: Buffer) => overheard.push(chunk.toString('utf8')));
  const replay = await open();
  assert.equal(replay.statusCode, 401, 'a ticket opens one stream only');
  replay.destroy();
  assert.equal(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
  stream.on('data', (chunk: Buffer) => received.push(chunk.toString('utf8')));
  const result = JSON.parse((await call('diagnose:stationCheck', { jobId: 'sse-1' }, { 'x-scan-station-stream': ticket })).body) as { ok: boolean };
  assert.equal(result.ok, true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  // A station-wide change is pushed to every open page (not one caller's job).
  server.broadcast('station:changed', { revision: 7, counts: { receiving: 0, held: 1, review: 0, ready: 2, sending: 0, sentToday: 3 } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  stream.destroy();
  other.destroy();
  assert.ok(!overheard.join('').includes('sse-1'), 'progress goes to the caller’s stream only');
  assert.ok(overheard.join('').includes('"event":"station:changed"'), 'the change reaches the other page too');
  assert.ok(received.join('').includes('"sentToday":3'));
  const frames = received.join('').split('\n\n').filter((frame) => frame.startsWith('data: ') && !frame.includes('station:changed'));
  assert.equal(frames.length, 5);
  const first = JSON.parse(frames[0]?.slice('data: '.length) ?? '{}') as { event: string; payload: { jobId: string } };
  assert.deepEqual([first.event, first.payload.jobId], ['diagnose:progress', 'sse-1']);
});

import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createMemoryLogger } from '../../../electron/core/log/logger.js';
import { isTrustedHttpSender } from '../../../electron/ipc/sender-check.js';
import { bridgeLimits, isJsonContentType, startBrowserServer, type BrowserServer } from '../../../electron/server/browser-server.js';
import { makeCoreHarness } from '../../helpers/core-harness.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

// The probes of the hardening review, rerun against the real server on loopback: each must be
// refused, bounded in count and time, and none may cost the server memory, log history or workers.
let server: BrowserServer;
let log: ReturnType<typeof createMemoryLogger>;
let closeCore: () => Promise<void>;

before(async () => {
  const staticDir = await makeTempDir();
  await mkdir(path.join(staticDir, 'assets'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>shell</title>');
  await writeFile(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(staticDir, 'assets', 'app.js.map'), '{"sources":["secret.ts"]}');
  await symlink('/etc/passwd', path.join(staticDir, 'assets', 'passwd.js'));
  await symlink('/etc', path.join(staticDir, 'etc'));
  const harness = await makeCoreHarness({ runtime: 'browser', isTrustedSender: isTrustedHttpSender });
  closeCore = () => harness.core.close();
  log = createMemoryLogger();
  server = await startBrowserServer({ dispatcher: harness.dispatcher, staticDir, log, maxBodyBytes: 4096 });
});
after(async () => {
  await server.close();
  await closeCore();
});

/** Sends raw bytes and resolves with what came back and whether the server closed the connection. */
function raw(bytes: string | Buffer, options: { waitMs?: number; keepWriting?: Buffer } = {}): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(server.port, '127.0.0.1');
    let text = '';
    let closed = false;
    let writer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearInterval(writer);
      resolve({ text, closed, ms: Date.now() - started });
    });
    socket.write(bytes);
    if (options.keepWriting) writer = setInterval(() => socket.writable && socket.write(options.keepWriting as Buffer), 5);
    setTimeout(() => {
      clearInterval(writer);
      if (!closed) {
        socket.destroy();
        resolve({ text, closed: false, ms: Date.now() - started });
      }
    }, options.waitMs ?? 1500);
  });
}

const host = () => `127.0.0.1:${server.port}`;
const status = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

test('malformed targets are refused before anything is logged per request; a flood writes a bounded number of lines', async () => {
  const before = log.records.length;
  for (let i = 0; i < 120; i += 1) {
    const reply = await raw(`GET http://[ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    assert.ok([400].includes(status(reply.text)), reply.text.slice(0, 40));
  }
  const written = log.records.length - before;
  assert.ok(written <= bridgeLimits.refusalsLoggedPerMinute + 1, `${written} log lines for 120 refusals`);
  assert.equal(status((await raw(`GET http://${host()}/ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`)).text), 400, 'absolute-form target');
  assert.equal(status((await raw(`GET / HTTP/1.1\r\nHost: ${host()}\r\nHost: evil.example\r\n\r\n`)).text), 421, 'two Host headers');
  assert.equal(status((await raw(`POST /ipc/app%ZZinfo HTTP/1.1\r\nHost: ${host()}\r\nx-scan-station-token: ${server.token}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`)).text), 400, 'bad % in the channel');
});

test('only exactly application/json is accepted as a call body', async () => {
  for (const type of ['application/json-patch+json', 'application/json.evil', 'text/plain', 'application/jsonx']) assert.equal(isJsonContentType(type), false, type);
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) assert.equal(isJsonContentType(type), true, type);
  const reply = await raw(`POST /ipc/app:info HTTP/1.1\r\nHost: ${host()}\r\nx-scan-station-token: ${server.token}\r\ncontent-type: application/json-patch+json\r\ncontent-length: 2\r\n\r\n{}`);
  assert.equal(status(reply.text), 415);
});

test('a refused call closes the connection instead of reading its body; a chunked body stops at the limit', async () => {
  // 401 with a huge declared body that keeps coming: answered and closed at once.
  const unauth = await raw(`POST /ipc/app:info HTTP/1.1\r\nHost: ${host()}\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\n\r\n`, { keepWriting: Buffer.alloc(64 * 1024, 32), waitMs: 3000 });
  assert.deepEqual([status(unauth.text), unauth.closed], [401, true]);
  assert.ok(unauth.ms < 1500, `${unauth.ms} ms`);
  // With the token, a chunked body past the limit: 413 and closed, not read to the end.
  const chunk = Buffer.from(`1000\r\n${'x'.repeat(0x1000)}\r\n`);
  const chunked = await raw(`POST /ipc/app:info HTTP/1.1\r\nHost: ${host()}\r\nx-scan-station-token: ${server.token}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`, { keepWriting: chunk, waitMs: 3000 });
  assert.deepEqual([status(chunked.text), chunked.closed], [413, true]);
  assert.ok(chunked.ms < 1500, `${chunked.ms} ms`);
});

test('event streams and tickets are capped; connections beyond the cap are dropped', async () => {
  const ticket = async () => {
    const reply = await raw(`POST /events-ticket HTTP/1.1\r\nHost: ${host()}\r\nx-scan-station-token: ${server.token}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    return /"ticket":"([^"]+)"/.exec(reply.text)?.[1] ?? '';
  };
  const sockets: net.Socket[] = [];
  const open = async () => {
    const id = await ticket();
    const socket = net.connect(server.port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    const first = await new Promise<string>((resolve) => {
      socket.once('data', (data) => resolve(data.toString('latin1')));
      socket.write(`GET /events?ticket=${id} HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    });
    return status(first);
  };
  const statuses: number[] = [];
  for (let i = 0; i < bridgeLimits.maxStreams + 2; i += 1) statuses.push(await open());
  assert.deepEqual(statuses, [...Array(bridgeLimits.maxStreams).fill(200), 429, 429]);
  for (const socket of sockets) socket.destroy();
  // Connections: the ones past the cap are closed by the server without an answer.
  const many = Array.from({ length: bridgeLimits.maxConnections + 6 }, () => net.connect(server.port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const closed = many.filter((socket) => socket.destroyed || socket.readyState === 'closed' || socket.readableEnded).length;
  for (const socket of many) socket.destroy();
  assert.ok(closed >= 1, 'connections past the cap are refused');
});

test('the static folder serves neither source maps nor anything behind a symbolic link', async () => {
  for (const target of ['/assets/app.js.map', '/assets/passwd.js', '/etc/passwd', '/etc/hostname']) {
    const reply = await raw(`GET ${target} HTTP/1.1\r\nHost: ${host()}\r\nconnection: close\r\n\r\n`);
    assert.ok(!reply.text.includes('root:') && !reply.text.includes('secret.ts'), target);
    assert.ok([404].includes(status(reply.text)) || !/\r\n\r\n[\s\S]*root/.test(reply.text), `${target}: ${reply.text.slice(0, 60)}`);
  }
  assert.equal(status((await raw(`GET /assets/app.js HTTP/1.1\r\nHost: ${host()}\r\nconnection: close\r\n\r\n`)).text), 200);
});

test('an upload named like a path or with terminal escapes is refused by the contract', async () => {
  for (const name of ['../../../etc/passwd', 'a/b.pdf', 'x\u001b[31m.pdf', 'invoice\u202efdp.exe']) {
    const body = JSON.stringify({ jobId: 'probe-1', name, dataBase64: 'JVBERi0=', dpi: 200 });
    const reply = await raw(`POST /ipc/templateCheck:inspect HTTP/1.1\r\nHost: ${host()}\r\nx-scan-station-token: ${server.token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    assert.match(reply.text, /"code":"invalid-arguments"/, JSON.stringify(name));
    assert.match(reply.text, /"fields":"name"/, JSON.stringify(name));
  }
});

test('a client that sends its headers too slowly is cut off after the header timeout', async () => {
  const harness = await makeCoreHarness({ runtime: 'browser', isTrustedSender: isTrustedHttpSender });
  const slow = await startBrowserServer({ dispatcher: harness.dispatcher, staticDir: await makeTempDir(), log: createMemoryLogger(), headersTimeoutMs: 1000 });
  try {
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      const socket = net.connect(slow.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${slow.port}\r\n`);
      // One header byte a while: never finishing the headers.
      const drip = setInterval(() => socket.writable && socket.write('X'), 200);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
      setTimeout(() => socket.destroy(), 8000);
    });
    assert.ok(closedAfter < 4000, `closed after ${closedAfter} ms`);
  } finally {
    await slow.close();
    await harness.core.close();
  }
});

test('a table of hostile requests: none is accepted; hundreds of streams and concurrent calls stay bounded', async () => {
  const token = server.token;
  const json = (body: string, extra = '') => `POST /ipc/app:info HTTP/1.1\r\nHost: ${host()}\r\n${extra}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
  const refusedAs: Array<[string, number]> = [
    [json('{}'), 401],
    [json('{}', 'x-scan-station-token: wrong\r\n'), 401],
    [json('{}', `x-scan-station-token: ${token}\r\norigin: http://evil.example\r\n`), 403],
    [json('{}', `x-scan-station-token: ${token}\r\norigin: null\r\n`), 403],
    [`OPTIONS /ipc/app:info HTTP/1.1\r\nHost: ${host()}\r\norigin: http://evil.example\r\naccess-control-request-method: POST\r\nconnection: close\r\n\r\n`, 405],
    [`GET /ipc/app:info HTTP/1.1\r\nHost: ${host()}\r\nconnection: close\r\n\r\n`, 405],
    [`POST /ipc/app:info HTTP/1.1\r\nHost: evil.example\r\nx-scan-station-token: ${token}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`, 421],
    [`GET /../../etc/passwd HTTP/1.1\r\nHost: ${host()}\r\nconnection: close\r\n\r\n`, 200],
    [`GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: ${host()}\r\nconnection: close\r\n\r\n`, 200],
    [`GET /events HTTP/1.1\r\nHost: ${host()}\r\nconnection: close\r\n\r\n`, 401],
  ];
  for (const [request, expected] of refusedAs) {
    const reply = await raw(request);
    assert.equal(status(reply.text), expected, request.split('\r\n')[0]);
    assert.ok(!reply.text.includes('root:') && !/"ok":true/.test(reply.text), request.split('\r\n')[0]);
  }
  // Malformed JSON and prototype pollution reach the contract as data and are refused there.
  for (const body of ['{"a":', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}']) {
    const reply = await raw(json(body, `x-scan-station-token: ${token}\r\n`));
    assert.match(reply.text, /"ok":false/, body);
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  // 300 calls at once: every one answered, the server still up.
  const calls = await Promise.all(Array.from({ length: 300 }, () => raw(json('{}', `x-scan-station-token: ${token}\r\n`), { waitMs: 10_000 })));
  assert.equal(calls.filter((reply) => /"ok":true/.test(reply.text)).length, 300);
});

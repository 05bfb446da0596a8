// The reference eSCL scanner as a service on a port, against clients that misbehave: malformed requests, huge bodies and headers, slow or many connections, odd job ids. It must stay up and bounded.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startReferenceScanner, type ReferenceScanner, type ReferenceScannerLimits } from '../../../../electron/core/scanner/escl-server.js';
import { readScanSettings } from '../../../../electron/core/scanner/escl-server-xml.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

let pages = '';
before(async () => {
  pages = await writeStack([{ kind: 'cover', code: 'FY-2026-000777' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
});

const running: ReferenceScanner[] = [];
after(async () => {
  await Promise.all(running.map((scanner) => scanner.close()));
});

async function start(limits: Partial<ReferenceScannerLimits> = {}): Promise<{ scanner: ReferenceScanner; port: number }> {
  const scanner = await startReferenceScanner({ port: 0, pages, limits });
  running.push(scanner);
  return { scanner, port: Number(new URL(scanner.url).port) };
}

/** A raw connection: what it sends, everything it got back, and whether (and when) the scanner closed it. */
function connect(port: number): { socket: net.Socket; received: () => string; closed: Promise<number> } {
  const socket = net.connect(port, '127.0.0.1');
  const started = Date.now();
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    if (data.length < 1_000_000) data += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  return { socket, received: () => data, closed };
}

/** Whether the scanner still answers a plain status request. */
async function answers(scanner: ReferenceScanner): Promise<boolean> {
  const answer = await fetch(`${scanner.url}/ScannerStatus`, { signal: AbortSignal.timeout(3000) });
  return answer.status === 200 && (await answer.text()).includes('ScannerStatus');
}

const within = async (promise: Promise<number>, ms: number, what: string) => {
  const result = await Promise.race([promise, new Promise<number>((resolve) => setTimeout(() => resolve(-1), ms).unref())]);
  assert.ok(result >= 0, `${what}: still open after ${ms} ms`);
  return result;
};

test('malformed requests, huge headers and odd targets get an error answer; the scanner stays up', async () => {
  const { scanner, port } = await start();
  for (const raw of [
    'GARBAGE\r\n\r\n',
    'GET /eSCL/ScannerStatus HTTP/9.9\r\n\r\n',
    `GET /eSCL/ScannerStatus HTTP/1.1\r\nHost: x\r\nX-Junk: ${'j'.repeat(100_000)}\r\n\r\n`,
    'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n',
    'POST /eSCL/ScanJobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    'POST /eSCL/ScanJobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'GET /eSCL/ScannerStatus HTTP/1.1\r\nHost: x\r\n\0\r\n\r\n',
  ]) {
    const client = connect(port);
    client.socket.write(raw);
    const answered = new Promise<number>((resolve) => client.socket.on('data', () => /\r\n\r\n/.test(client.received()) && resolve(0)));
    await within(Promise.race([answered, client.closed]), 3000, JSON.stringify(raw.slice(0, 40)));
    // A request the scanner cannot take is the client's fault (4xx), never an internal error.
    assert.match(client.received(), /^HTTP\/1\.[01] 4\d\d /, JSON.stringify(raw.slice(0, 40)));
    client.socket.destroy();
  }
  assert.ok(await answers(scanner));
});

test('job ids: traversal, encoded slashes and unknown ids are no job; a job is reached by its own id only', async () => {
  const { scanner, port } = await start();
  const targets = [
    ['GET', '/eSCL/ScanJobs/..%2f..%2fetc%2fpasswd/NextDocument'],
    ['GET', '/eSCL/ScanJobs/%2e%2e/%2e%2e/NextDocument'],
    ['DELETE', '/eSCL/ScanJobs/..%2F'],
    ['GET', '/eSCL/ScanJobs/a/b/c/d/e/NextDocument'],
    ['GET', `/eSCL/ScanJobs/${'x'.repeat(7000)}/NextDocument`],
    ['DELETE', '/eSCL/ScanJobs/'],
    ['GET', '/eSCL/../../etc/passwd'],
  ];
  for (const [method, target] of targets) {
    const client = connect(port);
    client.socket.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await within(client.closed, 3000, target as string);
    assert.match(client.received(), /^HTTP\/1\.1 (404|405) /, `${method} ${target}`);
  }
  assert.ok(await answers(scanner));
});

test('bodies: one declared too big is refused at once, one streaming forever is cut off, a body on a GET does not hold the connection', async () => {
  const { scanner, port } = await start({ requestTimeoutMs: 800, headersTimeoutMs: 500 });
  const declared = connect(port);
  declared.socket.write('POST /eSCL/ScanJobs HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000000000\r\n\r\n<a>');
  await within(declared.closed, 2000, 'a declared 1 GB body');
  assert.match(declared.received(), /^HTTP\/1\.1 413 /);

  // Chunks without end: refused once over 64 KB and the connection closed, however much more comes.
  for (const method of ['POST /eSCL/ScanJobs', 'GET /eSCL/ScannerStatus', 'POST /eSCL/ScannerStatus']) {
    const endless = connect(port);
    endless.socket.write(`${method} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = `4000\r\n${'a'.repeat(0x4000)}\r\n`;
    const timer = setInterval(() => {
      if (!endless.socket.destroyed) endless.socket.write(chunk);
    }, 5);
    try {
      await within(endless.closed, 3000, `${method} with an endless body`);
    } finally {
      clearInterval(timer);
    }
  }
  assert.ok(await answers(scanner));
});

test('a slowloris client is cut off; many connections are bounded and the scanner answers again after them', async () => {
  const { scanner, port } = await start({ headersTimeoutMs: 400, requestTimeoutMs: 800, idleTimeoutMs: 1000, maxConnections: 20 });
  const slow = connect(port);
  slow.socket.write('GET /eSCL/ScannerStatus HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => {
    if (!slow.socket.destroyed) slow.socket.write('X-A: b\r\n');
  }, 100);
  try {
    await within(slow.closed, 2500, 'a slowloris client');
  } finally {
    clearInterval(drip);
  }
  // A slow body after complete headers: cut off by the request time.
  const slowBody = connect(port);
  slowBody.socket.write('POST /eSCL/ScanJobs HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
  const bodyDrip = setInterval(() => {
    if (!slowBody.socket.destroyed) slowBody.socket.write('a');
  }, 100);
  try {
    await within(slowBody.closed, 3000, 'a body dripping in');
  } finally {
    clearInterval(bodyDrip);
  }

  const idle = Array.from({ length: 60 }, () => connect(port));
  // Every silent connection is closed: those over the limit at once, the others when their headers are overdue.
  await Promise.all(idle.map((client, index) => within(client.closed, 4000, `idle connection ${index}`)));
  assert.ok(await answers(scanner));
});

test('a settings document that is a flood of elements is refused before parsing (the scanner has one thread)', async () => {
  const flood = `<scan:ScanSettings xmlns:scan="s">${'<a/>'.repeat(16_000)}</scan:ScanSettings>`;
  const started = performance.now();
  assert.equal(readScanSettings(flood), null);
  assert.ok(performance.now() - started < 30, `${Math.round(performance.now() - started)} ms`);
  const { scanner } = await start();
  const answer = await fetch(`${scanner.url}/ScanJobs`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: flood });
  assert.equal(answer.status, 400);
  assert.ok(await answers(scanner));
});

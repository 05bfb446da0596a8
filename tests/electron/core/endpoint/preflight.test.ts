import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { defaultEndpointSettings, type EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { runPreflight, type PreflightReport } from '../../../../electron/core/endpoint/preflight.js';
import { effectiveProxy } from '../../../../electron/core/net/proxy.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { startTestProxy } from '../../../helpers/http-proxy.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const settings = (apiAddress: string, extra: Partial<EndpointSettings> = {}): EndpointSettings => ({ ...defaultEndpointSettings, host: new URL(apiAddress).hostname, apiAddress, clientId: 'station-test', ...extra });
const step = (report: PreflightReport, id: string) => report.steps.find((candidate) => candidate.id === id);
const noEnv = {};

/** An HTTPS server with a fresh self-signed certificate for 127.0.0.1 and localhost (made by openssl). */
async function selfSignedServer(): Promise<{ server: https.Server; cert: string }> {
  const dir = await makeTempDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  return { server: https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (_req, res) => res.end('ok')), cert };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('against the reference imaging server every step passes and a token is obtained', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-test': 's3cret' } });
  try {
    const report = await runPreflight({ settings: settings(server.url), clientSecret: 's3cret', env: noEnv });
    assert.equal(report.ok, true, JSON.stringify(report.steps));
    assert.deepEqual(report.steps.map((entry) => `${entry.id}:${entry.status}`), ['settings:pass', 'proxy:pass', 'dns:pass', 'tcp:pass', 'tls:skipped', 'http:pass', 'auth:pass', 'clock:pass', 'whitelist:skipped', 'folder:skipped']);
    assert.equal(step(report, 'auth')?.code, 'auth-ok');
  } finally {
    await server.close();
  }
});

test('a closed port fails at tcp with connection-refused; the rest is skipped, not waited for', async () => {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const report = await runPreflight({ settings: settings(`http://127.0.0.1:${port}`), env: noEnv });
  assert.deepEqual([report.ok, step(report, 'tcp')?.status, step(report, 'tcp')?.code], [false, 'fail', 'connection-refused']);
  assert.equal(step(report, 'http')?.status, 'skipped');
});

test('a self-signed HTTPS server fails tls as untrusted, and passes once its CA is configured', async () => {
  const { server, cert } = await selfSignedServer();
  const port = await listen(server);
  try {
    const apiAddress = `https://127.0.0.1:${port}/api`;
    const profile = settings(apiAddress, { preset: 'private', scheme: 'https', port: 443 });
    const untrusted = await runPreflight({ settings: profile, env: noEnv });
    assert.deepEqual([step(untrusted, 'tls')?.status, step(untrusted, 'tls')?.code], ['fail', 'untrusted-certificate']);
    const trusted = await runPreflight({ settings: profile, caPem: cert, env: noEnv });
    assert.deepEqual([step(trusted, 'tls')?.status, step(trusted, 'http')?.status], ['pass', 'pass']);
    // No secret was given: everything passes but authentication, which cannot be checked and fails.
    assert.deepEqual(trusted.steps.filter((one) => one.status === 'fail').map((one) => [one.id, one.code]), [['auth', 'auth-no-secret']]);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('HTTP 200 with errcode "1300" is an authentication failure', async () => {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ errcode: '1300', description: 'sign error' }));
  });
  const port = await listen(server);
  try {
    const report = await runPreflight({ settings: settings(`http://127.0.0.1:${port}`), clientSecret: 'x', env: noEnv });
    assert.deepEqual([step(report, 'auth')?.status, step(report, 'auth')?.code, step(report, 'auth')?.params['errcode']], ['fail', 'auth-refused', '1300']);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a server that never answers times out within the step limit', async () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => sockets.push(socket));
  const port = await listen(server);
  try {
    const started = Date.now();
    const report = await runPreflight({ settings: settings(`http://127.0.0.1:${port}`), env: noEnv, timeouts: { httpMs: 800 } });
    assert.deepEqual([step(report, 'tcp')?.status, step(report, 'http')?.status, step(report, 'http')?.code], ['pass', 'fail', 'timeout']);
    assert.ok((step(report, 'http')?.ms ?? 0) < 1500, 'the step stops at its limit');
    assert.ok(Date.now() - started < 5000);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('an unresolvable .invalid name fails at dns, quickly', async () => {
  const started = Date.now();
  const report = await runPreflight({ settings: settings('http://imaging.scan-station.invalid'), env: noEnv });
  assert.deepEqual([step(report, 'dns')?.status, step(report, 'dns')?.code], ['fail', 'dns-not-found']);
  assert.ok(Date.now() - started < 15_000);
});

test('invalid settings fail the first step and skip the network; match mode checks the invoice-cloud whitelist', async () => {
  const bad = await runPreflight({ settings: { ...settings('http://127.0.0.1:9'), code: 'XYZ' }, env: noEnv });
  assert.deepEqual([step(bad, 'settings')?.code, step(bad, 'dns')?.status], ['settings-invalid', 'skipped']);
  const closed = net.createServer();
  const port = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const match = await runPreflight({ settings: { ...settings('http://127.0.0.1:9/api'), preset: 'private', mode: 'match' }, env: noEnv, whitelistTargets: [{ host: '127.0.0.1', port }] });
  assert.deepEqual([step(match, 'whitelist')?.status, step(match, 'whitelist')?.code], ['fail', 'whitelist-unreachable']);
});

test('proxies: settings first, then HTTPS_PROXY/HTTP_PROXY, NO_PROXY respected', () => {
  const url = new URL('https://api.piaozone.com');
  assert.equal(effectiveProxy(url, undefined, { HTTPS_PROXY: 'http://proxy:3128' }), 'http://proxy:3128');
  assert.equal(effectiveProxy(url, 'http://mine:8080', { HTTPS_PROXY: 'http://proxy:3128' }), 'http://mine:8080');
  assert.equal(effectiveProxy(url, undefined, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.piaozone.com' }), null);
  assert.equal(effectiveProxy(new URL('http://10.1.2.3/api'), undefined, { HTTPS_PROXY: 'http://proxy:3128' }), null);
});

test('through an HTTP proxy: CONNECT for https (with the custom CA), absolute-form for http, NO_PROXY goes direct', async () => {
  const { server: secure, cert } = await selfSignedServer();
  const securePort = await listen(secure);
  const imaging = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-test': 's3cret' } });
  const proxy = await startTestProxy();
  try {
    const viaProxy = { ...settings(`https://localhost:${securePort}/api`, { preset: 'private', scheme: 'https', port: 443, host: 'localhost' }), proxy: proxy.url, caCertificatePem: cert };
    const tunnelled = await runPreflight({ settings: viaProxy, env: noEnv });
    assert.deepEqual(tunnelled.steps.filter((one) => one.status === 'fail').map((one) => one.id), ['auth'], JSON.stringify(tunnelled.steps));
    assert.deepEqual(['proxy', 'dns', 'tcp', 'tls', 'http'].map((id) => step(tunnelled, id)?.code), ['proxy-in-use', 'dns-by-proxy', 'tcp-ok-proxy', 'tls-ok', 'http-ok']);
    // tcp, tls and http each open their own tunnel: nothing went direct.
    assert.equal(proxy.seen.filter((line) => line === `CONNECT localhost:${securePort}`).length, 3, proxy.seen.join('\n'));

    const plain = await runPreflight({ settings: settings(`${imaging.url}/api`, { preset: 'private' }), clientSecret: 's3cret', env: { HTTP_PROXY: proxy.url } });
    assert.equal(plain.ok, true, JSON.stringify(plain.steps));
    assert.equal(step(plain, 'auth')?.code, 'auth-ok');
    assert.ok(proxy.seen.some((line) => line.startsWith('POST http://127.0.0.1') && line.endsWith('/api/base/oauth/token')), proxy.seen.join('\n'));

    const before = proxy.seen.length;
    const direct = await runPreflight({ settings: settings(imaging.url), clientSecret: 's3cret', env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    assert.deepEqual([direct.ok, step(direct, 'proxy')?.code, proxy.seen.length], [true, 'proxy-none', before]);
  } finally {
    await proxy.close();
    await imaging.close();
    secure.closeAllConnections();
    await new Promise<void>((resolve) => secure.close(() => resolve()));
  }
});

test('a proxy that refuses the tunnel fails with proxy-refused; one that wants a login with proxy-auth-required', async () => {
  for (const [status, code] of [[403, 'proxy-refused'], [407, 'proxy-auth-required']] as const) {
    const proxy = await startTestProxy({ refuse: status });
    try {
      const report = await runPreflight({ settings: settings('https://imaging.example.com/api', { preset: 'private', scheme: 'https', port: 443, host: 'imaging.example.com', proxy: proxy.url }), env: noEnv });
      assert.deepEqual([report.ok, step(report, 'tcp')?.code, step(report, 'tls')?.status], [false, code, 'skipped']);
    } finally {
      await proxy.close();
    }
  }
});

test('the folder adapter checks its folder instead of the network', async () => {
  const folder = await makeTempDir();
  const folderSettings = (folderPath: string): EndpointSettings => ({ ...defaultEndpointSettings, adapter: 'folder', folderPath });
  const good = await runPreflight({ settings: folderSettings(folder), env: noEnv });
  assert.deepEqual([good.ok, step(good, 'folder')?.code, step(good, 'dns')?.code], [true, 'folder-ok', 'network-not-used']);
  const missing = await runPreflight({ settings: folderSettings(path.join(folder, 'nope')), env: noEnv });
  assert.deepEqual([missing.ok, step(missing, 'folder')?.code], [false, 'folder-missing']);
});

test('a host that drops packets costs at most the dns and tcp limits, well under 15 s', async () => {
  // 192.0.2.1 is TEST-NET-1: never routed, so the connection is refused by the network or times out.
  const started = Date.now();
  const report = await runPreflight({ settings: settings('http://192.0.2.1:8080/api', { preset: 'private' }), env: noEnv });
  assert.equal(report.ok, false);
  assert.equal(step(report, 'tcp')?.status, 'fail');
  assert.deepEqual(['tls', 'http', 'auth', 'clock'].map((id) => step(report, id)?.status), ['skipped', 'skipped', 'skipped', 'skipped']);
  assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
});

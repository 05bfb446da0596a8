import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Bonjour, type Service } from 'bonjour-service';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { describeService, discoverEsclScanners } from '../../../../electron/core/scanner/discover-scanners.js';
import { createEsclDriver } from '../../../../electron/core/scanner/escl-client.js';
import { startReferenceScanner } from '../../../../electron/core/scanner/escl-server.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** Whether mDNS multicast works here: an advertisement on this host is seen by a browser on it. */
async function multicastWorks(): Promise<boolean> {
  const probe = `probe-${randomUUID()}`;
  const publisher = new Bonjour(undefined, () => undefined);
  const browser = new Bonjour(undefined, () => undefined);
  publisher.publish({ name: probe, type: 'http', port: 9 });
  const seen = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 3000);
    browser.find({ type: 'http' }, (service: Service) => {
      if (service.name === probe) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  await new Promise<void>((resolve) => browser.destroy(() => resolve()));
  await new Promise<void>((resolve) => publisher.unpublishAll(() => publisher.destroy(() => resolve())));
  return seen;
}

test('a scanner advertised over mDNS (_uscan and _uscans) is found with its base URL and model name', async (t) => {
  if (!(await multicastWorks())) {
    t.skip('mDNS multicast does not reach this host from itself (no multicast route in this sandbox); discovery untested here');
    return;
  }
  const tag = randomUUID().slice(0, 8);
  const publisher = new Bonjour(undefined, () => undefined);
  publisher.publish({ name: `Scan Station test ${tag}`, type: 'uscan', port: 18080, txt: { rs: 'eSCL', ty: `Model ${tag}`, uuid: `u-${tag}`, is: 'adf,platen', duplex: 'T' } });
  // Another device offering only HTTPS, without rs: the base path is eSCL.
  publisher.publish({ name: `Scan Station secure ${tag}`, type: 'uscans', port: 18443, txt: { ty: `Secure ${tag}`, uuid: `s-${tag}` } });
  // The first device also over HTTPS: listed once, over HTTP.
  publisher.publish({ name: `Scan Station test ${tag} (TLS)`, type: 'uscans', port: 18444, txt: { rs: 'eSCL', ty: `Model ${tag}`, uuid: `u-${tag}` } });
  try {
    const controller = new AbortController();
    const started = Date.now();
    const found = await discoverEsclScanners({ timeoutMs: 3000, signal: controller.signal });
    assert.ok(Date.now() - started < 4500);
    const ours = found.filter((device) => device.name.endsWith(tag));
    assert.equal(ours.length, 2, JSON.stringify(found));
    const plain = ours.find((device) => device.name === `Model ${tag}`);
    assert.match(plain?.id ?? '', /^http:\/\/\d+\.\d+\.\d+\.\d+:18080\/eSCL$/);
    assert.equal(plain?.origin, 'discovered');
    assert.equal(plain?.kind, 'escl');
    assert.match(ours.find((device) => device.name === `Secure ${tag}`)?.id ?? '', /^https:\/\/\d+\.\d+\.\d+\.\d+:18443\/eSCL$/);
    // An abort ends a round at once.
    const aborted = new AbortController();
    setTimeout(() => aborted.abort(), 100);
    const quick = Date.now();
    await discoverEsclScanners({ timeoutMs: 10_000, signal: aborted.signal });
    assert.ok(Date.now() - quick < 1500);
  } finally {
    await new Promise<void>((resolve) => publisher.unpublishAll(() => publisher.destroy(() => resolve())));
  }
});

test('the reference scanner advertised on every interface is found, and the found address answers', async (t) => {
  if (!(await multicastWorks())) {
    t.skip('mDNS multicast does not reach this host from itself (no multicast route in this sandbox); discovery untested here');
    return;
  }
  const pages = await writeStack([{ kind: 'blank' }], await makeTempDir(), 'jpeg-folder', 100);
  const scanner = await startReferenceScanner({ host: '0.0.0.0', port: 0, pages, advertise: true, name: `Scan Station discovery ${randomUUID().slice(0, 8)}` });
  try {
    const port = new URL(scanner.url).port;
    const found = (await discoverEsclScanners({ timeoutMs: 3000 })).find((device) => device.id.endsWith(`:${port}/eSCL`));
    assert.ok(found, 'the advertised scanner is among those found');
    assert.equal(found.name, 'Scan Station reference scanner');
    const driver = createEsclDriver({ device: found, log: createMemoryLogger(), timeoutMs: 3000 });
    assert.equal((await driver.readCapabilities(new AbortController().signal)).makeAndModel, 'Scan Station reference scanner');
  } finally {
    await scanner.close();
  }
});

test('a service record becomes a device: rs, ty, IPv4 first, a link-local IPv6 never', () => {
  const service = (extra: Partial<Service>) => ({ name: 'Brother MFC [3c2af4]', port: 80, host: 'brn3c2af4.local', addresses: ['fe80::1', '192.168.1.20'], txt: { ty: 'Brother MFC-L8690CDW series', rs: '/eSCL/' }, ...extra }) as unknown as Service;
  assert.deepEqual(describeService(service({}), false), { id: 'http://192.168.1.20/eSCL', kind: 'escl', name: 'Brother MFC-L8690CDW series', origin: 'discovered', uuid: null });
  assert.equal(describeService(service({ addresses: ['fe80::1', 'fd00::20'], port: 443 }), true)?.id, 'https://[fd00::20]/eSCL');
  assert.equal(describeService(service({ addresses: ['fe80::1'] }), false)?.id, 'http://brn3c2af4.local/eSCL');
  assert.equal(describeService(service({ txt: { rs: '' } }), false)?.id, 'http://192.168.1.20');
  assert.equal(describeService(service({ txt: {} }), false)?.name, 'Brother MFC [3c2af4]');
  assert.equal(describeService(service({ port: 0 }), false), null);
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { defaultEndpointSettings, secretEndpointOf, type EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { makeCoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const secret = 'S3cret-for-station-Ж';
const noEvents = () => undefined;
const isCoreError = (code: string) => (error: unknown) => error instanceof CoreError && error.code === code;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test('saving: profiles with errors are refused; the secret is sealed and never in the profile, an export, the log or an error', async () => {
  const { core, dispatcher, records, dataDir } = await makeCoreHarness();
  try {
    const imaging = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-9': secret } });
    const profile: EndpointSettings = { ...defaultEndpointSettings, profileName: 'HQ', preset: 'private', host: '127.0.0.1', apiAddress: `${imaging.url}/api`, clientId: 'station-9', stationId: 'desk-3' };
    const refused = await dispatcher.dispatch('endpoint:save', { settings: { ...profile, code: 'FPX' }, clientSecret: secret }, { transport: 'in-process' }, noEvents);
    assert.deepEqual(refused.ok ? null : [refused.error.code, refused.error.params?.['first']], ['settings-invalid', 'code-not-fpy']);
    assert.equal(await core.endpoint.readSettings().then((view) => view.secret.stored), false, 'a refused save stores nothing');

    const saved = await dispatcher.dispatch('endpoint:save', { settings: profile, clientSecret: secret }, { transport: 'in-process' }, noEvents);
    assert.ok(saved.ok);
    assert.deepEqual((saved.value as { secret: unknown }).secret, { stored: true, protection: 'key-file', forThisAddress: true });
    const exported = await dispatcher.dispatch('endpoint:export', {}, { transport: 'in-process' }, noEvents);
    assert.ok(exported.ok);
    const { text } = exported.value as { text: string };
    assert.ok(text.includes('"clientId": "station-9"') && !text.includes(secret) && !text.includes('desk-3'), 'the profile, without secret or station id');

    // The auth step uses the stored secret: it must really be there, just not readable.
    const report = await core.endpoint.preflight(() => undefined);
    assert.equal(report.steps.find((step) => step.id === 'auth')?.code, 'auth-ok');
    const wrongCa = await dispatcher.dispatch('endpoint:save', { settings: { ...profile, caCertificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' } }, { transport: 'in-process' }, noEvents);
    assert.equal(wrongCa.ok ? '' : wrongCa.error.code, 'ca-certificate-invalid');

    const needle = Buffer.from(secret);
    for (const file of await filesUnder(dataDir)) assert.ok(!(await fs.readFile(file)).includes(needle), `${path.relative(dataDir, file)} holds the secret in plain text`);
    assert.ok(!JSON.stringify(records).includes(secret), 'the log never holds the secret');
    assert.ok(!JSON.stringify([refused, wrongCa]).includes(secret), 'errors never echo the secret');
    await imaging.close();
  } finally {
    await core.close();
  }
});

test('import: an exported profile rolls out to another station, which keeps its own station id', async () => {
  const first = await makeCoreHarness();
  const second = await makeCoreHarness();
  try {
    const profile: EndpointSettings = { ...defaultEndpointSettings, profileName: 'Branch', preset: 'private', host: '10.1.2.3', apiAddress: 'http://10.1.2.3:8080/api', clientId: 'c-1', stationId: 'desk-1', mode: 'match' };
    await first.core.endpoint.saveSettings(profile, secret);
    await second.core.endpoint.saveSettings({ ...defaultEndpointSettings, stationId: 'desk-2' });
    const text = await first.core.endpoint.exportProfile();
    const parsed = await second.core.endpoint.parseProfile(text);
    assert.deepEqual(parsed.settings, { ...profile, stationId: 'desk-2' });
    assert.deepEqual(parsed.problems, []);
    const bare = await second.core.endpoint.parseProfile(`\ufeff${JSON.stringify({ ...profile, code: 'XYZ' })}`);
    assert.deepEqual([bare.settings.stationId, bare.problems.map((problem) => problem.code)], ['desk-2', ['code-not-fpy']]);
    await assert.rejects(second.core.endpoint.parseProfile('{"format":"something else"}'), isCoreError('settings-file-invalid'));
    await assert.rejects(second.core.endpoint.parseProfile('<html>'), isCoreError('settings-file-invalid'));
    assert.equal((await second.core.endpoint.readSettings()).secret.stored, false, 'a profile never carries a secret across');
  } finally {
    await Promise.all([first.core.close(), second.core.close()]);
  }
});

test('the scan point and station scan user are this station’s own: saved trimmed, never exported, kept on import, no new preflight needed', async () => {
  const first = await makeCoreHarness();
  const second = await makeCoreHarness();
  try {
    await first.core.endpoint.saveSettings({ ...defaultEndpointSettings, stationId: 'desk-1', scanPoint: '  3F 东区  ', scanUser: ' scan-01 ' });
    const saved = (await first.core.endpoint.readSettings()).settings;
    assert.deepEqual([saved.scanPoint, saved.scanUser], ['3F 东区', 'scan-01']);
    const text = await first.core.endpoint.exportProfile();
    assert.ok(!text.includes('3F 东区') && !text.includes('scan-01') && !text.includes('scanPoint') && !text.includes('scanUser'), text);
    // The other station keeps its own, from an export and from a bare profile that carries someone else's.
    await second.core.endpoint.saveSettings({ ...defaultEndpointSettings, stationId: 'desk-2', scanPoint: 'SP-2' });
    const parsed = await second.core.endpoint.parseProfile(text);
    assert.deepEqual([parsed.settings.stationId, parsed.settings.scanPoint, parsed.settings.scanUser], ['desk-2', 'SP-2', undefined]);
    const bare = await second.core.endpoint.parseProfile(JSON.stringify(saved));
    assert.deepEqual([bare.settings.scanPoint, 'scanUser' in bare.settings], ['SP-2', false]);
    // An empty field is left out, not stored as "".
    await second.core.endpoint.saveSettings({ ...(await second.core.endpoint.readSettings()).settings, scanPoint: '   ' });
    assert.equal('scanPoint' in (await second.core.endpoint.readSettings()).settings, false);
    // Too long is refused as a whole save, with the field named.
    await assert.rejects(first.core.endpoint.saveSettings({ ...saved, scanUser: 'u'.repeat(51) }), (error: unknown) => error instanceof CoreError && error.code === 'settings-invalid' && error.params['first'] === 'scan-user-too-long');
    // Who scans where changes no connection: the last check still holds after setting them.
    assert.equal((await first.core.endpoint.preflight(() => undefined)).ok, true);
    await first.core.endpoint.saveSettings({ ...saved, scanPoint: 'SP-9', scanUser: 'other' });
    assert.equal((await first.core.endpoint.lastPreflight())?.stale, false);
    await first.core.endpoint.assertUploadAllowed();
  } finally {
    await Promise.all([first.core.close(), second.core.close()]);
  }
});

test('the upload gate: no preflight, a failed one, or one for other settings or another secret keeps uploads shut', async () => {
  const { core } = await makeCoreHarness();
  try {
    await assert.rejects(core.endpoint.openAdapter(), isCoreError('preflight-missing'));
    // Local training works with no setup: preflight passes, then a page goes to the built-in server.
    assert.equal((await core.endpoint.preflight(() => undefined)).ok, true);
    const adapter = await core.endpoint.openAdapter();
    const bytes = Buffer.from('training page');
    const receipt = await adapter.uploadPage({ imageCode: 'FY-2026-0900', page: 1, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), idempotencyKey: 'key-0900-1' });
    assert.equal(receipt.page, 1);

    await core.endpoint.saveSettings({ ...defaultEndpointSettings, scanDpi: 300 });
    await assert.rejects(core.endpoint.openAdapter(), isCoreError('preflight-stale'));
    assert.equal((await core.endpoint.preflight(() => undefined)).ok, true);
    await core.endpoint.openAdapter();
    await core.endpoint.saveSettings({ ...defaultEndpointSettings, scanDpi: 300 }, 'a-new-secret');
    await assert.rejects(core.endpoint.assertUploadAllowed(), isCoreError('preflight-stale'));

    const port = await closedPort();
    await core.endpoint.saveSettings({ ...defaultEndpointSettings, preset: 'private', apiAddress: `http://127.0.0.1:${port}/api`, clientId: 'c-1' });
    assert.equal((await core.endpoint.preflight(() => undefined)).ok, false);
    await assert.rejects(core.endpoint.openAdapter(), (error) => isCoreError('preflight-failed')(error) && (error as CoreError).params['steps'] === 'tcp');
  } finally {
    await core.close();
  }
});

test('the secret signs only for the address it was entered for: a changed or imported address gets nothing until the secret is entered or confirmed again', async () => {
  const { core, dataDir } = await makeCoreHarness();
  try {
    const home = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-9': secret } });
    // A second server standing in for an address someone slipped into the profile: it records every token request.
    const elsewhereDir = await makeTempDir();
    const elsewhere = await startReferenceImagingServer({ dataDir: elsewhereDir, clients: { 'station-9': secret } });
    const profile: EndpointSettings = { ...defaultEndpointSettings, profileName: 'HQ', preset: 'private', host: '127.0.0.1', apiAddress: `${home.url}/api`, clientId: 'station-9', stationId: 'desk-3' };
    await core.endpoint.saveSettings(profile, secret);
    assert.equal((await core.endpoint.preflight(noEvents)).ok, true);

    const moved = { ...profile, apiAddress: `${elsewhere.url}/api` };
    const view = await core.endpoint.saveSettings(moved);
    assert.deepEqual([view.secret.stored, view.secret.forThisAddress], [true, false]);
    const report = await core.endpoint.preflight(noEvents);
    const auth = report.steps.find((step) => step.id === 'auth');
    assert.deepEqual([report.ok, auth?.status, auth?.code], [false, 'fail', 'auth-secret-other-endpoint']);
    const tokenRequests = async () => (await fs.readFile(path.join(elsewhereDir, 'access.log'), 'utf8').catch(() => '')).split('\n').filter((line) => line.includes('/token')).length;
    assert.equal(await tokenRequests(), 0, 'no signature was sent to the new address');
    await assert.rejects(core.endpoint.openAdapter(), isCoreError('preflight-failed'));

    // Going back to the address it was entered for makes it usable again; so does an explicit confirmation.
    await core.endpoint.saveSettings(profile);
    assert.equal((await core.endpoint.readSettings()).secret.forThisAddress, true);
    await core.endpoint.saveSettings(moved, undefined, { keepSecretForNewAddress: true });
    assert.equal((await core.endpoint.preflight(noEvents)).ok, true);
    assert.ok((await tokenRequests()) >= 1);

    // A profile imported from elsewhere is just another address.
    const imported = await core.endpoint.parseProfile(JSON.stringify({ ...profile, apiAddress: 'http://127.0.0.1:9/api' }));
    await core.endpoint.saveSettings(imported.settings);
    assert.equal((await core.endpoint.readSettings()).secret.forThisAddress, false);
    // The binding file names the address, never the secret.
    assert.ok(!(await fs.readFile(path.join(dataDir, 'secret-binding.json'), 'utf8')).includes(secret));
    await home.close();
    await elsewhere.close();
  } finally {
    await core.close();
  }
});

test('with no secret stored the auth step fails with its fix, so the upload gate stays shut', async () => {
  const { core } = await makeCoreHarness();
  try {
    const home = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-9': secret } });
    await core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'HQ', preset: 'private', host: '127.0.0.1', apiAddress: `${home.url}/api`, clientId: 'station-9', stationId: 'desk-3' });
    const report = await core.endpoint.preflight(noEvents);
    assert.deepEqual([report.ok, report.steps.find((step) => step.id === 'auth')?.status], [false, 'fail']);
    await assert.rejects(core.endpoint.assertUploadAllowed(), isCoreError('preflight-failed'));
    await home.close();
  } finally {
    await core.close();
  }
});

test('a profile whose path names another host is refused at import and at save, with the field and the reason; the stored secret stays bound', async () => {
  const { core, dispatcher } = await makeCoreHarness();
  try {
    const profile: EndpointSettings = { ...defaultEndpointSettings, profileName: 'Cloud', preset: 'public-production', host: 'api.piaozone.com', apiAddress: 'http://api.piaozone.com', clientId: 'station-9', stationId: 'desk-3' };
    await core.endpoint.saveSettings(profile, secret);
    for (const upload of ['//evil.example/{imageCode}', '/\\evil.example/{imageCode}']) {
      const hostile = { ...profile, httpPaths: { upload } };
      const exported = JSON.stringify({ format: 'scan-station.endpoint-profile', version: 1, exportedAt: '2026-12-01T00:00:00.000Z', profile: { ...hostile, stationId: undefined } });
      const parsed = await core.endpoint.parseProfile(exported, 'cloud.json');
      assert.deepEqual(
        parsed.problems.map((problem) => [problem.field, problem.code, problem.severity, problem.params['name']]),
        [['httpPaths', 'http-path-other-host', 'error', 'upload']],
      );
      const saved = await dispatcher.dispatch('endpoint:save', { settings: hostile }, { transport: 'in-process' }, noEvents);
      assert.deepEqual(saved.ok ? null : [saved.error.code, saved.error.params?.['first']], ['settings-invalid', 'http-path-other-host'], upload);
    }
    const view = await core.endpoint.readSettings();
    assert.deepEqual([view.settings.httpPaths, view.secret.forThisAddress], [undefined, true], 'nothing was saved; the secret is still for the real address');
  } finally {
    await core.close();
  }
});

test('the secret binding covers the proxy and the CA: changing either unbinds the secret like changing the host; a binding from before is kept for its own profile', async () => {
  const { core, dataDir } = await makeCoreHarness();
  const home = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-9': secret } });
  try {
    const profile: EndpointSettings = { ...defaultEndpointSettings, profileName: 'HQ', preset: 'private', host: '127.0.0.1', apiAddress: `${home.url}/api`, clientId: 'station-9', stationId: 'desk-3' };
    await core.endpoint.saveSettings(profile, secret);
    assert.equal((await core.endpoint.preflight(noEvents)).ok, true);

    const proxied = await core.endpoint.saveSettings({ ...profile, proxy: 'http://127.0.0.1:9' });
    assert.equal(proxied.secret.forThisAddress, false, 'a new proxy unbinds the secret');
    const auth = (await core.endpoint.preflight(noEvents)).steps.find((step) => step.id === 'auth');
    assert.notEqual(auth?.code, 'auth-ok');
    await assert.rejects(core.endpoint.openAdapter('query'), isCoreError('secret-unreadable'));

    const certDir = await makeTempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem'), '-days', '30', '-subj', '/CN=other-ca'], { stdio: 'ignore' });
    const ca = await fs.readFile(path.join(certDir, 'cert.pem'), 'utf8');
    const withCa = await core.endpoint.saveSettings({ ...profile, caCertificatePem: ca });
    assert.equal(withCa.secret.forThisAddress, false, 'a new CA unbinds the secret');

    // Back to what it was entered for: bound again.
    assert.equal((await core.endpoint.saveSettings(profile)).secret.forThisAddress, true);

    // A binding written before the proxy and CA were part of it (five parts) holds for the profile it names, with that profile's proxy.
    await core.endpoint.saveSettings({ ...profile, proxy: 'http://127.0.0.1:9' }, undefined, { keepSecretForNewAddress: true });
    const legacy = JSON.stringify(JSON.parse(secretEndpointOf(profile)).slice(0, 5));
    await fs.writeFile(path.join(dataDir, 'secret-binding.json'), `${JSON.stringify({ endpoint: legacy })}\n`);
    assert.equal((await core.endpoint.readSettings()).secret.forThisAddress, true, 'an update keeps the station its secret');
    assert.equal((await core.endpoint.saveSettings(profile)).secret.forThisAddress, false, 'and then the proxy is part of the binding');
    await fs.writeFile(path.join(dataDir, 'secret-binding.json'), `${JSON.stringify({ endpoint: JSON.stringify(JSON.parse(secretEndpointOf({ ...profile, host: '10.9.9.9', apiAddress: 'http://10.9.9.9/api' })).slice(0, 5)) })}\n`);
    assert.equal((await core.endpoint.readSettings()).secret.forThisAddress, false, 'an old binding for another address stays another address');
  } finally {
    await home.close();
    await core.close();
  }
});

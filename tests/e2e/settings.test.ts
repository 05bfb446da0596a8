import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startReferenceImagingServer, type ReferenceServer } from '../../electron/core/imaging/reference-server.js';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;
let imaging: ReferenceServer;
const secret = 'branch-secret-42';

before(async () => {
  imaging = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'branch-42': secret } });
  session = await openUiSession({ area: 'settings', viewport: { width: 1366, height: 1000 } });
  page = session.page;
});

after(async () => {
  await session?.close();
  await imaging?.close();
});

test('an implementer sets up a private deployment with inline fixes, saves, and the connection check passes', async () => {
  await page.getByTestId('preset-local-training').waitFor();
  assert.equal(await page.getByTestId('preset-local-training').isChecked(), true);
  await page.getByTestId('preset-private').check();
  assert.equal(await page.getByTestId('endpoint-profileName').inputValue(), zhCN.connectionPage.presets.private, 'training’s name does not carry over');
  assert.equal(await page.getByTestId('endpoint-clientId').inputValue(), '');
  // Private starts empty: the rules say what to fill in rather than inventing an address.
  await page.getByTestId('problem-api-address-invalid').waitFor();
  assert.equal(await page.getByTestId('endpoint-save').isDisabled(), true);

  await page.getByTestId('endpoint-apiAddress').fill(imaging.url);
  await page.getByTestId('endpoint-host').fill('127.0.0.1');
  await page.getByTestId('endpoint-code').fill('FPX');
  const suffix = page.getByTestId('problem-private-api-suffix');
  await suffix.waitFor();
  assert.match((await suffix.textContent()) ?? '', new RegExp(`${imaging.url}/api`));
  await saveScreenshot(page, 'zh-settings-endpoint-problems', { fullPage: true });
  await suffix.getByRole('button', { name: zhCN.endpointSettings.applyFix }).click();
  await page.getByTestId('problem-code-not-fpy').getByRole('button').click();
  assert.equal(await page.getByTestId('endpoint-apiAddress').inputValue(), `${imaging.url}/api`);
  assert.equal(await page.getByTestId('endpoint-code').inputValue(), 'FPY');

  await page.getByTestId('endpoint-clientId').fill('branch-42');
  await page.getByTestId('endpoint-secret').fill(secret);
  assert.equal(await page.locator('.field-problem-error').count(), 0);
  await page.getByTestId('endpoint-save').click();
  await page.getByText(zhCN.endpointSettings.savedRecheck).waitFor();
  assert.equal(await page.getByTestId('endpoint-secret').inputValue(), '', 'the secret is write-only');
  assert.equal(await page.getByTestId('endpoint-secret').getAttribute('placeholder'), zhCN.endpointSettings.secretStored);

  // Saved by the real core: the profile on disk has no secret.
  const stored = await readFile(path.join(session.harness.dataDir, 'endpoint.json'), 'utf8');
  assert.ok(stored.includes(`${imaging.url}/api`) && !stored.includes(secret));

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('endpoint-export').click()]);
  const exported = path.join(await makeTempDir(), download.suggestedFilename());
  await download.saveAs(exported);
  const text = await readFile(exported, 'utf8');
  assert.ok(text.includes('"clientId": "branch-42"') && !text.includes(secret) && !text.includes('station-1'));

  await page.getByTestId('endpoint-open-connection').click();
  await page.getByTestId('upload-gate').waitFor();
  assert.match((await page.getByTestId('upload-gate').textContent()) ?? '', new RegExp(zhCN.errors['preflight-missing'].slice(0, 8)));
  // Already on the Connection page: it points at its own button, not "go to the Connection page".
  assert.equal(await page.getByTestId('upload-gate').textContent(), zhCN.connectionPage.gateShut.replace('{{reason}}', zhCN.connectionPage.gateMissingHere));
  await page.getByTestId('run-preflight').click();
  await page.getByTestId('preflight-verdict').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('preflight-verdict').textContent(), zhCN.connectionPage.passed);
  assert.match((await page.getByTestId('preflight-steps').textContent()) ?? '', /认证成功/);
  await page.getByTestId('upload-gate').waitFor();
  assert.match((await page.getByTestId('upload-gate').textContent()) ?? '', /上传已放行/);
  assert.equal(await page.getByTestId('status-endpoint').textContent(), zhCN.connectionPage.presets.private);
  assert.equal(await page.getByTestId('status-gate').textContent(), zhCN.status.gateOpen);
  await page.waitForFunction(() => {
    const bar = document.querySelector('.progress');
    const fill = document.querySelector('.progress-fill');
    return bar && fill && fill.getBoundingClientRect().width >= bar.getBoundingClientRect().width - 1;
  });
  await saveScreenshot(page, 'zh-connection-private', { fullPage: true });

  // Another address: the stored secret is not offered to it until someone says so.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('endpoint-apiAddress').fill(`${imaging.url.replace('127.0.0.1', 'localhost')}/api`);
  await page.getByTestId('endpoint-host').fill('localhost');
  await page.getByTestId('endpoint-secret-elsewhere').waitFor();
  await page.getByTestId('endpoint-save').click();
  await page.getByText(zhCN.endpointSettings.savedRecheck).waitFor();
  await page.getByTestId('nav-connection').click();
  await page.getByText(zhCN.connectionPage.secretOtherAddress).first().waitFor();
  // Back on Settings, the person confirms the new address; the secret is usable there again.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('endpoint-secret-keep').check();
  await page.getByTestId('endpoint-save').click();
  await page.getByTestId('endpoint-notice').getByText(zhCN.endpointSettings.savedRecheck).waitFor();
  await page.getByTestId('nav-connection').click();
  await page.getByText(zhCN.connectionPage.secretStored).first().waitFor();
});

test('browser mode offers no start-with-the-computer switch (only the desktop app can register a login item)', async () => {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('area-settings').waitFor();
  assert.equal(await page.getByTestId('start-at-login').count(), 0);
});

test('importing a profile loads it for review, keeps the station id and shows its problems', async () => {
  await page.getByTestId('nav-settings').click();
  const profile = { format: 'scan-station.endpoint-profile', version: 1, exportedAt: '2026-11-23T00:00:00Z', profile: { version: 1, profileName: 'HQ roll-out', preset: 'private', code: 'FPY', host: '10.1.2.3', port: 443, scheme: 'http', apiAddress: 'http://10.1.2.3:8080/api', mode: 'sync-to-submitter', clientId: 'hq', taxNumber: '', scanDpi: 300, adapter: 'http' } };
  await page.getByTestId('endpoint-import-file').setInputFiles({ name: 'hq.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(profile)) });
  // Unsaved edits from the test before: the page asks before the import replaces them.
  const asked = page.getByTestId('confirm-dialog');
  await asked.or(page.getByTestId('endpoint-notice').getByText('hq.json')).first().waitFor();
  if (await asked.isVisible()) await page.getByTestId('confirm-ok').click();
  await page.getByTestId('endpoint-notice').getByText('hq.json').waitFor();
  assert.equal(await page.getByTestId('endpoint-profileName').inputValue(), 'HQ roll-out');
  assert.equal(await page.getByTestId('endpoint-stationId').inputValue(), 'station-1');
  await page.getByTestId('problem-mode-sync-to-submitter').waitFor();
  await page.getByTestId('problem-scheme-port-mismatch').getByRole('button').click();
  assert.equal(await page.getByTestId('endpoint-port').inputValue(), '80');
  assert.equal(await page.getByTestId('endpoint-save').isDisabled(), true, 'sync-to-submitter still blocks saving');
  await page.getByTestId('endpoint-mode').selectOption('basic');
  assert.equal(await page.getByTestId('endpoint-save').isDisabled(), false);
});

test('a file that is not a profile gets a clear message and changes nothing', async () => {
  const before = await page.getByTestId('endpoint-profileName').inputValue();
  await page.getByTestId('endpoint-import-file').setInputFiles({ name: 'photo.json', mimeType: 'application/json', buffer: Buffer.from('<html>not a profile</html>') });
  await page.getByTestId('endpoint-notice').getByText(/设置文件 photo\.json 格式不正确/).waitFor();
  await page.getByTestId('endpoint-import-file').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(300 * 1024, 32) });
  await page.getByText('超过 256 KB 的上限').waitFor();
  assert.equal(await page.getByTestId('endpoint-profileName').inputValue(), before);
});

test('the shared-folder upload method: only the folder is asked for, and the check tries writing there', async () => {
  const folder = await makeTempDir();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('preset-local-training').check();
  await page.getByTestId('adapter-folder').check();
  assert.equal(await page.getByTestId('endpoint-apiAddress').count(), 0, 'network fields are hidden');
  await page.getByTestId('problem-folder-path-missing').waitFor();
  await page.getByTestId('endpoint-folderPath').fill('scans');
  await page.getByTestId('problem-folder-path-relative').waitFor();
  await page.getByTestId('endpoint-folderPath').fill(folder);
  await page.getByTestId('endpoint-save').click();
  await page.getByText(zhCN.endpointSettings.savedRecheck).waitFor();
  await page.getByTestId('endpoint-open-connection').click();
  await page.getByTestId('run-preflight').click();
  await page.getByTestId('preflight-verdict').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('preflight-verdict').textContent(), zhCN.connectionPage.passed);
  const table = (await page.getByTestId('preflight-steps').textContent()) ?? '';
  assert.ok(table.includes(`文件夹 ${folder} 可以写入。`), table);
  assert.equal(await page.getByTestId('status-endpoint').textContent(), zhCN.endpointSettings.adapters.folder);
  await page.getByTestId('nav-settings').click();
});

test('the ERP prefix helper computes the tenant address as the implementer types', async () => {
  await page.getByTestId('erp-login').fill('http://172.0.0.1:8080/ierp/');
  assert.equal(await page.getByTestId('erp-prefix').textContent(), 'http://172.0.0.1:8080/ierp/api/');
  await page.getByTestId('erp-login').fill('https://acme.kdcloud.com/');
  assert.equal(await page.getByTestId('erp-prefix').textContent(), 'https://acme.kdcloud.com/api/');
  await page.getByTestId('language-switch').click();
  await page.getByRole('heading', { level: 2, name: en.endpointSettings.title }).waitFor();
  await saveScreenshot(page, 'en-settings-endpoint', { fullPage: true });
  await page.getByTestId('language-switch').click();
});

test('no console errors or CSP violations on the Settings page', () => {
  assert.deepEqual(session.problems, []);
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { writeStack } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { dropFile } from './helpers/drop-file.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ area: 'settings', viewport: { width: 1024, height: 700 } });
  page = session.page;
});

after(() => session?.close());

const focusedTestId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

test('Settings: the scan point (扫描点) and the station scan user (影像扫描用户), a value too long marked with its fix, saved trimmed; the last check still holds', async () => {
  assert.equal((await session.harness.core.endpoint.preflight(() => undefined)).ok, true);
  await page.getByTestId('endpoint-scanPoint').fill('扫'.repeat(51));
  await page.getByText('扫描点“' + '扫'.repeat(51) + '”有 51 个字符，ERP 最多保存 50 个。').waitFor();
  await page.getByText(zhCN.endpointFixes['scan-point-too-long'].replace('{{max}}', '50')).waitFor();
  assert.equal(await page.getByTestId('endpoint-save').isDisabled(), true);
  await page.getByTestId('endpoint-scanPoint').fill(' 3F 东区 ');
  await page.getByTestId('endpoint-scanUser').fill('desk-user');
  await page.getByTestId('endpoint-save').click();
  // Who scans where changes no connection: no new check is asked for, uploads stay open.
  await page.getByText(zhCN.endpointSettings.savedCheckHolds).waitFor();
  await session.harness.core.endpoint.assertUploadAllowed();
  const { settings } = await session.harness.core.endpoint.readSettings();
  assert.deepEqual([settings.scanPoint, settings.scanUser], ['3F 东区', 'desk-user']);
  await page.getByTestId('endpoint-scanPoint').scrollIntoViewIfNeeded();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-settings-scan-point');
});

test('the Scan desk header: a clerk signs in from the keyboard (a bad id refused in words), the bills taken in carry them, sign-out goes back to the station default; Chinese and English', async () => {
  await page.getByTestId('nav-scanDesk').click();
  const bar = page.getByTestId('desk-scan-user');
  await bar.getByTestId('desk-scan-user-name').getByText('desk-user').waitFor();
  await bar.getByText(zhCN.scanDeskPage.scanUser.stationDefault).waitFor();
  await bar.getByTestId('desk-scan-point').getByText('扫描点 3F 东区').waitFor();
  // Keyboard only: Enter on "登录" opens the field with the focus in it.
  await bar.getByTestId('desk-scan-user-sign-in').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'desk-scan-user-input');
  await page.keyboard.type('clerk\u202e-7');
  await page.keyboard.press('Enter');
  await bar.getByTestId('desk-scan-user-error').getByText('最多 50 个字符', { exact: false }).waitFor();
  await saveScreenshot(page, 'zh-1024-desk-scan-user-refused');
  assert.equal(await focusedTestId(), 'desk-scan-user-input', 'the focus stays in the field to fix it');
  await page.getByTestId('desk-scan-user-input').fill(' 王小明 ');
  await page.keyboard.press('Enter');
  await bar.getByTestId('desk-scan-user-name').getByText('王小明').waitFor();
  await bar.getByText(zhCN.scanDeskPage.scanUser.signedIn).waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'desk-scan-user-sign-out');
  assert.equal((await session.harness.core.prefs.readPrefs()).scanUser, '王小明', 'remembered in the preferences');

  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000771' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, '扫描 0771.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').waitFor({ timeout: 60_000 });
  // A busy machine may take a while to split the stack and show it.
  await page.getByTestId('desk-row-FY-2026-000771').click({ timeout: 60_000 });
  await page.getByTestId('desk-scanned').getByText('扫描人 王小明 · 扫描点 3F 东区').waitFor({ timeout: 60_000 });
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-desk-scanned-bill');
  await bar.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-desk-scan-user');

  await page.getByTestId('language-switch').click();
  await bar.getByText(en.scanDeskPage.scanUser.label).waitFor();
  await bar.getByText(en.scanDeskPage.scanUser.signedIn).waitFor();
  await bar.getByTestId('desk-scan-point').getByText('scan point (扫描点) 3F 东区').waitFor();
  await page.getByTestId('desk-scanned').getByText('Scanned by (扫描人) 王小明 · scan point (扫描点) 3F 东区').waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await bar.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'en-1024-desk-scan-user');
  // Sign-out from the keyboard: the station's default again, the focus on "Sign in"; the bill keeps its scanner.
  await bar.getByTestId('desk-scan-user-sign-out').focus();
  await page.keyboard.press('Enter');
  await bar.getByTestId('desk-scan-user-name').getByText('desk-user').waitFor();
  await bar.getByText(en.scanDeskPage.scanUser.stationDefault).waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'desk-scan-user-sign-in');
  // Escape leaves the field without signing anyone in.
  await page.keyboard.press('Enter');
  await page.keyboard.type('nobody');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'desk-scan-user-sign-in');
  assert.equal((await session.harness.core.prefs.readPrefs()).scanUser, undefined);
  await page.getByTestId('desk-scanned').getByText('Scanned by (扫描人) 王小明', { exact: false }).waitFor();
  await page.getByTestId('language-switch').click();
});

test('a suspect cover whose code is over 50 characters: the Scan desk says why and shows the whole code inside the panel, in Chinese and English at 1024×700', async () => {
  await page.getByTestId('nav-scanDesk').click();
  await page.locator('html[lang="zh-CN"]').waitFor();
  const longCode = `FY-2026-${'9'.repeat(50)}`;
  const file = await writeStack([{ kind: 'cover', code: longCode }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, '扫描 长编码.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText(/^扫描 长编码\.pdf：/).waitFor({ timeout: 60_000 });
  await page.getByTestId('desk-row-suspect').click({ timeout: 60_000 });
  const held = page.getByTestId('desk-held');
  await held.getByText(zhCN.split.suspect['code-too-long'], { exact: false }).waitFor();
  assert.equal(await page.getByTestId('desk-suspect-payload').textContent(), longCode);
  // One long word: it breaks inside the banner, the page never scrolls sideways.
  assert.deepEqual(await findLayoutViolations(page), []);
  await held.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-desk-code-too-long');
  await page.getByTestId('language-switch').click();
  await held.getByText(en.split.suspect['code-too-long'], { exact: false }).waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'en-1024-desk-code-too-long');
  await page.getByTestId('language-switch').click();
});

test('no console errors on the Settings page and the Scan desk', () => {
  assert.deepEqual(session.problems, []);
});

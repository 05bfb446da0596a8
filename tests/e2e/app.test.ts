import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isTrustedHttpSender } from '../../electron/ipc/sender-check.js';
import { startBrowserServer, type BrowserServer } from '../../electron/server/browser-server.js';
import { defaultEndpointSettings } from '../../electron/shared/endpoint/endpoint-settings.js';
import { areaIds } from '../../electron/shared/ipc-contract.js';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { makeCoreHarness } from '../helpers/core-harness.js';
import { launchChromium, saveScreenshot, watchPageErrors } from './helpers/chromium.js';

const rendererDir = path.resolve('dist', 'renderer');
let server: BrowserServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let dataDir: string;
let closeCore: () => Promise<void>;

before(async () => {
  const harness = await makeCoreHarness({ runtime: 'browser', isTrustedSender: isTrustedHttpSender });
  closeCore = () => harness.core.close();
  dataDir = harness.dataDir;
  server = await startBrowserServer({ dispatcher: harness.dispatcher, staticDir: rendererDir, log: harness.core.log });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  page = await context.newPage();
  problems = watchPageErrors(page);
  await page.goto(server.url);
  await page.getByRole('heading', { level: 1 }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await closeCore?.();
});

test('opens in Chinese on the scan desk, with the token gone from the address bar', async () => {
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), zhCN.nav.scanDesk);
  assert.equal(new URL(page.url()).hash, '');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  const status = page.getByTestId('status-bar');
  // The runtime label appears once app:info has answered.
  await status.getByText(zhCN.status.runtimeBrowser).waitFor();
  await status.getByText(zhCN.connectionPage.presets['local-training']).waitFor();
  // The scan desk's bill counts are there on every page (an empty spool: nothing ready, nothing held).
  await status.getByTestId('status-bills').getByText(zhCN.billStatus.counts.held.replace('{{count}}', '0')).waitFor();
  assert.match((await status.getByTestId('status-bills').textContent()) ?? '', new RegExp(`${zhCN.status.bills}\\s*${zhCN.billStatus.counts.held.replace('{{count}}', '0')}\\s*${zhCN.billStatus.counts.ready.replace('{{count}}', '0')}`));
});

test('clicks through all six areas; every one is built (no placeholder left)', async () => {
  for (const area of areaIds) {
    await page.getByTestId(`nav-${area}`).click();
    await page.getByTestId(`area-${area}`).waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), zhCN.nav[area]);
    assert.equal(await page.getByTestId(`nav-${area}`).getAttribute('aria-current'), 'page');
    // Areas visited before stay mounted (hidden) to keep their work: count only what is shown.
    assert.equal(await page.getByTestId('not-available').count(), 0, area);
    await saveScreenshot(page, `zh-${area}`);
  }
});

test('keyboard: Alt+1…6 switch areas, arrow keys move through the navigation', async () => {
  await page.keyboard.press('Alt+2');
  await page.getByTestId('area-templateCheck').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  await page.keyboard.press('Alt+6');
  await page.getByTestId('area-settings').waitFor();
  await page.getByTestId('nav-scanDesk').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'nav-templateCheck');
  await page.keyboard.press('Enter');
  await page.getByTestId('area-templateCheck').waitFor();
});

test('the station self-check runs against the real core with progress and a verdict', async () => {
  await page.getByTestId('nav-troubleshoot').click();
  await page.getByTestId('run-self-check').click();
  const verdict = page.getByTestId('self-check-verdict');
  await verdict.waitFor();
  assert.equal(await verdict.textContent(), zhCN.selfCheck.summaryPass);
  assert.equal(await page.getByRole('progressbar').getAttribute('aria-valuenow'), '5');
  // The fill's width is an inline style: it must not be blocked by the CSP, and must reach 100%.
  await page.waitForFunction(() => {
    const bar = document.querySelector('.progress');
    const fill = document.querySelector('.progress-fill');
    return bar && fill && fill.getBoundingClientRect().width >= bar.getBoundingClientRect().width - 1;
  });
  assert.equal(await page.locator('table.results tbody tr').count(), 5);
  assert.match((await page.locator('table.results').textContent()) ?? '', new RegExp(zhCN.selfCheck.steps['data-dir']));
  await saveScreenshot(page, 'zh-troubleshoot-self-check');
});

test('the language switch turns every area to English and the choice survives a reload', async () => {
  await page.getByTestId('language-switch').click();
  await page.getByRole('heading', { level: 1, name: en.nav.troubleshoot }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  for (const area of areaIds) {
    await page.getByTestId(`nav-${area}`).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), en.nav[area]);
    const text = (await page.locator('main').textContent()) ?? '';
    // The batch hint quotes the CSV's Chinese column names on purpose, the troubleshooter's symptoms the
    // ERP's own Chinese messages; the profile name is data.
    const quoted = [en.settings.languageZh, en.coversPage.batchHint, defaultEndpointSettings.profileName, en.troubleshoot.symptoms['no-image'], en.troubleshoot.symptoms['no-image-needed']];
    // The ERP's own field names stand glossed after the English ("Scan point (扫描点)"): what the implementer finds in the ERP.
    const uiText = quoted.reduce((rest, quote) => rest.replace(quote, ''), text).replace(/扫描点|影像扫描用户|扫描人/g, '');
    assert.ok(!/\p{Script=Han}/u.test(uiText), `no Chinese left on ${area}: ${text}`);
    await saveScreenshot(page, `en-${area}`);
  }
  // Saved by the real core, atomically, in the data folder.
  const saved = JSON.parse(await readFile(path.join(dataDir, 'prefs.json'), 'utf8')) as { prefs: { language: string } };
  assert.equal(saved.prefs.language, 'en');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: en.nav.settings }).waitFor();
  await page.getByRole('radio', { name: zhCN.settings.languageZh }).check();
  await page.getByRole('heading', { level: 1, name: zhCN.nav.settings }).waitFor();
  await saveScreenshot(page, 'zh-settings-after-switch');
});

test('the next launch opens the page the station was last on, not always the scan desk', async () => {
  await page.getByTestId('nav-covers').click();
  // Remembered by the real core in prefs.json.
  for (let i = 0; i < 50 && !(await readFile(path.join(dataDir, 'prefs.json'), 'utf8')).includes('"lastArea": "covers"'); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  const next = await context.newPage();
  await next.goto(server.url);
  await next.getByRole('heading', { level: 1, name: zhCN.nav.covers }).waitFor();
  await next.close();
});

test('a page opened without the token explains itself in both languages and calls nothing', async () => {
  const stranger = await browser.newPage();
  await stranger.goto(server.origin);
  const message = stranger.getByTestId('missing-token');
  await message.waitFor();
  const text = (await message.textContent()) ?? '';
  assert.ok(text.includes(zhCN.errors['bridge-unauthorized']) && text.includes(en.errors['bridge-unauthorized']));
  await saveScreenshot(stranger, 'missing-token');
  await stranger.close();
});

test('no console errors and no CSP violations during the whole run', () => {
  assert.deepEqual(problems, []);
});

test('when the background service stops, the clerk is told in the status bar', async () => {
  await page.getByTestId('nav-troubleshoot').click();
  await server.close();
  await page.getByTestId('run-self-check').click();
  const alert = page.getByTestId('status-bar').getByRole('alert');
  await alert.waitFor();
  assert.equal(((await alert.textContent()) ?? '').replace('● ', ''), zhCN.status.bridgeDown);
  await page.getByText(zhCN.errors['bridge-unreachable']).waitFor();
  await saveScreenshot(page, 'zh-bridge-down');
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { defaultCodeRules } from '../../electron/core/codes/image-code-rules.js';
import { inspectDocument } from '../../electron/core/inspection/inspect-document.js';
import { areaIds } from '../../electron/shared/ipc-contract.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { encodeVectorPdf } from '../fixtures/encode.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { dropFile } from './helpers/drop-file.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ viewport: { width: 1024, height: 700 } });
  page = session.page;
});

after(() => session?.close());

/** Replaces a field's text the way a person does: triple-click, then type. */
async function retype(testId: string, text: string): Promise<void> {
  await page.getByTestId(testId).click({ clickCount: 3 });
  await page.keyboard.type(text);
}

/** Whether the page would hold up closing or reloading the window (its beforeunload is cancelled). */
function cancelsUnload(): Promise<boolean> {
  return page.evaluate(() => {
    const event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  });
}

/** What has keyboard focus, by test id (or tag name); never the page body. */
function focused(): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    return element?.getAttribute('data-testid') ?? element?.closest('[data-testid]')?.getAttribute('data-testid') ?? element?.tagName ?? 'none';
  });
}

test('number fields keep exactly what is typed; a wrong value is marked under the field, not rewritten', async () => {
  await page.getByTestId('nav-templateCheck').click();
  await retype('check-dpi', '300');
  assert.equal(await page.getByTestId('check-dpi').inputValue(), '300');
  await page.getByTestId('check-dpi').press('Backspace');
  await page.getByTestId('check-dpi').press('Backspace');
  await page.getByTestId('check-dpi').press('Backspace');
  await page.getByTestId('check-pattern').focus();
  assert.equal(await page.getByTestId('check-dpi').inputValue(), '');
  assert.equal(await page.getByTestId('check-dpi-error').textContent(), zhCN.fields.required);
  await retype('check-dpi', '3000');
  await page.getByTestId('check-pattern').focus();
  assert.equal(await page.getByTestId('check-dpi').inputValue(), '3000');
  assert.equal(await page.getByTestId('check-dpi').getAttribute('aria-invalid'), 'true');
  // A check with a wrong dpi is refused at the field, which gets the focus.
  const pdf = await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000778', placement: 'top-right', sizeMm: 22 }] });
  await dropFile(page, 'ok.pdf', pdf, 'application/pdf');
  assert.equal(await focused(), 'check-dpi');
  assert.equal(await page.getByTestId('page-verdict').count(), 0);
  await retype('check-dpi', '３００');
  await dropFile(page, 'ok.pdf', pdf, 'application/pdf');
  await page.getByTestId('page-verdict').waitFor({ timeout: 60_000 });
  assert.match((await page.getByTestId('page-detail').textContent()) ?? '', /@ 300 dpi/);
  // Focus went to the new result's row, not to the page body.
  await page.waitForFunction(() => document.activeElement?.matches('.result-row.selected') === true);

  await page.getByTestId('nav-covers').click();
  await retype('cover-size', '25');
  assert.equal(await page.getByTestId('cover-size').inputValue(), '25');
  await retype('cover-size', '9');
  await page.getByTestId('cover-code').focus();
  assert.equal(await page.getByTestId('cover-size').inputValue(), '9');
  assert.equal(await page.getByTestId('cover-size-error').textContent(), '请输入 15 到 40 之间的数。');
  await retype('cover-size', '25');

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('preset-private').check();
  await retype('endpoint-port', '8080');
  assert.equal(await page.getByTestId('endpoint-port').inputValue(), '8080');
  await retype('endpoint-port', '-5');
  await page.getByTestId('endpoint-host').focus();
  assert.equal(await page.getByTestId('endpoint-port').inputValue(), '-5');
  assert.ok(await page.getByTestId('endpoint-save').isDisabled());
  await retype('endpoint-port', '8080');
});

test('unsaved settings survive a trip to other pages, are flagged in the navigation, and leaving the app asks first', async () => {
  // Each test sets up the page it needs: one that failed must not fail the next ones with it.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('preset-private').check();
  await retype('endpoint-port', '8080');
  await page.getByTestId('endpoint-host').fill('127.0.0.2');
  await page.keyboard.press('Alt+3');
  await page.getByTestId('area-covers').waitFor();
  assert.equal(await page.getByTestId('nav-settings-unsaved').count(), 1);
  await page.keyboard.press('Alt+6');
  assert.equal(await page.getByTestId('endpoint-host').inputValue(), '127.0.0.2');
  assert.equal(await page.getByTestId('endpoint-port').inputValue(), '8080');
  // Importing a profile over unsaved edits asks; "cancel" keeps them.
  const other = await session.harness.core.endpoint.exportProfile();
  await page.getByTestId('endpoint-import-file').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from(other) });
  await page.getByTestId('confirm-dialog').waitFor();
  assert.equal(await focused(), 'confirm-cancel');
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('endpoint-host').inputValue(), '127.0.0.2');
  // Closing or reloading the window with unsaved edits is held up for the browser's own prompt
  // (the desktop shell turns it into a native dialog): the page cancels the unload event.
  assert.equal(await cancelsUnload(), true);
  await saveScreenshot(page, 'zh-1024-settings-unsaved');
});

test('focus lands on the result after every background action: save, cover, connection check, self-check', async () => {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('preset-private').check();
  // Loopback only: the check below really connects (nothing listens there, so it fails fast).
  await page.getByTestId('endpoint-host').fill('127.0.0.1');
  await page.getByTestId('endpoint-apiAddress').fill('http://127.0.0.1:8080/api');
  await page.getByTestId('endpoint-clientId').fill('hq');
  // Ctrl+S saves from anywhere in the form.
  await page.getByTestId('endpoint-clientId').press('Control+s');
  await page.getByTestId('endpoint-notice').waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'endpoint-notice');
  // Saved: nothing to lose any more, so leaving no longer asks.
  assert.equal(await page.getByTestId('nav-settings-unsaved').count(), 0);
  assert.equal(await cancelsUnload(), false);

  await page.getByTestId('nav-connection').click();
  await page.getByTestId('run-preflight').click();
  await page.waitForFunction(() => ['preflight-verdict', 'preflight-error'].includes(document.activeElement?.getAttribute('data-testid') ?? ''), null, { timeout: 30_000 });
  // A failed check shuts the gate everywhere at once: the page and the status bar agree.
  await page.getByTestId('status-gate').getByText(zhCN.status.gateShut).waitFor();
  assert.match((await page.getByTestId('upload-gate').textContent()) ?? '', /上传暂停/);

  await page.getByTestId('nav-troubleshoot').click();
  await page.getByTestId('run-self-check').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'self-check-verdict');

  await page.getByTestId('nav-covers').click();
  await page.getByTestId('cover-code').fill('FY-2026-000900');
  await page.getByTestId('cover-preview').waitFor({ timeout: 30_000 });
  // Enter in the form makes the PDF, like the primary button.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('cover-code').press('Enter')]);
  assert.equal(download.suggestedFilename(), 'FY-2026-000900.pdf');
  await page.getByTestId('cover-outcome').waitFor();
  await page.waitForFunction(() => document.activeElement?.querySelector('[data-testid="cover-outcome"]') !== null);
});

test('a wrong amount or date marks its own field with the reason, and the button says why instead of doing nothing', async () => {
  await page.getByTestId('nav-covers').click();
  await page.getByTestId('cover-code').fill('FY-2026-000900');
  await page.getByTestId('cover-amount').fill('12,3a');
  await page.getByTestId('cover-amount-error').waitFor();
  assert.equal(await page.getByTestId('cover-amount-error').textContent(), '金额“12,3a”无法识别（示例：1234.50 或 1,234.50）');
  await page.getByTestId('cover-save').click();
  assert.equal(await focused(), 'cover-amount');
  await page.getByTestId('cover-amount').fill('-50');
  await page.getByTestId('cover-date').fill('2026-13-45');
  await page.getByTestId('cover-date-error').waitFor();
  await page.getByTestId('cover-date').fill('2026-11-27');
  await page.getByTestId('cover-company').fill('金蝶软件（中国）有限公司'.repeat(7));
  await page.getByTestId('cover-company-warning').waitFor({ timeout: 30_000 });
  await saveScreenshot(page, 'zh-1024-covers-field-marks');
});

test('the import table and generation agree on every CSV row', async () => {
  await page.getByTestId('nav-covers').click();
  const lines = ['影像编码,提交人,金额,日期,公司'];
  const rows: string[] = ['FY-A-0001,张三,-50,2026-11-01,', 'FY-A-0002,李四,"1,234.5",2026/11/2,', 'FY-A-0003,王五,￥88,2026年11月3日,', 'FY-A-0004,赵六,"12,3a",2026-11-04,', 'FY-A-0005,钱七,1,2026-13-45,', 'FY-A-0001,孙八,1,2026-11-06,', `FY-A-0007,周九,1,2026-11-07,${'长'.repeat(121)}`, 'FY-A-0008,吴十,0,,'];
  lines.push(...rows);
  await page.getByTestId('cover-csv-input').setInputFiles({ name: 'agree.csv', mimeType: 'text/csv', buffer: iconv.encode(lines.join('\r\n'), 'gbk') });
  await page.getByTestId('cover-import-summary').waitFor();
  const shownValid: string[] = [];
  for (let line = 2; line <= rows.length + 1; line += 1) {
    const row = page.getByTestId(`cover-row-${line}`);
    if ((await row.locator('.pill-pass').count()) === 1) shownValid.push(((await row.locator('td').nth(1).textContent()) ?? '').trim());
  }
  assert.deepEqual(shownValid, ['FY-A-0001', 'FY-A-0002', 'FY-A-0003', 'FY-A-0008']);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('cover-generate-all').click()]);
  const file = path.join(await makeTempDir(), download.suggestedFilename());
  await download.saveAs(file);
  const report = await inspectDocument(file, { stationDpi: 200, rules: defaultCodeRules, mode: 'fast' });
  assert.deepEqual(report.pages.map((one) => one.codes[0]?.value), shownValid);
  await page.getByTestId('cover-batch-outcome').waitFor();
  assert.equal(await page.getByTestId('cover-batch-outcome').locator('.banner-pass').count(), 1, 'nothing the table called valid was refused');
  assert.ok((await readFile(file)).length > 0);
});

test('a garbage CSV after a good one replaces the old table with a clear encoding message', async () => {
  await page.getByTestId('nav-covers').click();
  // Its own good table first, whatever the test before left.
  await page.getByTestId('cover-csv-input').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from('影像编码,提交人,金额,日期,公司\r\nFY-A-0001,张三,-50,2026-11-01,\r\n') });
  await page.getByTestId('cover-import-summary').filter({ hasText: 'good.csv' }).waitFor();
  const garbage = Buffer.from(Array.from({ length: 400 }, (_, index) => (index * 37 + 11) % 256));
  await page.getByTestId('cover-csv-input').setInputFiles({ name: 'garbage.csv', mimeType: 'text/csv', buffer: garbage });
  await page.getByTestId('cover-batch-outcome').getByText('无法识别 garbage.csv 的文字编码').waitFor();
  assert.equal(await page.getByTestId('cover-import-summary').count(), 0);
  assert.equal(await page.getByTestId('cover-generate-all').count(), 0);
});

test('Chinese screens carry no untranslated English sentences from core or a library', async () => {
  // Errors that used to leak library text: a corrupt PDF and a broken image-code rule.
  await page.getByTestId('nav-templateCheck').click();
  await dropFile(page, 'broken.pdf', Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'), 'application/pdf');
  await page.getByText('PDF broken.pdf 已损坏').first().waitFor({ timeout: 30_000 });
  await page.getByTestId('check-pattern').fill('^(?:([a-z)$');
  await page.getByTestId('check-dpi').focus();
  await page.getByTestId('check-pattern-error').waitFor();
  assert.equal(await page.getByTestId('check-pattern-error').textContent(), '影像编码规则无效：方括号 [ ] 不成对。请检查正则表达式。');
  await page.getByTestId('check-pattern').fill('');
  const offenders: string[] = [];
  // Data and product names that are English on purpose.
  const allowed = /(?:\/|[A-Z]:\\)[\w.\\/-]+|CSV UTF-8|client (id|secret)|Scan Station|Local training|Expense claim|Invoice cloud|https?:\/\/\S+|[\w.-]+\.(pdf|csv|json|png)|\bFY-[\w-]+|\bstation-\d+|Ctrl\+S|Alt\+\d|Node\.js|[a-z]+\/x64|npm/gi;
  for (const area of areaIds) {
    await page.getByTestId(`nav-${area}`).click();
    await page.getByRole('heading', { level: 1, name: zhCN.nav[area] }).waitFor();
    const text = (await page.locator('body').innerText()).replace(allowed, ' ');
    for (const match of text.matchAll(/[A-Za-z]{3,}(?:[ ,:'-]+[A-Za-z]{2,}){1,}/g)) offenders.push(`${area}: ${match[0]}`);
  }
  assert.deepEqual(offenders, []);
});

test('no console errors during the UX run', () => {
  // The corrupt PDF is refused by core; nothing may reach the console.
  assert.deepEqual(session.problems, []);
});

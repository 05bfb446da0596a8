import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { encodeVectorPdf } from '../fixtures/encode.js';
import { saveScreenshot } from './helpers/chromium.js';
import { dropFile as dropOn } from './helpers/drop-file.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ area: 'templateCheck', viewport: { width: 1366, height: 900 } });
  page = session.page;
});

after(() => session?.close());

/** Drops a file on this page's drop zone. */
function dropFile(name: string, bytes: Uint8Array, mime: string): Promise<void> {
  return dropOn(page, name, bytes, mime);
}

test('dropping a template with a centred QR shows the failure, the fix and the annotated page', async () => {
  const pdf = await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000777', placement: 'center', sizeMm: 22 }], title: 'Expense claim (centred QR)' });
  await dropFile('centred-template.pdf', pdf, 'application/pdf');
  const verdict = page.getByTestId('page-verdict');
  await verdict.waitFor({ timeout: 30_000 });
  assert.equal(await verdict.textContent(), zhCN.check.verdict.fail);
  const problemsText = (await page.getByTestId('problems').textContent()) ?? '';
  assert.ok(problemsText.includes('二维码 FY-2026-000777 位于页面中央，不在右上角或左上角。'), problemsText);
  assert.ok(problemsText.includes(zhCN.check.fixes['qr-not-in-corner']), problemsText);
  const image = page.getByTestId('annotated-image');
  await image.waitFor();
  const size = await image.evaluate((element) => ({ width: (element as HTMLImageElement).naturalWidth, height: (element as HTMLImageElement).naturalHeight }));
  assert.ok(size.width > 500 && size.height > size.width, JSON.stringify(size));
  await saveScreenshot(page, 'zh-template-check-centred');
});

test('a good template and an unreadable file join the list; CSV export has every row', async () => {
  const good = await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000778', placement: 'top-right', sizeMm: 22 }] });
  await page.getByTestId('file-input').setInputFiles([
    { name: 'good-template.pdf', mimeType: 'application/pdf', buffer: Buffer.from(good) },
    { name: 'not-really.pdf', mimeType: 'application/pdf', buffer: Buffer.from('plain text pretending to be a PDF') },
  ]);
  await page.getByText('3 个文件，2 页：合格 1，警告 0，不合格 1，无法读取 1').waitFor({ timeout: 30_000 });
  await page.locator('.result-row', { hasText: 'not-really.pdf' }).click();
  await page.getByTestId('page-detail').getByText(/不是支持的格式/).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csv = await readFile((await download.path()) ?? '', 'utf8');
  const lines = csv.replace(/^\ufeff/, '').trim().split('\r\n');
  assert.equal(lines[0], '"文件","页","结论","二维码内容","位置","模块（毫米）","模块（像素）","静区（模块）","问题"');
  assert.equal(lines.length, 4);
  assert.ok(lines.some((line) => line.startsWith('"good-template.pdf","1","合格","FY-2026-000778","右上角"')), csv);
  await page.locator('.result-row', { hasText: 'good-template.pdf' }).click();
  await page.getByTestId('page-verdict').getByText(zhCN.check.verdict.ok).waitFor();
  await saveScreenshot(page, 'zh-template-check-list');
});

test('in English the same results read in English', async () => {
  await page.getByTestId('language-switch').click();
  await page.locator('.result-row', { hasText: 'centred-template.pdf' }).click();
  await page.getByTestId('page-verdict').getByText(en.check.verdict.fail).waitFor();
  const text = (await page.getByTestId('problems').textContent()) ?? '';
  assert.ok(text.includes('QR FY-2026-000777 is in the centre of the page'), text);
  await saveScreenshot(page, 'en-template-check-centred');
  await page.getByTestId('language-switch').click();
});

test('no console errors or CSP violations while checking templates', () => {
  assert.deepEqual(session.problems, []);
});

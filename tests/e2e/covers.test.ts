import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultCodeRules } from '../../electron/core/codes/image-code-rules.js';
import { inspectDocument } from '../../electron/core/inspection/inspect-document.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ area: 'covers', viewport: { width: 1366, height: 1000 } });
  page = session.page;
});

after(() => session?.close());

async function savedDownload(trigger: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), trigger()]);
  const file = path.join(await makeTempDir(), download.suggestedFilename());
  await download.saveAs(file);
  return file;
}

test('a cover built from the form previews live and saves a PDF the check engine passes', async () => {
  await page.getByTestId('cover-preview-message').waitFor();
  const fill: Record<string, string> = { code: 'FY-2026-000321', billNo: 'BX-2026-00321', company: '金蝶软件（中国）有限公司', submitter: '王小明', department: '财务共享中心', date: '2026-11-23', amount: '8,800.5' };
  for (const [key, value] of Object.entries(fill)) await page.getByTestId(`cover-${key}`).fill(value);
  const preview = page.getByTestId('cover-preview');
  await preview.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => {
    const image = document.querySelector<HTMLImageElement>('[data-testid="cover-preview"]');
    return image !== null && image.complete && image.naturalWidth > 500;
  });
  await saveScreenshot(page, 'zh-covers-form-preview');
  const file = await savedDownload(() => page.getByTestId('cover-save').click());
  assert.equal(path.basename(file), 'FY-2026-000321.pdf');
  const report = await inspectDocument(file, { stationDpi: 200, rules: defaultCodeRules, mode: 'thorough' });
  assert.deepEqual(report.pages.map((one) => [one.verdict, one.codes[0]?.value, one.codes[0]?.corner]), [['ok', 'FY-2026-000321', 'top-right']]);
  await page.getByTestId('cover-outcome').getByText('已生成 1 张封面').waitFor();
});

test('a GBK bill list imports with its bad rows marked, and the valid ones become one PDF', async () => {
  const lines = ['影像编码,单据编号,提交人,金额,备注'];
  for (let i = 1; i <= 12; i += 1) lines.push(`FY-E2E-${String(i).padStart(4, '0')},BX-${i},张三,${i * 100},x`);
  lines.push('FY-E2E-0002,BX-dup,李四,1,', ',BX-nocode,王五,1,', 'FY-E2E-AMT,BX-amt,赵六,"12,3a",');
  await page.getByTestId('cover-csv-input').setInputFiles({ name: 'bills-gbk.csv', mimeType: 'text/csv', buffer: iconv.encode(lines.join('\r\n'), 'gbk') });
  const summary = page.getByTestId('cover-import-summary');
  await summary.waitFor();
  assert.equal(await summary.textContent(), 'bills-gbk.csv：15 行，可生成 12 张封面，拒绝 3 行（编码 GBK）');
  await page.getByText('影像编码与第 3 行重复').waitFor();
  await page.getByText('金额“12,3a”无法识别（示例：1234.50 或 1,234.50）').waitFor();
  await saveScreenshot(page, 'zh-covers-csv-import', { fullPage: true });
  const file = await savedDownload(() => page.getByTestId('cover-generate-all').click());
  const report = await inspectDocument(file, { stationDpi: 200, rules: defaultCodeRules, mode: 'fast' });
  assert.equal(report.pages.length, 12);
  assert.ok(report.pages.every((one, index) => one.verdict === 'ok' && one.codes[0]?.value === `FY-E2E-${String(index + 1).padStart(4, '0')}`));
  assert.ok((await readFile(file)).length < 12 * 60_000);
});

test('the same list as one PDF per bill: a ZIP whose files are named by image code and each pass the check engine', async () => {
  const zip = await savedDownload(() => page.getByTestId('cover-generate-each').click());
  assert.equal(path.basename(zip), 'bills-gbk-covers.zip');
  const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listing, Array.from({ length: 12 }, (_, index) => `FY-E2E-${String(index + 1).padStart(4, '0')}.pdf`));
  const out = await makeTempDir();
  execFileSync('unzip', ['-q', zip, '-d', out]);
  const report = await inspectDocument(path.join(out, 'FY-E2E-0007.pdf'), { stationDpi: 200, rules: defaultCodeRules, mode: 'fast' });
  assert.deepEqual(report.pages.map((one) => [one.verdict, one.codes[0]?.value]), [['ok', 'FY-E2E-0007']]);
});


test('in browser mode, Print opens the self-checked PDF in a new tab for the browser to print', async () => {
  const [popup] = await Promise.all([page.waitForEvent('popup', { timeout: 60_000 }), page.getByTestId('cover-print').click()]);
  await page.getByTestId('cover-outcome').getByText('封面 PDF 已在新标签页打开').waitFor({ timeout: 60_000 });
  await popup.waitForURL(/^blob:/, { timeout: 30_000 });
  await popup.close();
});

test('no console errors or CSP violations on the Covers page', () => {
  assert.deepEqual(session.problems, []);
});

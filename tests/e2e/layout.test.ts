import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import iconv from 'iconv-lite';
import { areaIds } from '../../electron/shared/ipc-contract.js';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { encodeVectorPdf } from '../fixtures/encode.js';
import { saveScreenshot } from './helpers/chromium.js';
import { dropFile } from './helpers/drop-file.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

const viewports = [
  { width: 1024, height: 700 },
  { width: 1366, height: 768 },
] as const;

before(async () => {
  session = await openUiSession({ viewport: { width: 1366, height: 768 } });
  page = session.page;
});

after(() => session?.close());

/** Puts real work on every page, so the check measures full pages, not empty ones. */
async function fillEveryArea(): Promise<void> {
  await page.getByTestId('nav-templateCheck').click();
  const pdf = await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000777', placement: 'center', sizeMm: 22 }], title: 'Expense claim' });
  await dropFile(page, 'a-template-with-a-rather-long-file-name-from-the-erp-export-2026-11.pdf', pdf, 'application/pdf');
  await page.getByTestId('page-verdict').waitFor({ timeout: 60_000 });

  await page.getByTestId('nav-covers').click();
  await page.getByTestId('cover-code').fill('FY-2026-000321');
  await page.getByTestId('cover-company').fill('金蝶软件（中国）有限公司深圳分公司财务共享服务中心');
  await page.getByTestId('cover-preview').waitFor({ timeout: 30_000 });
  const lines = ['影像编码,单据编号,提交人,金额', 'FY-L-0001,BX-1,张三,100', 'FY-L-0002,BX-2,李四,-50', 'FY-L-0003,BX-3,王五,"12,3a"'];
  await page.getByTestId('cover-csv-input').setInputFiles({ name: 'bills.csv', mimeType: 'text/csv', buffer: iconv.encode(lines.join('\r\n'), 'gbk') });
  await page.getByTestId('cover-import-summary').waitFor();

  await page.getByTestId('nav-connection').click();
  await page.getByTestId('run-preflight').click();
  await page.getByTestId('preflight-verdict').waitFor({ timeout: 30_000 });

  await page.getByTestId('nav-troubleshoot').click();
  // A long pasted column: codes never seen, a bill number, an entry that is neither.
  await page.getByTestId('lookup-text').fill('FY-2026-000777\nFY-2026-000321\nBX-1\nFY-2026-LONG-CODE-WITH-MANY-PARTS-0000000001\n坏\u0001');
  await page.getByTestId('lookup-run').click();
  await page.getByTestId('trace-summary').waitFor({ timeout: 30_000 });
  await page.getByTestId('recent-load').click();
  await page.getByTestId('recent-count').waitFor();
  await page.getByTestId('run-self-check').click();
  await page.getByTestId('self-check-verdict').waitFor();
}

test('every area at 1024×700 and 1366×768, in Chinese and English: no sideways scrolling, nothing outside its panel, status bar in view', async () => {
  await fillEveryArea();
  const failures: string[] = [];
  for (const language of ['zh-CN', 'en'] as const) {
    if (language === 'en') {
      await page.getByTestId('language-switch').click();
      await page.locator('html[lang="en"]').waitFor();
    }
    const catalog = language === 'en' ? en : zhCN;
    for (const viewport of viewports) {
      await page.setViewportSize(viewport);
      for (const area of areaIds) {
        await page.getByTestId(`nav-${area}`).click();
        await page.getByRole('heading', { level: 1, name: catalog.nav[area] }).waitFor();
        for (const where of ['top', 'bottom'] as const) {
          await page.locator('.content').evaluate((element, to) => element.scrollTo(0, to === 'top' ? 0 : element.scrollHeight), where);
          for (const violation of await findLayoutViolations(page)) failures.push(`${language} ${viewport.width}×${viewport.height} ${area} (${where}): ${violation.kind} ${violation.what} ${violation.px} px`);
        }
        await page.locator('.content').evaluate((element) => element.scrollTo(0, 0));
        await saveScreenshot(page, `layout-${language}-${viewport.width}-${area}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('work survives leaving the page: results, form text and checks are there on return', async () => {
  await page.getByTestId('nav-templateCheck').click();
  assert.equal(await page.getByTestId('page-verdict').count(), 1);
  await page.getByTestId('nav-covers').click();
  assert.equal(await page.getByTestId('cover-code').inputValue(), 'FY-2026-000321');
  assert.equal(await page.getByTestId('cover-import-summary').count(), 1);
  await page.getByTestId('nav-connection').click();
  assert.equal(await page.getByTestId('preflight-verdict').count(), 1);
});

test('no console errors or CSP violations while measuring', () => {
  assert.deepEqual(session.problems, []);
});

test('the layout check itself catches a control pushed out of its panel and a page that scrolls sideways', async () => {
  await page.locator('main .panel').filter({ visible: true }).first().evaluate((panel) => {
    const wide = document.createElement('button');
    wide.textContent = 'too wide';
    wide.setAttribute('data-testid', 'deliberately-too-wide');
    wide.style.width = '3000px';
    panel.appendChild(wide);
  });
  const kinds = new Set((await findLayoutViolations(page)).map((violation) => violation.kind));
  assert.ok(kinds.has('outside-panel') && kinds.has('content-scrolls-sideways'), [...kinds].join(','));
  await page.getByTestId('deliberately-too-wide').evaluate((element) => element.remove());
  // A navigation label squeezed until its text is cut (as "Template chec" once was at 1024 px).
  await page.locator('.nav-label').first().evaluate((label) => {
    // CSSOM, not a style attribute: the CSP forbids inline style attributes.
    Object.assign((label as HTMLElement).style, { whiteSpace: 'nowrap', overflow: 'hidden', maxWidth: '30px' });
  });
  assert.ok((await findLayoutViolations(page)).some((violation) => violation.kind === 'text-clipped'));
  await page.locator('.nav-label').first().evaluate((label) => Object.assign((label as HTMLElement).style, { whiteSpace: '', overflow: '', maxWidth: '' }));
  assert.deepEqual(await findLayoutViolations(page), []);
});

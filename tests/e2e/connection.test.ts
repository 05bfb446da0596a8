import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { saveScreenshot } from './helpers/chromium.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ area: 'connection', viewport: { width: 1366, height: 1000 } });
  page = session.page;
});

after(() => session?.close());

test('a fresh station runs the preflight from the Connection page against the built-in training server', async () => {
  await page.getByText(zhCN.connectionPage.presets['local-training']).first().waitFor();
  await page.getByTestId('run-preflight').click();
  const verdict = page.getByTestId('preflight-verdict');
  await verdict.waitFor({ timeout: 30_000 });
  assert.equal(await verdict.textContent(), zhCN.connectionPage.passed);
  assert.equal(await page.getByTestId('preflight-steps').locator('tbody tr').count(), 10);
  // The training server's real address (a free port) replaces the placeholder once it runs.
  await page.waitForFunction(() => /^http:\/\/127\.0\.0\.1:\d+$/.test(document.querySelector('[data-testid="connection-api-address"]')?.textContent ?? ''));
  assert.match((await page.getByTestId('preflight-steps').textContent()) ?? '', /认证成功，已取得令牌。/);
  const report = await page.getByTestId('preflight-report').inputValue();
  assert.match(report, /\[通过\] 认证/);
  assert.ok(!report.includes('training-secret'), 'the report never carries the secret');
  assert.match(report, /本机编号: station-1/);
  assert.match(report, /影像接口地址: http:\/\/127\.0\.0\.1:\d+ \(本机练习/);
  await page.waitForFunction(() => {
    const bar = document.querySelector('.progress');
    const fill = document.querySelector('.progress-fill');
    return bar && fill && fill.getBoundingClientRect().width >= bar.getBoundingClientRect().width - 1;
  });
  await saveScreenshot(page, 'zh-connection-preflight', { fullPage: true });
});

test('the verdict takes the focus even when the page paints it several frames late (a busy PC)', async () => {
  // React renders an update made after an await in a later task of its scheduler (posted to a
  // MessageChannel); on a loaded PC that task runs frames after the answer arrived. Hold each of
  // those tasks back by 150 ms, as a busy CPU does, and the verdict must still get the focus.
  await page.evaluate(() => {
    const original = MessagePort.prototype.postMessage;
    (window as unknown as { restorePost: () => void }).restorePost = () => {
      MessagePort.prototype.postMessage = original;
    };
    MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<MessagePort['postMessage']>) {
      setTimeout(() => original.apply(this, args), 150);
    } as MessagePort['postMessage'];
  });
  try {
    await page.getByTestId('run-preflight').click();
    await page.getByTestId('preflight-verdict').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'preflight-verdict', null, { timeout: 10_000 });
  } finally {
    await page.evaluate(() => (window as unknown as { restorePost: () => void }).restorePost());
  }
});

test('no console errors or CSP violations on the Connection page', () => {
  assert.deepEqual(session.problems, []);
});

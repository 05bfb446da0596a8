import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import iconv from 'iconv-lite';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { saveScreenshot } from './helpers/chromium.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ area: 'settings', viewport: { width: 1024, height: 700 } });
  page = session.page;
});

after(() => session?.close());

test('the Scan desk settings: a broken rule is marked, a good one saved with the blank threshold and the cover choice; an ERP list in GBK imported', async () => {
  const panel = page.getByTestId('desk-settings');
  await panel.getByTestId('desk-pattern').fill('^(FY+)+$');
  await panel.getByTestId('desk-settings-save').click();
  await panel.getByText(zhCN.reasons.catastrophic, { exact: false }).waitFor();
  assert.equal((await session.harness.core.scanDesk.settings.read()).pattern, null, 'nothing saved while the rule is wrong');
  await panel.getByTestId('desk-pattern').fill('^FY-\\d{4}-\\d{6}$');
  await panel.getByTestId('desk-blank').fill('０.５');
  await panel.getByTestId('desk-recycle').fill('14');
  await panel.getByTestId('desk-imported').fill('90');
  await panel.getByTestId('desk-done').fill('7');
  await panel.getByTestId('desk-cover-is-page').uncheck();
  await page.getByTestId('nav-settings-unsaved').waitFor();
  await panel.getByTestId('desk-settings-save').click();
  await panel.getByTestId('desk-settings-notice').getByText('已保存。下一叠按此拆分。', { exact: true }).waitFor();
  const saved = await session.harness.core.scanDesk.settings.read();
  assert.deepEqual([saved.pattern, saved.blankInkPercent, saved.coverIsPage, saved.recycleDays, saved.importedDays, saved.doneDays], ['^FY-\\d{4}-\\d{6}$', 0.5, false, 14, 90, 7]);
  await panel.getByTestId('desk-expected-file').setInputFiles({ name: '单据清单.csv', mimeType: 'text/csv', buffer: iconv.encode('影像编码\nFY-2026-002001\nFY-2026-002002\nFY-2026-002003\n', 'gbk') });
  await panel.getByTestId('desk-settings-notice').getByText('已从 单据清单.csv 导入 3 个编码。').waitFor();
  await panel.getByTestId('desk-expected-state').getByText('单据清单.csv 中的 3 个编码', { exact: false }).waitFor();
  const resolved = await session.harness.core.scanDesk.settings.resolve();
  assert.deepEqual([...(resolved.rules.expected ?? [])].sort(), ['FY-2026-002001', 'FY-2026-002002', 'FY-2026-002003']);
  await panel.scrollIntoViewIfNeeded();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-settings-scan-desk');
  await panel.getByTestId('desk-expected-clear').click();
  await panel.getByTestId('desk-expected-state').getByText(zhCN.deskSettings.noList).waitFor();
  // A new release mode: the message says what it applies to (new bills), not the next stack's split.
  await panel.getByTestId('desk-release-review').check();
  await panel.getByTestId('desk-settings-save').click();
  await panel.getByTestId('desk-settings-notice').getByText('已保存。新的单据按此处理：审核模式下，新单据等您按 R 放行后才上传。', { exact: true }).waitFor();
  await panel.getByTestId('desk-release-auto').check();
  await panel.getByTestId('desk-settings-save').click();
  await panel.getByTestId('desk-settings-notice').getByText(zhCN.deskSettings.savedRelease.auto, { exact: false }).waitFor();
  assert.equal((await session.harness.core.scanDesk.settings.read()).release, 'auto');
});

test('no console errors on the Settings page', () => {
  assert.deepEqual(session.problems, []);
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startReferenceImagingServer, type ReferenceServer } from '../../electron/core/imaging/reference-server.js';
import { defaultEndpointSettings } from '../../electron/shared/endpoint/endpoint-settings.js';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { overwriteScannerPdfPages } from '../fixtures/hostile.js';
import { writeStack, type StackPage } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { dropFile } from './helpers/drop-file.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;
let server: ReferenceServer;

before(async () => {
  server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'orphans-e2e': 'e2e-secret' } });
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 } });
  page = session.page;
  await session.harness.core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'e2e', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'orphans-e2e' }, 'e2e-secret');
});

after(async () => {
  await session?.close();
  await server?.close();
});

/** Drops a generated stack on the desk under `name` and waits until it is taken in. */
async function drop(name: string, pages: StackPage[], change?: (pdf: Buffer) => Buffer) {
  const bytes = await readFile(await writeStack(pages, await makeTempDir(), 'pdf'));
  await dropFile(page, name, change ? change(bytes) : bytes, 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText(name).waitFor({ timeout: 60_000 });
}

/** The orphans row of a file: it names the file. */
const orphansRow = (file: string) => page.getByTestId('desk-row-orphans').filter({ hasText: file });

test('orphan pages of two files: rows name their file; one is discarded after confirming, the other given to a bill of the other file', async () => {
  await drop('早上 01.pdf', [{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-005001' }, { kind: 'content' }]);
  await drop('早上 02.pdf', [{ kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-005101' }, { kind: 'content' }]);
  await orphansRow('早上 02.pdf').waitFor();
  assert.equal(await page.getByTestId('desk-row-orphans').count(), 2);
  await orphansRow('早上 01.pdf').getByText(zhCN.scanDeskPage.orphansOf).waitFor();
  // Discard: asked first; cancelled, nothing happens.
  await orphansRow('早上 01.pdf').click();
  await page.getByTestId('desk-held-next').getByText(zhCN.split.next.orphans).waitFor();
  await page.getByTestId('desk-discard').click();
  await page.getByRole('dialog').getByText(zhCN.scanDeskPage.discardOrphansBody.replace('{{count}}', '1').replace('{{file}}', '早上 01.pdf')).waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-orphans-discard-confirm');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  assert.equal(await page.getByTestId('desk-row-orphans').count(), 2);
  await page.getByTestId('desk-discard').click();
  await page.getByRole('dialog').getByRole('button', { name: zhCN.scanDeskPage.discard }).click();
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.done['discard-orphans'].replace('{{file}}', '早上 01.pdf')).waitFor();
  await orphansRow('早上 01.pdf').waitFor({ state: 'detached' });
  // The other file's orphans go to the first file's bill.
  await orphansRow('早上 02.pdf').click();
  const target = page.getByTestId('desk-give-target');
  const option = target.locator('option').filter({ hasText: 'FY-2026-005001' });
  await target.selectOption((await option.getAttribute('value')) as string);
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-orphans-give');
  await page.getByTestId('desk-give-orphans').click();
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.done['take-orphans'].replace('{{code}}', 'FY-2026-005001')).waitFor();
  await page.getByTestId('desk-row-orphans').waitFor({ state: 'detached' });
  const stacks = await session.harness.core.scanDesk.overview();
  const first = stacks.find((stack) => stack.name === '早上 01.pdf');
  assert.deepEqual(first?.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-005001', [2, 3, 4, 5]]]);
  assert.deepEqual([first?.orphans, stacks.find((stack) => stack.name === '早上 02.pdf')?.orphans], [[], []]);
  // The given pages show in the bill's strip, from its own folder.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="desk-thumbs"] img').length === 4);
});

test('a sent bill offers no edit actions, and Delete says it was already uploaded instead of asking', async () => {
  await page.getByTestId('queue-check').click();
  await page.locator('[data-testid="desk-upload-FY-2026-005001"][data-state="done"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('desk-row-FY-2026-005001').click();
  await page.getByTestId('desk-receipts').waitFor();
  for (const id of ['desk-bill-actions', 'desk-discard', 'desk-not-cover', 'desk-take-orphans']) assert.equal(await page.getByTestId(id).count(), 0, id);
  await page.getByTestId('desk-page-3').click();
  assert.equal(await page.getByTestId('desk-exclude').count(), 0);
  await page.getByTestId('desk-row-FY-2026-005001').focus();
  await page.keyboard.press('Delete');
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.noDiscard.done.replace('{{code}}', 'FY-2026-005001')).waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-sent-bill');
  // The uploaded pages are exactly the bill's, the given ones included.
  const bill = (await session.harness.core.scanDesk.overview()).find((stack) => stack.name === '早上 01.pdf')?.bills[0];
  assert.equal(bill?.pages.length, 4);
});

test('every held reason reads as a cause and a next step in the buttons’ words, in Chinese and English (screenshots)', async () => {
  // Pause the queue so the held bills' neighbours stay as they are while looked at.
  await session.harness.core.upload.act({ action: 'pause' });
  await drop('原因 a.pdf', [{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-006001' }, { kind: 'cover', code: 'FY-2026-006002' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-006003' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-2026-006002' }, { kind: 'content' }, { kind: 'suspect', payload: 'NOT A CODE' }, { kind: 'content' }]);
  await drop('原因 b.pdf', [{ kind: 'cover', code: 'FY-2026-006004' }, { kind: 'content' }, { kind: 'content' }], (pdf) => overwriteScannerPdfPages(pdf, [2], 'whole'));
  await drop('原因 c.pdf', [{ kind: 'cover', code: 'FY-2026-006005' }, { kind: 'content' }]);
  await drop('原因 d.pdf', [{ kind: 'cover', code: 'FY-2026-006005' }, { kind: 'content' }, { kind: 'content' }]);
  // A code the server already closed (sent in the test before): the only real options are said.
  await drop('原因 e.pdf', [{ kind: 'cover', code: 'FY-2026-005001' }, { kind: 'content' }]);
  const rows: Array<[string, string, string, string]> = [
    ['orphans', 'desk-row-orphans', zhCN.split.held.orphans, en.split.held.orphans],
    ['empty-bill', 'desk-row-FY-2026-006001', zhCN.split.held['empty-bill'], en.split.held['empty-bill']],
    ['empty-bill-blank', 'desk-row-FY-2026-006003', zhCN.split.heldEmpty.blank, en.split.heldEmpty.blank],
    ['duplicate-code', 'desk-row-FY-2026-006002', zhCN.split.held['duplicate-code'], en.split.held['duplicate-code']],
    ['suspect-cover', 'desk-row-suspect', zhCN.split.held['suspect-cover'], en.split.held['suspect-cover']],
    ['damaged-pages', 'desk-row-FY-2026-006004', zhCN.split.held['damaged-pages'], en.split.held['damaged-pages']],
    // Two files, neither sent: every copy waits (merge, keep one or discard).
    ['duplicate-code-files', 'desk-row-FY-2026-006005', zhCN.split.held['duplicate-code'], en.split.held['duplicate-code']],
    ['code-closed', 'desk-row-FY-2026-005001', zhCN.split.held['code-closed'], en.split.held['code-closed']],
  ];
  for (const language of ['zh', 'en'] as const) {
    for (const [reason, row, zh, english] of rows) {
      const candidates = page.getByTestId(row);
      // The held one of rows sharing a code (a copy already sent is not held).
      const count = await candidates.count();
      let found = false;
      for (let index = count - 1; index >= 0 && !found; index -= 1) {
        await candidates.nth(index).click();
        found = (await page.getByTestId('desk-held').count()) > 0 && ((await page.getByTestId('desk-held').textContent()) ?? '').includes(language === 'zh' ? zh : english);
      }
      assert.ok(found, `${language} ${reason}`);
      await page.getByTestId('desk-held').scrollIntoViewIfNeeded();
      assert.deepEqual(await findLayoutViolations(page), [], `${language} ${reason}`);
      await saveScreenshot(page, `${language}-1024-held-${reason}`);
    }
    if (language === 'zh') await page.getByTestId('language-switch').click();
  }
  await page.getByTestId('language-switch').click();
  await session.harness.core.upload.act({ action: 'resume' });
});

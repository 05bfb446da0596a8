import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { writeStack } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { dropFile } from './helpers/drop-file.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';
import { waitForCounts } from './helpers/station-counts.js';

let session: UiSession;
let page: Page;

before(async () => {
  // A short settle time and poll, so a file copied into the watched folder shows up within a second.
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 }, core: { watchSettleMs: 300, watchPollMs: 300 } });
  page = session.page;
});

after(() => session?.close());

test('a stack dropped on the Scan desk is split with thumbnails; the orphan page is held, given to a bill, and the held bill released', async () => {
  const file = await writeStack(
    [{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-000501' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-2026-000502' }, { kind: 'cover', code: 'FY-2026-000503' }, { kind: 'content' }],
    await makeTempDir(),
    'pdf',
  );
  await dropFile(page, '扫描 0001.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  // The result says what needs the clerk (the orphan pages and the empty bill) and jumps to the first of it.
  await page.getByTestId('desk-notice').getByText('扫描 0001.pdf：3 张单据：1 张需要处理，2 张可以上传；另有第一张封面之前的 1 页需要处理。').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="desk-row-orphans"][aria-pressed="true"]').waitFor();
  await waitForCounts(page, 'desk-summary', { ready: 2, held: 2 });
  // The orphan page: held, with the way out.
  await page.getByTestId('desk-row-orphans').click();
  await page.getByTestId('desk-held-next').getByText(zhCN.split.next.orphans).waitFor();
  // The first bill takes it; its strip shows the cover, its page and the orphan (the blank back greyed elsewhere).
  await page.getByTestId('desk-row-FY-2026-000501').click();
  assert.equal(await page.getByTestId('desk-thumbs').locator('img').count(), 2);
  await page.getByTestId('desk-take-orphans').click();
  await page.getByTestId('desk-notice').getByText('这些页已加到单据 FY-2026-000501').waitFor();
  await page.getByTestId('desk-row-orphans').waitFor({ state: 'detached' });
  // The keyboard goes on to the next bill that needs the clerk (the empty one); the first bill has its three pages.
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'desk-row-FY-2026-000502');
  await page.getByTestId('desk-row-FY-2026-000501').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="desk-thumbs"] img').length === 3);
  // The cover with nothing after it is held as an empty bill; the clerk releases it (a cover-only bill).
  await page.getByTestId('desk-row-FY-2026-000502').click();
  await page.getByTestId('desk-held').getByText(zhCN.split.held['empty-bill']).waitFor();
  // Released from the keyboard: R, as the button says, with the row still focused.
  assert.equal(await page.getByTestId('desk-release').getAttribute('aria-keyshortcuts'), 'R');
  await page.getByTestId('desk-row-FY-2026-000502').focus();
  await page.keyboard.press('r');
  await page.getByTestId('desk-notice').getByText('单据 FY-2026-000502 已放行').waitFor();
  await waitForCounts(page, 'desk-summary', { ready: 3, held: 0 });
  // The status bar agrees, on every page, in the same words.
  await waitForCounts(page, 'status-counts', { ready: 3, held: 0 });
  assert.equal(await page.getByTestId('status-counts').textContent(), await page.getByTestId('desk-summary').textContent());
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-scan-desk');
  // The same file again is recognised, not taken twice.
  await dropFile(page, '扫描 0001 copy.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText('已在').waitFor({ timeout: 30_000 });
  // The spool on disk agrees (the CLI reads the same files).
  const bills = await session.harness.core.scanDesk.overview();
  assert.deepEqual(bills[0]?.bills.map((bill) => [bill.code, bill.state, bill.pages]), [['FY-2026-000501', 'ready', [2, 3, 1]], ['FY-2026-000502', 'ready', [5]], ['FY-2026-000503', 'ready', [6, 7]]]);
});

test('a page fed with the wrong bill is moved to the next one; a blank back is put back, a page left out', async () => {
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000651' }, { kind: 'content' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-2026-000652' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, 'pages.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText('pages.pdf：2 张单据，全部可以上传。').waitFor({ timeout: 60_000 });
  await page.getByTestId('desk-row-FY-2026-000651').click();
  // The cover's thumbnail shows where its QR was found, top right.
  const box = await page.getByTestId('desk-qr-1').locator('polygon').getAttribute('points');
  const xs = (box ?? '').split(' ').map((point) => Number(point.split(',')[0]));
  assert.ok(xs.length === 4 && Math.min(...xs) > 0.6, `QR box at ${box}`);
  // Enter opens the page large, exactly as stored, with the box; Esc closes it and focus comes back.
  await page.getByTestId('desk-page-1').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('page-viewer').locator('img').waitFor();
  await page.getByTestId('page-viewer-qr').waitFor();
  assert.match((await page.getByTestId('page-viewer').locator('img').getAttribute('src')) ?? '', /^data:image\/jpeg;base64,/);
  await saveScreenshot(page, 'zh-1024-scan-desk-page-large');
  await page.keyboard.press('Escape');
  await page.getByTestId('page-viewer').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'desk-page-1');
  // Page 3 belongs to the next bill: select it, move it.
  await page.getByTestId('desk-page-3').click();
  await page.getByTestId('desk-move-next').click();
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.pageDone.movedNext.replace('{{page}}', '3')).waitFor();
  // The blank back (page 4) is shown apart, greyed, with a way back in.
  await page.getByTestId('desk-left-out').getByText(zhCN.scanDeskPage.blank, { exact: false }).waitFor();
  await page.getByTestId('desk-restore-4').click();
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.pageDone.restored.replace('{{page}}', '4').replace('{{code}}', 'FY-2026-000651')).waitFor();
  await page.getByTestId('desk-page-2').click();
  await page.getByTestId('desk-exclude').click();
  await page.getByTestId('desk-restore-2').waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-scan-desk-pages');
  const stack = (await session.harness.core.scanDesk.overview()).find((candidate) => candidate.name === 'pages.pdf');
  assert.deepEqual(stack?.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-000651', [1, 4]], ['FY-2026-000652', [5, 3, 6]]]);
  // Page 6 is really a cover the split could not read: it starts its own bill, typed in by the clerk.
  await page.getByTestId('desk-row-FY-2026-000652').click();
  await page.getByTestId('desk-page-6').click();
  await page.getByTestId('desk-cover-code').fill('FY-2026-000653');
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-scan-desk-page-actions');
  await page.getByTestId('desk-mark-cover').click();
  await page.getByTestId('desk-row-FY-2026-000653').waitFor();
  // And it was not, after all: it joins the bill before again.
  await page.getByTestId('desk-row-FY-2026-000653').click();
  await page.getByTestId('desk-not-cover').click();
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.pageDone.notCover.replace('{{code}}', 'FY-2026-000653')).waitFor();
  const again = (await session.harness.core.scanDesk.overview()).find((candidate) => candidate.name === 'pages.pdf');
  assert.deepEqual(again?.bills.map((bill) => [bill.code, bill.pages, bill.state]), [['FY-2026-000651', [1, 4], 'ready'], ['FY-2026-000652', [5, 3, 6], 'ready'], ['FY-2026-000653', [], 'discarded']]);
});

test('a file copied into the watched scan folder appears by itself; a missing folder says how to fix it', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'Scans 扫描');
  // The folder is not there yet (USB drive not plugged in): the status says so, with the fix.
  await page.getByTestId('watch-folder').fill(folder);
  await page.getByTestId('watch-start').click();
  await page.locator('[data-testid="watch-status"][data-state="unavailable"]').getByText(zhCN.scanDeskPage.watch.reason.missing).waitFor();
  // Plugged in: watching resumes by itself.
  await mkdir(folder);
  await page.locator('[data-testid="watch-status"][data-state="watching"]').waitFor({ timeout: 10_000 });
  // The scanner writes under a temporary name and renames when done, as PaperStream does.
  const stack = await writeStack([{ kind: 'cover', code: 'FY-2026-000601' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000602' }], await makeTempDir(), 'pdf');
  await writeFile(path.join(folder, '~scan0002.pdf.tmp'), await readFile(stack));
  await rename(path.join(folder, '~scan0002.pdf.tmp'), path.join(folder, 'scan0002.pdf'));
  await page.getByTestId('desk-row-FY-2026-000601').waitFor({ timeout: 30_000 });
  await page.getByTestId('desk-row-FY-2026-000602').waitFor();
  await page.getByTestId('watch-latest').getByText('scan0002.pdf').waitFor();
  // The source moves once it has stayed unchanged for one more settle time (a scanner may still append).
  const movedBy = Date.now() + 15_000;
  while (!(await readdir(path.join(folder, 'imported')).catch(() => [] as string[])).includes('scan0002.pdf')) {
    assert.ok(Date.now() < movedBy, 'the source was not moved to imported/');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(await readdir(path.join(folder, 'imported')), ['scan0002.pdf']);
  assert.deepEqual(await findLayoutViolations(page), []);
  await page.getByTestId('watch-panel').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-scan-desk-watching');
  // Stopping forgets the folder; the preference is gone after a restart too.
  await page.getByTestId('watch-stop').click();
  await page.locator('[data-testid="watch-status"][data-state="off"]').waitFor();
  assert.equal((await session.harness.core.prefs.readPrefs()).watchFolder, undefined);
});

test('a scan folder whose every look fails says so (not "watching") with the reason, and watches again once it is fixed', async () => {
  const folder = await makeTempDir();
  // A plain file where the station keeps its claims: every look fails the same way.
  await writeFile(path.join(folder, '.scan-station'), 'in the way');
  await page.getByTestId('watch-folder').fill(folder);
  await page.getByTestId('watch-start').click();
  const failing = page.locator('[data-testid="watch-status"][data-state="failing"]');
  await failing.waitFor({ timeout: 20_000 });
  assert.match((await failing.textContent()) ?? '', /一直出错/);
  assert.deepEqual(await findLayoutViolations(page), []);
  await page.getByTestId('watch-panel').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-scan-desk-watch-failing');
  await rm(path.join(folder, '.scan-station'));
  await page.locator('[data-testid="watch-status"][data-state="watching"]').waitFor({ timeout: 20_000 });
  await page.getByTestId('watch-stop').click();
  await page.locator('[data-testid="watch-status"][data-state="off"]').waitFor();
});

test('no console errors on the Scan desk', () => {
  assert.deepEqual(session.problems, []);
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startBrowserServer, type BrowserServer } from '../../electron/server/browser-server.js';
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
let stackFile: string;

before(async () => {
  // An en-US browser with the Chinese UI chosen: times must follow the UI, not the browser.
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 }, locale: 'en-US' });
  page = session.page;
  await page.getByRole('heading', { level: 1, name: en.nav.scanDesk }).waitFor();
  await page.getByTestId('language-switch').click();
  await page.getByRole('heading', { level: 1, name: zhCN.nav.scanDesk }).waitFor();
});

after(() => session?.close());

/** The rows of the bills list as shown, top to bottom: key, state and text. */
function listedRows(): Promise<{ key: string; state: string; text: string; tabIndex: number }[]> {
  return page.$$eval('[data-testid="desk-rows"] button', (buttons) =>
    buttons.map((button) => ({ key: button.getAttribute('data-key') ?? '', state: button.getAttribute('data-state') ?? '', text: button.textContent ?? '', tabIndex: (button as HTMLButtonElement).tabIndex })),
  );
}

/** The `data-key` of the focused element (a row of the list), or its test id. */
function focused(): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-key') ?? document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);
}

test('held bills first as a to-do list: "N need you" and the jump, one Tab stop with arrows, a stable order, focus on to the next held bill, the filter', async () => {
  // Nothing is sent (no connection check passed): every change below is the clerk's.
  stackFile = await writeStack(
    [
      { kind: 'cover', code: 'FY-2026-000701' },
      { kind: 'content' },
      { kind: 'content' },
      { kind: 'cover', code: 'FY-2026-000702' },
      { kind: 'cover', code: 'FY-2026-000703' },
      { kind: 'content' },
      { kind: 'cover', code: 'FY-2026-000704' },
      { kind: 'content' },
      { kind: 'cover', code: 'FY-2026-000705' },
      { kind: 'cover', code: 'FY-2026-000706' },
      { kind: 'content' },
    ],
    await makeTempDir(),
    'pdf',
  );
  await dropFile(page, 'todo.pdf', await readFile(stackFile), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText(/^todo\.pdf：/).waitFor({ timeout: 60_000 });
  // Two empty bills (a cover straight after a cover) need the clerk: said at the top, listed first.
  await page.getByTestId('desk-need-count').getByText(zhCN.deskTodo.needYou_other.replace('{{count}}', '2')).waitFor();
  const first = await listedRows();
  assert.deepEqual(
    first.map((row) => row.state),
    ['held', 'held', 'ready', 'ready', 'ready', 'ready'],
  );
  assert.match(first[0]?.text ?? '', /FY-2026-000702/);
  assert.match(first[1]?.text ?? '', /FY-2026-000705/);
  // One Tab stop: exactly one row is tabbable.
  assert.equal(first.filter((row) => row.tabIndex === 0).length, 1);
  // The jump lands on the first held bill, focused.
  await page.getByTestId('desk-jump').click();
  await page.waitForFunction((key) => document.activeElement?.getAttribute('data-key') === key, first[0]?.key);
  await page.getByTestId('desk-held').getByText(zhCN.split.held['empty-bill']).waitFor();
  // Arrows, End and Home move selection and focus; the Tab stop goes with the selection.
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), first[1]?.key);
  await page.keyboard.press('End');
  assert.equal(await focused(), first[5]?.key);
  await page.keyboard.press('Home');
  assert.equal(await focused(), first[0]?.key);
  assert.deepEqual(
    (await listedRows()).filter((row) => row.tabIndex === 0).map((row) => row.key),
    [first[0]?.key],
  );
  // Tab leaves the list at once (it is one stop), Shift+Tab comes back to the selected row.
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.closest('[data-testid="desk-rows"]') !== null), true);
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(), first[0]?.key);
  // Released from the keyboard: the row stays where it was (a stable order), its state changes,
  // and focus goes on to the next held bill, not the page body.
  await page.keyboard.press('r');
  await page.getByTestId('desk-notice').getByText('单据 FY-2026-000702 已放行').waitFor();
  await page.waitForFunction((key) => document.activeElement?.getAttribute('data-key') === key, first[1]?.key);
  const after = await listedRows();
  assert.deepEqual(
    after.map((row) => row.key),
    first.map((row) => row.key),
  );
  assert.deepEqual(
    after.map((row) => row.state),
    ['ready', 'held', 'ready', 'ready', 'ready', 'ready'],
  );
  await page.getByTestId('desk-need-count').getByText(zhCN.deskTodo.needYou_one.replace('{{count}}', '1')).waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-scan-desk-todo');
  await page.getByTestId('language-switch').click();
  await page.getByTestId('desk-need-count').getByText(en.deskTodo.needYou_one.replace('{{count}}', '1')).waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'en-1024-scan-desk-todo');
  await page.getByTestId('language-switch').click();
  // The count and its jump are the first thing on the desk.
  await page.getByTestId('desk-todo').scrollIntoViewIfNeeded();
  const todoTop = (await page.getByTestId('desk-todo').boundingBox())?.y ?? 1e9;
  assert.ok(todoTop < ((await page.getByTestId('desk-drop-zone').boundingBox())?.y ?? 0), 'the to-do line is above the drop zone');
  await saveScreenshot(page, 'zh-1024-scan-desk-todo-top');
  // Only what needs me: the held bill (and the one being looked at).
  await page.getByTestId('desk-only-mine').check();
  assert.deepEqual(
    (await listedRows()).map((row) => row.key),
    [first[1]?.key],
  );
  await saveScreenshot(page, 'zh-1024-scan-desk-todo-filter');
  await page.getByTestId('desk-only-mine').uncheck();
  // Sorting again puts the released bill among the ready ones.
  await page.getByTestId('desk-sort-again').click();
  assert.deepEqual(
    (await listedRows()).map((row) => row.state),
    ['held', 'ready', 'ready', 'ready', 'ready', 'ready'],
  );
  // Discarding the last held bill: nothing needs the clerk; focus stays in the list.
  await page.getByTestId('desk-jump').click();
  await page.waitForFunction(() => document.activeElement?.closest('[data-testid="desk-rows"]') !== null);
  await page.keyboard.press('Delete');
  await page.getByRole('dialog').getByRole('button', { name: zhCN.scanDeskPage.discard }).click();
  await page.getByTestId('desk-need-count').getByText(zhCN.deskTodo.nothingNeeded).waitFor();
  await page.waitForFunction(() => document.activeElement?.closest('[data-testid="desk-rows"]') !== null);
});

test('in the large page view Left/Right page through the bill, its place in the bill shown', async () => {
  const row = (await listedRows()).find((candidate) => /FY-2026-000701/.test(candidate.text));
  await page.locator(`[data-key="${row?.key}"]`).click();
  await page.getByTestId('desk-page-1').focus();
  await page.keyboard.press('Enter');
  const viewer = page.getByTestId('page-viewer');
  await viewer.locator('img').waitFor();
  await page.getByTestId('page-viewer-position').getByText(zhCN.deskTodo.pageOf.replace('{{page}}', '1').replace('{{pages}}', '3')).waitFor();
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('page-viewer-position').getByText(zhCN.deskTodo.pageOf.replace('{{page}}', '2').replace('{{pages}}', '3')).waitFor();
  await viewer.getByRole('heading', { name: /第 2 页/ }).waitFor();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('page-viewer-position').getByText(zhCN.deskTodo.pageOf.replace('{{page}}', '3').replace('{{pages}}', '3')).waitFor();
  await page.keyboard.press('ArrowLeft');
  await viewer.getByRole('heading', { name: /第 2 页/ }).waitFor();
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });
});

test('a Chinese UI in an en-US browser writes times the Chinese way', async () => {
  await dropFile(page, 'todo again.pdf', await readFile(stackFile), 'application/pdf', 'desk-drop-zone');
  const notice = page.getByTestId('desk-notice').getByText('已在');
  await notice.waitFor({ timeout: 30_000 });
  const text = (await notice.textContent()) ?? '';
  assert.doesNotMatch(text, /AM|PM/);
  assert.match(text, /\d{4}\/\d{1,2}\/\d{1,2}/);
});

test('with the service gone the live figures turn grey "unknown since" and no error banner appears; after a restart the old tab says to open the new address, and a new #token is taken without reload', async () => {
  const port = session.server.port;
  await session.server.close();
  // Grey, with since when: the queue card, the watched folder, the status bar, the upload pills.
  const queue = page.locator('[data-testid="queue-state"][data-stale="true"]');
  await queue.waitFor({ timeout: 15_000 });
  assert.match((await queue.textContent()) ?? '', /状态未知（\d{2}:\d{2} 起）/);
  await page.locator('[data-testid="watch-status"][data-stale="true"]').waitFor();
  await page.locator('[data-testid="status-queue"][data-stale="true"]').waitFor();
  await page.locator('[data-testid="status-bills"][data-stale="true"]').waitFor();
  // Several background looks later: no red "operation failed" the clerk never caused.
  await page.waitForTimeout(4000);
  assert.equal(await page.getByTestId('queue-problem').count(), 0);
  assert.equal(await page.locator('[data-testid="watch-panel"] .banner-fail').count(), 0);
  assert.equal(await page.locator('[data-testid="desk-notice"].banner-fail').count(), 0);
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-scan-desk-service-gone');

  // The station comes back on the same address with a new token: this tab's one is refused.
  const restarted: BrowserServer = await startBrowserServer({ dispatcher: session.harness.dispatcher, staticDir: path.resolve('dist', 'renderer'), log: session.harness.core.log, port, token: 'new-token-after-restart' });
  try {
    const notice = page.getByTestId('stale-token');
    await notice.waitFor({ timeout: 15_000 });
    assert.match((await notice.textContent()) ?? '', /新打印出的地址/);
    await saveScreenshot(page, 'zh-1024-stale-token');
    // The clerk pastes the new address into this tab: taken at once, no F5.
    await page.evaluate(() => {
      window.location.hash = '#token=new-token-after-restart';
    });
    await notice.waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('[data-testid="queue-state"]:not([data-stale])').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="status-queue"]:not([data-stale])').waitFor({ timeout: 15_000 });
    // The token left the address bar and the page did not change.
    assert.equal(await page.evaluate(() => window.location.hash), '');
    await page.getByRole('heading', { level: 1, name: zhCN.nav.scanDesk }).waitFor();
  } finally {
    await restarted.close();
  }
});

test('no page errors on the to-do list (the service going away is expected to fail requests)', () => {
  assert.deepEqual(
    session.problems.filter((problem) => !/ERR_CONNECTION_REFUSED|Failed to load resource|401|net::/.test(problem)),
    [],
  );
});

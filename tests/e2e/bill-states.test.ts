import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultEndpointSettings } from '../../electron/shared/endpoint/endpoint-settings.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { startReferenceImagingServer, type ReferenceServer } from '../../electron/core/imaging/reference-server.js';
import { writeStack } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { dropFile } from './helpers/drop-file.js';
import { findLayoutViolations } from './helpers/layout.js';
import { readCounts, waitForCounts } from './helpers/station-counts.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;
let server: ReferenceServer;

before(async () => {
  server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'states-e2e': 'e2e-secret' } });
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 } });
  page = session.page;
  await session.harness.core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'e2e', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'states-e2e' }, 'e2e-secret');
});

after(async () => {
  await session?.close();
  await server?.close();
});

/** The three counts lines (list header, queue card, status bar) say the same words. */
async function assertSameWords(): Promise<void> {
  const [desk, queue, bar] = await Promise.all(['desk-summary', 'queue-station-counts', 'status-counts'].map((id) => page.getByTestId(id).textContent()));
  assert.equal(desk, queue, 'list header and queue card');
  assert.equal(desk, bar, 'list header and status bar');
}

test('review mode and a repeated code: the bill waits in review until R, every copy of the code is held and merged; the list, queue card and status bar say the same', async () => {
  const settings = session.harness.core.scanDesk.settings;
  const current = await settings.read();
  await settings.save({ ...current, release: 'review' });
  const file = await writeStack(
    [{ kind: 'cover', code: 'FY-2026-000971' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000972' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000972' }, { kind: 'content' }, { kind: 'content' }],
    await makeTempDir(),
    'pdf',
  );
  await dropFile(page, '扫描 0971.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText('扫描 0971.pdf：3 张单据：1 张待审核（按 R 放行），2 张需要处理。').waitFor({ timeout: 60_000 });
  // The review bill and both copies of the repeated code, in the one model's words.
  await page.locator('[data-testid="desk-status-FY-2026-000971"][data-status="review"]').waitFor();
  assert.equal(await page.locator('[data-testid="desk-status-FY-2026-000972"][data-status="held"]').count(), 2, 'both copies held, the first too');
  await waitForCounts(page, 'desk-summary', { review: 1, held: 2, ready: 0 });
  await waitForCounts(page, 'status-counts', { review: 1, held: 2, ready: 0 });
  await waitForCounts(page, 'queue-station-counts', { review: 1, held: 2, ready: 0 });
  await assertSameWords();
  assert.equal(await page.getByTestId('desk-status-FY-2026-000971').textContent(), zhCN.billStatus.states.review);

  // The gate opens: a bill in review still waits.
  await page.getByTestId('queue-check').click();
  // Nothing is sent, and the card says what waits in the model's words, in the warning colour (never green beside bills that need the clerk).
  await page.getByTestId('queue-state').getByText('没有正在上传的单据 — 还有 2 张需要处理、1 张待审核（见列表）').waitFor({ timeout: 30_000 });
  assert.match((await page.getByTestId('queue-state').getAttribute('class')) ?? '', /banner-warn/);
  assert.equal(await page.getByTestId('desk-upload-FY-2026-000971').count(), 0, 'nothing of it went up');
  await page.getByTestId('desk-row-FY-2026-000971').click();
  await page.getByTestId('desk-review').waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-bill-review');
  // R releases it; it goes up.
  await page.getByTestId('desk-row-FY-2026-000971').focus();
  await page.keyboard.press('r');
  await page.getByTestId('desk-notice').getByText('单据 FY-2026-000971 已放行').waitFor();
  await page.locator('[data-testid="desk-upload-FY-2026-000971"][data-status="done"]').waitFor({ timeout: 30_000 });

  // The repeated code: the choice in the bill detail, then the merged bill goes up whole.
  await page.getByTestId('desk-row-FY-2026-000972').first().click();
  await page.getByTestId('desk-copies').waitFor();
  assert.equal(await page.getByTestId('desk-release').count(), 0, 'no lone release of one copy');
  await saveScreenshot(page, 'zh-1024-bill-copies');
  await page.getByTestId('desk-merge-copies').click();
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.done['merge-copies'].replace('{{code}}', 'FY-2026-000972')).waitFor();
  await page.locator('[data-testid="desk-upload-FY-2026-000972"][data-status="done"]').waitFor({ timeout: 30_000 });
  const bills = (await session.harness.core.scanDesk.overview())[0]?.bills ?? [];
  assert.deepEqual(bills.map((bill) => [bill.code, bill.state, bill.pages]), [['FY-2026-000971', 'ready', [1, 2]], ['FY-2026-000972', 'ready', [3, 4, 6, 7]], ['FY-2026-000972', 'discarded', []]]);
  await waitForCounts(page, 'desk-summary', { held: 0, review: 0, ready: 0, sentToday: 2 });
  await waitForCounts(page, 'status-counts', { held: 0, review: 0, ready: 0, sentToday: 2 });
  await waitForCounts(page, 'queue-station-counts', { held: 0, review: 0, ready: 0, sentToday: 2 });
  await assertSameWords();
  assert.equal((await readCounts(page, 'desk-summary'))['sentToday'], 2);
  assert.deepEqual(session.problems, []);
});

test('a bill scanned in two files: both copies held, merged from the later file\'s row into the first copy, sent once with every page', async () => {
  // Still in review mode (the test before): the first file's bill waits, so nothing of the code goes up before the second file comes.
  const first = await writeStack([{ kind: 'cover', code: 'FY-2026-000981' }, { kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, '扫描 0981.pdf', await readFile(first), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText(/^扫描 0981\.pdf：1 张单据/).waitFor({ timeout: 60_000 });
  const rescan = await writeStack([{ kind: 'cover', code: 'FY-2026-000981' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, '扫描 0981 补扫.pdf', await readFile(rescan), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText(/^扫描 0981 补扫\.pdf：1 张单据/).waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="desk-status-FY-2026-000981"][data-status="held"]').nth(1).waitFor();
  // Asked from the later file's copy: the first copy in scan order is the merged bill.
  await page.getByTestId('desk-row-FY-2026-000981').nth(1).click();
  await page.getByTestId('desk-copies').waitFor();
  await page.getByTestId('desk-merge-copies').click();
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.done['merge-copies'].replace('{{code}}', 'FY-2026-000981')).waitFor();
  await page.locator('[data-testid="desk-upload-FY-2026-000981"][data-status="done"]').waitFor({ timeout: 30_000 });
  const stacks = await session.harness.core.scanDesk.overview();
  const copies = stacks.flatMap((stack) => stack.bills.filter((bill) => bill.code === 'FY-2026-000981').map((bill) => [stack.name, bill.state, bill.pages]));
  // The rescan's file had nothing else: its stack went to the recycle folder.
  assert.deepEqual(copies, [['扫描 0981.pdf', 'ready', [1, 2, 3, 4, 5, 6]]]);
  await waitForCounts(page, 'queue-station-counts', { held: 0, review: 0, ready: 0, sentToday: 3 });
  await assertSameWords();
  assert.deepEqual(session.problems, []);
});

import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;
let server: ReferenceServer;
let serverDir: string;

before(async () => {
  // The imaging endpoint: a private deployment on loopback (the reference server, whose faults the test turns on and off).
  serverDir = await makeTempDir();
  server = await startReferenceImagingServer({ dataDir: serverDir, clients: { 'desk-e2e': 'e2e-secret' } });
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 } });
  page = session.page;
  await session.harness.core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'e2e', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'desk-e2e' }, 'e2e-secret');
});

after(async () => {
  await session?.close();
  await server?.close();
});

/** A bill's upload pill once it shows this state. */
const pill = (code: string, state: string) => page.locator(`[data-testid="desk-upload-${code}"][data-state="${state}"]`);

test('bills go up from the Scan desk once the connection check passes, with live progress; a server fault waits and recovers; a held bill is released and sent', async () => {
  const file = await writeStack(
    [{ kind: 'cover', code: 'FY-2026-000801' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000802' }, { kind: 'cover', code: 'FY-2026-000803' }, { kind: 'content' }],
    await makeTempDir(),
    'pdf',
  );
  await dropFile(page, '扫描 0801.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText('扫描 0801.pdf：3 张单据：1 张需要处理，2 张可以上传。').waitFor({ timeout: 60_000 });

  // The gate is shut: nothing goes, the queue says why and offers the check, the status bar agrees.
  await page.getByTestId('queue-state').getByText(zhCN.queuePanel.reasons['preflight-missing']).waitFor({ timeout: 10_000 });
  // Not "paused, 0 to go": why nothing goes (no connection check yet, not a person) and the model's ready bills.
  await page.getByTestId('status-queue').getByText('未上传：还没有运行连接检查，2 张待上传').waitFor({ timeout: 10_000 });
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-queue-gate-shut');

  // Slow answers, so the progress is seen page by page; then the check opens the gate.
  server.setFaults({ delayMs: 400 });
  await page.getByTestId('queue-check').click();
  await pill('FY-2026-000801', 'sending').waitFor({ timeout: 30_000 });
  await page.getByTestId('desk-row-FY-2026-000801').click();
  await page.getByTestId('desk-upload-detail').getByRole('progressbar').waitFor();
  await saveScreenshot(page, 'zh-1024-queue-sending');

  // The server starts failing every request: the bill waits, with its countdown and the reason.
  server.setFaults({ failEvery: 1 });
  await pill('FY-2026-000801', 'waiting').waitFor({ timeout: 30_000 });
  await page.getByTestId('desk-upload-waiting').waitFor();
  assert.match((await page.getByTestId('desk-upload-waiting').textContent()) ?? '', /秒后(再试|重试)/);
  await saveScreenshot(page, 'zh-1024-queue-waiting');
  // The server is back; the clerk does not wait for the countdown.
  server.setFaults({});
  const retry = page.getByTestId('desk-upload-retry');
  if (await retry.isVisible()) await retry.click();
  await pill('FY-2026-000801', 'done').waitFor({ timeout: 60_000 });
  await page.getByTestId('desk-receipts').locator('tbody tr').nth(3).waitFor();
  assert.equal(await page.getByTestId('desk-receipts').locator('tbody tr').count(), 4, 'a receipt for each of its four pages');
  await saveScreenshot(page, 'zh-1024-queue-receipts');

  // The empty bill (two covers in a row) was held by the split: released, it is sent as a cover-only bill.
  await pill('FY-2026-000803', 'done').waitFor({ timeout: 30_000 });
  await page.getByTestId('desk-row-FY-2026-000802').click();
  await page.getByTestId('desk-held').getByText(zhCN.split.held['empty-bill']).waitFor();
  await page.getByTestId('desk-release').click();
  await pill('FY-2026-000802', 'done').waitFor({ timeout: 30_000 });
  await page.getByTestId('queue-state').getByText(zhCN.queuePanel.states.idle).waitFor({ timeout: 10_000 });
  await page.getByTestId('status-queue').getByText(zhCN.status.queueStates.idle).waitFor({ timeout: 10_000 });

  // What the server holds: every bill closed with exactly its pages, byte for byte as the spool has them.
  const [stack] = await session.harness.core.scanDesk.spool.listStacks();
  assert.ok(stack);
  for (const bill of stack.bills) {
    const stored = JSON.parse(await readFile(path.join(serverDir, 'bills', bill.code as string, 'bill.json'), 'utf8')) as { status: string; pages: Record<string, { sha256: string }> };
    assert.equal(stored.status, 'closed', bill.code ?? '');
    assert.deepEqual(
      Object.entries(stored.pages).map(([page, receipt]) => [Number(page), receipt.sha256]),
      bill.pages.map((page, index) => [index + 1, stack.pages[page - 1]?.sha256]),
    );
  }
  // Uploaded bills are fixed: no edit action is offered, and Delete says why instead of asking.
  await page.getByTestId('desk-row-FY-2026-000801').click();
  await page.getByTestId('desk-receipts').waitFor();
  assert.equal(await page.getByTestId('desk-discard').count(), 0);
  await page.getByTestId('desk-row-FY-2026-000801').focus();
  await page.keyboard.press('Delete');
  await page.getByTestId('desk-notice').getByText(zhCN.scanDeskPage.noDiscard.done.replace('{{code}}', 'FY-2026-000801')).waitFor();
  assert.deepEqual(session.problems, []);
});

test('the data folder refuses the queue\'s records: the queue card and the status bar say why, and uploads resume by themselves once it works', { timeout: 120_000 }, async () => {
  // Paused while the stack comes in, so its upload folder can be blocked before the queue looks.
  await session.harness.core.upload.act({ action: 'pause' });
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000805' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, '扫描 0805.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText('扫描 0805.pdf：1 张单据，全部可以上传。').waitFor({ timeout: 60_000 });
  const [newest] = await session.harness.core.scanDesk.overview(1);
  assert.ok(newest);
  // A real failure of the file system: a file where the bill's upload folder must go.
  const blocker = path.join(session.harness.dataDir, 'spool', 'stacks', newest.id, 'upload');
  await writeFile(blocker, 'not a folder');
  await session.harness.core.upload.act({ action: 'resume' });
  await page.getByTestId('queue-state').getByText(zhCN.queuePanel.reasons['data-folder-failing']).waitFor({ timeout: 30_000 });
  assert.match((await page.getByTestId('queue-state').textContent()) ?? '', /秒后再试/);
  await page.getByTestId('status-queue').getByText(zhCN.status.queueStalled['data-folder-failing'].replace('{{count}}', '1')).waitFor({ timeout: 10_000 });
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-queue-data-folder');
  await rm(blocker);
  await pill('FY-2026-000805', 'done').waitFor({ timeout: 60_000 });
  await page.getByTestId('queue-state').getByText(zhCN.queuePanel.states.idle).waitFor({ timeout: 10_000 });
  assert.deepEqual(session.problems, []);
});

test('the imaging system refuses the station (its secret changed there): the queue pauses and says so on the Scan desk and the Connection page', async () => {
  const port = server.port;
  await server.close();
  server = await startReferenceImagingServer({ dataDir: serverDir, clients: { 'desk-e2e': 'a-new-secret' }, port });
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000811' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, '扫描 0811.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('queue-state').getByText(zhCN.queuePanel.reasons['fix-settings']).waitFor({ timeout: 30_000 });
  await page.getByTestId('status-queue').getByText(zhCN.status.queueNotSending['fix-settings'].replace('{{count}}', '1')).waitFor({ timeout: 10_000 });
  // The gate reads shut everywhere, consistently: the last passing check no longer holds.
  await page.getByTestId('status-gate').getByText(zhCN.status.gateShut).waitFor({ timeout: 10_000 });
  await page.getByTestId('nav-connection').click();
  await page.getByTestId('connection-queue-refused').waitFor({ timeout: 10_000 });
  assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /上传已放行/);
  assert.match((await page.getByTestId('connection-queue-refused').textContent()) ?? '', /上传已暂停/);
  await saveScreenshot(page, 'zh-1024-connection-queue-refused');
  assert.deepEqual(session.problems, []);
});

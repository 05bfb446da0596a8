import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createHttpAdapter } from '../../electron/core/imaging/http-adapter.js';
import { startReferenceImagingServer, type ReferenceServer } from '../../electron/core/imaging/reference-server.js';
import { defaultEndpointSettings } from '../../electron/shared/endpoint/endpoint-settings.js';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { busyDayCode, writeBusyDayAudit } from '../fixtures/busy-day.js';
import type { StackPage } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { findLayoutViolations } from './helpers/layout.js';
import { scanAndSettle as scanAndSettleWith } from './helpers/scan-and-settle.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

const secret = 'erp-words-secret';
let session: UiSession;
let page: Page;
let server: ReferenceServer;
let serverDir: string;

before(async () => {
  serverDir = await makeTempDir();
  server = await startReferenceImagingServer({ dataDir: serverDir, clients: { 'desk-erp': secret, 'other-desk': 'other-secret' } });
  session = await openUiSession({ area: 'troubleshoot', viewport: { width: 1024, height: 700 } });
  page = session.page;
  await session.harness.core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'e2e', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'desk-erp', stationId: 'desk-erp', scanPoint: '上海-01', scanUser: 'wang.wu' }, secret);
});

after(async () => {
  await session?.close();
  await server?.close();
});

/** Takes a stack in as the Scan desk does, and waits until the queue has nothing left to send. */
const scanAndSettle = (name: string, pages: StackPage[]) => scanAndSettleWith(session.harness, name, pages);

const trace = async (text: string) => {
  await page.getByTestId('lookup-text').fill(text);
  await page.getByTestId('lookup-day').fill('');
  await page.getByTestId('lookup-text').press('Control+Enter');
  await page.getByTestId('trace-summary').waitFor({ timeout: 30_000 });
};
const card = (code: string) => page.getByTestId(`trace-${code}`);

test('the ERP\'s state beside each verdict, in Chinese and English: 影像已就绪 from another scan point, a lost close as the headline and sent again', async () => {
  assert.equal((await session.harness.core.endpoint.preflight(() => undefined)).ok, true);
  await scanAndSettle('erp-1.pdf', [{ kind: 'cover', code: 'FY-2026-760001' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-760002' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-760003' }, { kind: 'content' }]);
  // A reviewer returned 760003 with a rescan reason from the server's list (UNCLEAR = 影像不清晰).
  await (await session.harness.core.endpoint.openAdapter('query')).returnBill('FY-2026-760003', { text: '第2页发票看不清', code: 'UNCLEAR' });

  // Another desk scanned 760009 at scan point 深圳-03 and closed it with who and where.
  const other = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'other-desk' }, clientSecret: 'other-secret', env: {} });
  for (const [index, text] of ['p1', 'p2', 'p3'].entries()) {
    const bytes = Buffer.from(text);
    const sha256 = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
    await other.uploadPage({ imageCode: 'FY-2026-760009', page: index + 1, bytes, sha256, idempotencyKey: `other-key-${index}` });
  }
  await other.closeBill('FY-2026-760009', 3, { scanUser: 'li.si', scanPoint: '深圳-03', stationIp: '10.8.0.21', scannedAt: '2026-12-01T02:30:00.000Z' });

  // 760002's close never reached the server: every page there, the record still open.
  const billFile = path.join(serverDir, 'bills', 'FY-2026-760002', 'bill.json');
  const stored = JSON.parse(await readFile(billFile, 'utf8')) as Record<string, unknown>;
  await writeFile(billFile, JSON.stringify({ ...stored, status: 'open', pageCount: null, closedAt: undefined, scan: undefined }));

  await trace('FY-2026-760001\nFY-2026-760002\nFY-2026-760003\nFY-2026-760009');
  assert.equal(await card('FY-2026-760001').getAttribute('data-verdict'), 'delivered');
  assert.equal(await card('FY-2026-760002').getAttribute('data-verdict'), 'close-lost');
  assert.equal(await card('FY-2026-760009').getAttribute('data-verdict'), 'delivered-elsewhere');
  // Sent from another desk: nothing for this station to do, so it is not counted as needing attention.
  assert.match((await page.getByTestId('trace-summary').textContent()) ?? '', /^共 4 个编码：已送达 1，需要处理 2，本站无需处理 1（无需影像、已废弃或由别处上传）$/);

  await card('FY-2026-760002').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-troubleshoot-erp-state');
  assert.deepEqual(await findLayoutViolations(page), []);
  // The ERP's line: the image state as a badge in the ERP's words, pages, who scanned where.
  assert.equal(await page.getByTestId('trace-erp-state-FY-2026-760009').textContent(), '影像状态 影像已就绪');
  assert.equal(await page.getByTestId('trace-erp-state-FY-2026-760009').getAttribute('data-state'), '2');
  const elsewhere = (await page.getByTestId('trace-erp-FY-2026-760009').textContent()) ?? '';
  assert.match(elsewhere, /影像映射维护 会显示：影像状态 = 影像已就绪，3 张，由 li\.si 在扫描点 深圳-03 扫描（IP 10\.8\.0\.21）/);
  assert.match((await card('FY-2026-760009').textContent()) ?? '', /由 li\.si 在扫描点 深圳-03 扫描/);
  assert.match((await page.getByTestId('trace-station-FY-2026-760009').textContent()) ?? '', new RegExp(zhCN.troubleshoot.stationViews.none));
  // This station's own delivery: its close carried its scan point and scan user.
  assert.match((await page.getByTestId('trace-erp-FY-2026-760001').textContent()) ?? '', /影像状态 = 影像已就绪，3 张，由 wang\.wu 在扫描点 上海-01 扫描/);
  // The disagreement is the headline; the station's side says it closed the bill.
  await page.getByTestId('trace-disagree-FY-2026-760002').getByText(zhCN.troubleshoot.erp.disagree).waitFor();
  assert.equal(await page.getByTestId('trace-erp-state-FY-2026-760002').textContent(), '影像状态 上传影像中');
  assert.match((await page.getByTestId('trace-station-FY-2026-760002').textContent()) ?? '', /本站记录：已于 .* 结单，2 页（2 张回执）/);
  // The station counts pages as the Scan desk does (页); only the ERP's own line says 张 (its 影像张数).
  assert.match((await card('FY-2026-760002').locator('.trace-line').first().textContent()) ?? '', /本站已发送 2 页并于 .*影像系统有同样的 2 页/);
  // A return names the rescan reason as the Scan desk does (its name from the server's list), never its bare code.
  assert.equal(await card('FY-2026-760003').getAttribute('data-verdict'), 'returned');
  const returnedLine = (await page.getByTestId('trace-erp-FY-2026-760003').textContent()) ?? '';
  assert.match(returnedLine, /影像状态 = 退回重扫，2 张，.*；退扫原因：影像不清晰——第2页发票看不清/);
  assert.doesNotMatch(returnedLine, /UNCLEAR/);

  // English: the ERP's words stay Chinese, with a gloss.
  await page.getByTestId('language-switch').click();
  await page.locator('html[lang="en"]').waitFor();
  assert.equal(await page.getByTestId('trace-erp-state-FY-2026-760009').textContent(), '影像状态 影像已就绪 (image ready)');
  assert.match((await page.getByTestId('trace-erp-FY-2026-760009').textContent()) ?? '', /影像映射维护 will show 影像状态 = 影像已就绪 \(image ready\), 3 pages, scanned by li\.si at scan point 深圳-03 \(IP 10\.8\.0\.21\)/);
  await card('FY-2026-760002').getByText(en.troubleshoot.verdicts['close-lost'].title).waitFor();
  // The longest gloss (退回重扫 (returned for rescan)) stays inside its box at 1024 px.
  assert.equal(await page.getByTestId('trace-erp-state-FY-2026-760003').textContent(), '影像状态 退回重扫 (returned for rescan)');
  assert.match((await page.getByTestId('trace-erp-FY-2026-760003').textContent()) ?? '', /rescan reason \(退扫原因\): 影像不清晰 — 第2页发票看不清/);
  assert.deepEqual(await findLayoutViolations(page), []);
  await card('FY-2026-760003').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'en-1024-troubleshoot-erp-returned');
  await card('FY-2026-760009').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'en-1024-troubleshoot-erp-state');

  // Send the close again from the keyboard: the server says 影像已就绪, the card says delivered.
  await page.getByTestId('trace-reclose-FY-2026-760002').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('trace-reclosed-FY-2026-760002').waitFor({ timeout: 30_000 });
  assert.match((await page.getByTestId('trace-reclosed-FY-2026-760002').textContent()) ?? '', /影像已就绪 \(image ready\)/);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'trace-reclosed-FY-2026-760002');
  assert.equal(await card('FY-2026-760002').getAttribute('data-verdict'), 'delivered');
  // The close sent again carried who scanned where, as the first close would have.
  assert.match((await page.getByTestId('trace-erp-FY-2026-760002').textContent()) ?? '', /scanned by wang\.wu at scan point 上海-01/);
  await saveScreenshot(page, 'en-1024-troubleshoot-reclosed');
  // The bills this station uploaded, with the image state the server reports now.
  await page.getByTestId('recent-refresh').click();
  await page.getByTestId('recent-state-FY-2026-760002').waitFor({ timeout: 30_000 });
  assert.deepEqual([await page.getByTestId('recent-state-FY-2026-760002').getAttribute('data-state'), await page.getByTestId('recent-state-FY-2026-760002').textContent()], ['2', '影像已就绪']);
  assert.deepEqual(await findLayoutViolations(page), []);
  await page.getByTestId('language-switch').click();
  await page.locator('html[lang="zh-CN"]').waitFor();
});

test('a busy day: 450 codes, the first 200 traced, "另有 250 个未追踪" and a button for the next page', async () => {
  const day = '2026-11-27';
  await writeBusyDayAudit(session.harness.dataDir, day, 450, { append: true });
  await page.getByTestId('lookup-text').fill('');
  await page.getByTestId('lookup-day').fill(day);
  // From the keyboard: while it traces, the focus stays on the button (never the page body), then goes to the answer.
  await page.getByTestId('lookup-run').focus();
  await page.keyboard.press('Enter');
  assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
  await page.getByTestId('trace-summary').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('trace-left-out').textContent(), '另有 250 个未追踪。');
  // The summary counts this page, not a second total beside "共 450 个编码".
  assert.equal(await page.getByTestId('trace-summary').textContent(), '这一页 200 个编码：已送达 0，需要处理 200');
  assert.match((await page.getByTestId('trace-pages').textContent()) ?? '', /共 450 个编码，这里是第 1–200 个/);
  assert.equal(await page.locator('[data-testid^="trace-FY-"][data-verdict]').count(), 200);
  await page.getByTestId('trace-pages').scrollIntoViewIfNeeded();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-troubleshoot-day-pages');

  await page.getByTestId('trace-next-page').focus();
  await page.keyboard.press('Enter');
  assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
  await page.getByTestId('trace-left-out').getByText('另有 50 个未追踪。').waitFor({ timeout: 60_000 });
  assert.match((await page.getByTestId('trace-pages').textContent()) ?? '', /第 201–400 个/);
  await card(busyDayCode(200)).waitFor();
  assert.equal(await card(busyDayCode(199)).count(), 0);
  // The focus goes to the new page's summary, not the page body.
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'trace-summary');
  await page.getByTestId('trace-next-page').click();
  await card(busyDayCode(449)).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('trace-next-page').count(), 0);
  await page.getByTestId('trace-previous-page').waitFor();
  assert.deepEqual(session.problems, []);
});

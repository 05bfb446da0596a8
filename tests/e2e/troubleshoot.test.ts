import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { startReferenceImagingServer, type ReferenceServer } from '../../electron/core/imaging/reference-server.js';
import { defaultEndpointSettings } from '../../electron/shared/endpoint/endpoint-settings.js';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import type { StackPage } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { findLayoutViolations } from './helpers/layout.js';
import { scanAndSettle as scanAndSettleWith } from './helpers/scan-and-settle.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

const secret = 'trouble-secret-9';
const tokens: string[] = [];
let session: UiSession;
let page: Page;
let server: ReferenceServer;

before(async () => {
  server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'desk-trouble': secret }, onToken: (token) => tokens.push(token) });
  session = await openUiSession({ area: 'troubleshoot', viewport: { width: 1024, height: 700 } });
  page = session.page;
  await session.harness.core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'e2e', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'desk-trouble', stationId: 'desk-e2e' }, secret);
});

after(async () => {
  await session?.close();
  await server?.close();
});

/** Takes a stack in as the Scan desk does, and waits until the queue has nothing left to send. */
const scanAndSettle = (name: string, pages: StackPage[]) => scanAndSettleWith(session.harness, name, pages);

const trace = async (text: string) => {
  await page.getByTestId('lookup-text').fill(text);
  await page.getByTestId('lookup-text').press('Control+Enter');
  await page.getByTestId('trace-summary').waitFor({ timeout: 30_000 });
};

test('a code uploaded here (delivered), one held here and one never seen: verdicts, owners, timeline, the ticket and the bundle', async () => {
  assert.equal((await session.harness.core.endpoint.preflight(() => undefined)).ok, true);
  await scanAndSettle('扫描 0901.pdf', [{ kind: 'cover', code: 'FY-2026-000901' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000902' }, { kind: 'cover', code: 'FY-2026-000903' }, { kind: 'content' }]);

  // Pasted as an Excel column (CRLF lines), traced with Ctrl+Enter; the result takes the focus.
  await trace('FY-2026-000901\r\nFY-2026-000902\r\nFY-2026-000999\r\n');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'trace-summary');
  const card = (code: string) => page.getByTestId(`trace-${code}`);
  assert.equal(await card('FY-2026-000901').getAttribute('data-verdict'), 'delivered');
  assert.equal(await card('FY-2026-000902').getAttribute('data-verdict'), 'held');
  assert.equal(await card('FY-2026-000999').getAttribute('data-verdict'), 'not-scanned');
  // The codes that need someone come first, the delivered one (asked first) after them.
  assert.deepEqual(await page.$$eval('[data-testid^="trace-FY-"][data-verdict]', (cards) => cards.map((one) => one.getAttribute('data-verdict'))), ['held', 'not-scanned', 'delivered']);
  await card('FY-2026-000901').getByText(zhCN.troubleshoot.verdicts.delivered.title).waitFor();
  assert.match((await page.getByTestId('trace-owner-FY-2026-000901').textContent()) ?? '', new RegExp(zhCN.troubleshoot.owners['erp-support']));
  assert.match((await card('FY-2026-000902').textContent()) ?? '', new RegExp(zhCN.split.held['empty-bill'].replace(/[()（）]/g, '.')));
  // The timeline: the station's steps and the server's pages, in order.
  await card('FY-2026-000901').locator('summary').click();
  const timeline = (await card('FY-2026-000901').locator('.timeline li').allTextContents()).join('\n');
  for (const event of ['imported', 'split', 'upload-started', 'server-pages', 'uploaded'] as const) assert.match(timeline, new RegExp(zhCN.troubleshoot.events[event]));
  assert.match((await page.getByTestId('trace-compare-FY-2026-000901').textContent()) ?? '', /3/);
  // Page by page: the station's SHA-256 beside the server's, each the same.
  const rows = page.getByTestId('trace-pages-FY-2026-000901').locator('tbody tr');
  assert.equal(await rows.count(), 3);
  assert.deepEqual(await rows.locator('.pill').allTextContents(), ['一致', '一致', '一致']);
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-troubleshoot-verdicts');

  // The support ticket text (the clipboard, or the text box to copy by hand where it is not allowed).
  await page.getByTestId('copy-ticket').click();
  await page.getByTestId('ticket-state').waitFor();
  if ((await page.getByTestId('ticket-text').count()) > 0) {
    const ticket = await page.getByTestId('ticket-text').inputValue();
    assert.match(ticket, /影像编码：FY-2026-000901[\s\S]*结论：本站已送达并结单/);
    assert.match(ticket, /站点编号：desk-e2e/);
  }

  // The bundle for the codes just traced: downloaded, opened, complete, and without the secret or a token.
  await page.getByTestId('bundle-scope-codes').check();
  const download = page.waitForEvent('download');
  await page.getByTestId('bundle-make').click();
  const file = path.join(await makeTempDir(), 'bundle.zip');
  await (await download).saveAs(file);
  await page.getByTestId('bundle-made').waitFor();
  const files = unzipSync(new Uint8Array(await readFile(file)));
  assert.ok(['README.txt', 'station.json', 'endpoint-profile.json', 'audit.jsonl', 'traces.json'].every((name) => name in files));
  const traces = JSON.parse(strFromU8(files['traces.json'] as Uint8Array)) as Array<{ code: string; verdict: string }>;
  assert.deepEqual(traces.map((entry) => [entry.code, entry.verdict]), [['FY-2026-000901', 'delivered'], ['FY-2026-000902', 'held'], ['FY-2026-000999', 'not-scanned']]);
  const everything = Object.values(files).map((bytes) => strFromU8(bytes)).join('\n');
  assert.ok(tokens.length > 0);
  for (const value of [secret, ...tokens]) for (const form of [value, Buffer.from(value).toString('base64'), encodeURIComponent(value)]) assert.equal(everything.includes(form), false);
  await saveScreenshot(page, 'zh-1024-troubleshoot-bundle');
  // The status bar caught up with the profile saved behind the page's back (it looks every few seconds).
  await page.getByTestId('status-gate').getByText(zhCN.status.gateOpen).waitFor({ timeout: 12_000 });
});

test('returned for rescan: the recent bills show it, the Scan desk lists it first, the rescan goes up as round 2', async () => {
  await page.getByTestId('recent-refresh').click();
  await page.getByTestId('recent-FY-2026-000901').and(page.locator('[data-status="closed"]')).waitFor({ timeout: 30_000 });

  // A reviewer on the imaging side sends the bill back.
  const adapter = await session.harness.core.endpoint.openAdapter('query');
  // The reason ends in a right-to-left override: it must not turn the app's own text around.
  // With a rescan reason's code: the Scan desk names the reason (影像不清晰) as well as the reviewer's words.
  await adapter.returnBill('FY-2026-000901', { text: '第2页发票看不清\u202e', code: 'UNCLEAR' });
  await page.getByTestId('recent-refresh').click();
  await page.getByTestId('recent-FY-2026-000901').and(page.locator('[data-status="returned"]')).waitFor({ timeout: 30_000 });
  await page.getByTestId('recent-FY-2026-000901').getByText('第2页发票看不清').waitFor();
  await page.getByTestId('recent-count').getByText(zhCN.troubleshoot.recent.returnedCount.replace('{{count}}', '1')).waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-troubleshoot-returned');

  await page.getByTestId('nav-scanDesk').click();
  const returned = page.getByTestId('returned-FY-2026-000901');
  await returned.waitFor({ timeout: 15_000 });
  assert.equal(await returned.getAttribute('data-state'), 'waiting');
  await returned.getByText('第2页发票看不清').waitFor();
  await returned.getByText('影像不清晰').waitFor();
  // The line after the reason still reads left to right: its first character is drawn left of its last.
  const direction = await returned.locator('.muted').first().evaluate((node) => {
    const text = node.firstChild as Text;
    const rectOf = (at: number) => {
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + 1);
      return range.getBoundingClientRect().left;
    };
    // Two characters of one unbreakable run ("（2026-12-06"): the line may wrap later (the time's digits change its width).
    return { first: rectOf(0), last: rectOf(Math.min(10, text.length - 1)) };
  });
  assert.ok(direction.first < direction.last, `the text after a hostile reason is reversed: ${JSON.stringify(direction)}`);
  // First on the page: above the watch folder and the queue.
  const order = await page.evaluate(() => [...document.querySelectorAll('[data-testid="returned-panel"], [data-testid="queue-panel"]')].map((node) => node.getAttribute('data-testid')));
  assert.deepEqual(order, ['returned-panel', 'queue-panel']);
  await saveScreenshot(page, 'zh-1024-desk-returned');

  // The rescan (a page more this time) is taken in ready, not held, and goes up as round 2.
  await scanAndSettle('扫描 0901 重扫.pdf', [{ kind: 'cover', code: 'FY-2026-000901' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }]);
  await page.getByTestId('returned-panel').waitFor({ state: 'detached', timeout: 15_000 });
  const state = await adapter.queryBill('FY-2026-000901');
  assert.deepEqual([state.status, state.round, state.pageCount], ['closed', 2, 4]);

  await page.getByTestId('nav-troubleshoot').click();
  await page.getByTestId('recent-FY-2026-000901').first().waitFor();
  await trace('FY-2026-000901');
  assert.equal(await page.getByTestId('trace-FY-2026-000901').getAttribute('data-verdict'), 'delivered');
});

test('English: the page in the other language, at 1024×700, nothing untranslated', async () => {
  await page.getByTestId('language-switch').click();
  await page.locator('html[lang="en"]').waitFor();
  await trace('FY-2026-000902 FY-2026-000999');
  await page.getByTestId('trace-FY-2026-000902').getByText(en.troubleshoot.verdicts.held.title).waitFor();
  const body = (await page.getByTestId('area-troubleshoot').textContent()) ?? '';
  assert.doesNotMatch(body, /troubleshoot\.|\{\{/);
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'en-1024-troubleshoot');
});

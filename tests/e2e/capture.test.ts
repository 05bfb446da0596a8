import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { referenceMakeAndModel, startReferenceScanner, type ReferenceScanner } from '../../electron/core/scanner/escl-server.js';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { writeStack, type StackPage } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

// Direct capture from the Scan desk against the reference eSCL scanner (a real eSCL interface over HTTP),
// at 1024×700 in Chinese and English: add by address, Scan, pages arriving, the stack made; a jam and Continue; Esc.

let session: UiSession;
let page: Page;
let scanner: ReferenceScanner;
let port = 0;

/** Ten sides: three bills, one with a cover the station cannot read (held: the result offers to go to it). */
const morning: StackPage[] = [
  { kind: 'cover', code: 'FY-2026-007001' },
  { kind: 'content' },
  { kind: 'invoice' },
  { kind: 'cover', code: 'FY-2026-007002' },
  { kind: 'content' },
  { kind: 'suspect', payload: 'NOT A CODE' },
  { kind: 'content' },
  { kind: 'cover', code: 'FY-2026-007003' },
  { kind: 'content' },
  { kind: 'content' },
];
/** The afternoon's stack: it jams after three sides; the three left are put back and scanned on. */
const afternoonFirst: StackPage[] = [{ kind: 'cover', code: 'FY-2026-007101' }, { kind: 'content' }, { kind: 'content' }];
const afternoonRest: StackPage[] = [{ kind: 'cover', code: 'FY-2026-007102' }, { kind: 'content' }, { kind: 'content' }];

/** Serves `pages` as the scanner on the test's one port (the same address the desk added), replacing the one before. */
async function serveScanner(pages: StackPage[], options: { jamAfter?: number; slowMs?: number; adfEmpty?: boolean } = {}) {
  await scanner?.close();
  scanner = await startReferenceScanner({ port, pages: await writeStack(pages, await makeTempDir(), 'pdf'), slowMs: options.slowMs ?? 400, jamAfter: options.jamAfter, adfEmpty: options.adfEmpty });
  port = Number(new URL(scanner.url).port);
}

/** Waits until the keyboard is on `testId` (the element or what it sits in): never the page body. */
async function waitForFocus(testId: string) {
  await page.waitForFunction((id) => document.activeElement?.closest(`[data-testid="${id}"]`) !== null, testId, { timeout: 10_000 });
}

/** Waits until the running scan has received at least `pages` pages. */
async function waitForPages(pages: number) {
  await page.waitForFunction((least) => Number(document.querySelector('[data-testid="capture-progress"]')?.getAttribute('data-pages') ?? 0) >= least, pages, { timeout: 60_000 });
}

before(async () => {
  await serveScanner(morning, { slowMs: 500 });
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 } });
  page = session.page;
});

after(async () => {
  await session?.close();
  await scanner?.close();
});

test('zh: a scanner added by address, Scan by its key, pages arrive one by one with thumbnails and the split, the stack appears with its bills (screenshots)', async () => {
  // No scanner yet: the setup is open by itself, with the address field.
  await page.getByTestId('capture-setup').waitFor();
  // The first step is said where the eye starts, and the address field is in view (first in the setup while nothing is found).
  await page.getByTestId('capture-first-step').getByText(zhCN.capture.noScannerHelp).waitFor();
  assert.ok(await page.getByTestId('capture-address').isVisible());
  const fieldBox = await page.getByTestId('capture-address').boundingBox();
  assert.ok(fieldBox && fieldBox.y + fieldBox.height < 700, 'the address field is in view at 1024×700');
  // Something that is not an address: said under the field in words about the address, the keyboard left there.
  await page.getByTestId('capture-address').fill('三楼 打印机 !!');
  await page.getByTestId('capture-address').press('Enter');
  await page.getByTestId('capture-address-error').getByText(zhCN.capture.devices.addFailed['scanner-not-found'].replace('{{address}}', '三楼 打印机 !!')).waitFor();
  assert.equal(await page.getByTestId('capture-notice').count(), 0);
  await waitForFocus('capture-address');
  await page.getByTestId('capture-address').fill(scanner.url);
  assert.equal(await page.getByTestId('capture-address-error').count(), 0);
  await page.getByTestId('capture-address').press('Enter');
  const added = page.locator(`[data-testid="capture-device"][data-device="${scanner.url}"]`);
  await added.waitFor({ timeout: 30_000 });
  await page.getByTestId('capture-notice').getByText(zhCN.capture.devices.added.replace('{{name}}', referenceMakeAndModel)).waitFor();
  // What to do next is said with it: load the paper, press Scan (F8).
  assert.match((await page.getByTestId('capture-notice').textContent()) ?? '', /F8/);
  // The keyboard goes to the scanner just added (the Add button went grey with the field emptied).
  await waitForFocus('capture-device');
  assert.equal(await added.getAttribute('data-condition'), 'ready');
  assert.match((await added.textContent()) ?? '', new RegExp(zhCN.capture.conditions.ready));
  // The desk's settings, saved: what the scanner offers is enabled.
  assert.equal(await page.getByTestId('capture-source').locator('input[value="duplex"]').isChecked(), true);
  assert.equal(await page.getByTestId('capture-dpi').locator('input[value="300"]').isEnabled(), true);
  await page.getByTestId('capture-dpi').locator('input[value="300"]').check();
  await page.getByTestId('capture-settings').getByText(zhCN.capture.settings.saved).waitFor();
  assert.equal((await session.harness.core.capture.readSettings()).dpi, 300);
  await page.getByTestId('capture-dpi').locator('input[value="200"]').check();
  // Looking again keeps the typed scanner (mDNS finds nothing here); the bar shows while it looks.
  await page.getByTestId('capture-refresh').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="capture-refresh"]')?.getAttribute('aria-disabled') === 'false', undefined, { timeout: 30_000 });
  await added.waitFor();
  assert.deepEqual(await findLayoutViolations(page), [], 'setup');
  await saveScreenshot(page, 'zh-1024-capture-setup');

  // Scan by its key, from wherever the keyboard is on the desk.
  await page.getByTestId('capture-setup-toggle').click();
  await page.keyboard.press('F8');
  await page.getByTestId('capture-progress').waitFor({ timeout: 30_000 });
  await waitForFocus('capture-cancel');
  await waitForPages(4);
  const live = (await page.getByTestId('capture-live').textContent()) ?? '';
  assert.match(live, /^已收到第 \d+ 页$/);
  // A page's thumbnail follows its count (read after it is stored): on a busy machine a moment later.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="capture-thumbs"] li').length >= 4, undefined, { timeout: 30_000 });
  assert.ok((await page.getByTestId('capture-cover-mark').first().textContent())?.includes('FY-2026-007001'));
  assert.match((await page.getByTestId('capture-split').textContent()) ?? '', /FY-2026-007001：3 页/);
  assert.match((await page.getByTestId('capture-pages').textContent()) ?? '', /已收到 \d+ 页/);
  // The scanner busy with this desk's own scan reads “scanning”, in the panel and the status bar (not “someone else is using it”).
  assert.equal(await page.getByTestId('status-scanner').getAttribute('data-condition'), 'scanning');
  assert.match((await page.getByTestId('status-scanner').textContent()) ?? '', new RegExp(zhCN.capture.scanningNow));
  assert.equal(await page.getByTestId('capture-scanner-state').getAttribute('data-condition'), 'scanning');
  assert.deepEqual(await findLayoutViolations(page), [], 'scanning');
  await saveScreenshot(page, 'zh-1024-capture-scanning');

  // Done: the result where the eye is, with the focus; the stack in the list with its bills.
  await page.getByTestId('capture-done').waitFor({ timeout: 60_000 });
  const done = (await page.getByTestId('capture-done').textContent()) ?? '';
  assert.match(done, /扫描完成：10 页/);
  await waitForFocus('capture-result');
  assert.notEqual(await page.getByTestId('capture-scanner-state').getAttribute('data-condition'), 'busy');
  for (const code of ['FY-2026-007001', 'FY-2026-007002', 'FY-2026-007003']) await page.getByTestId(`desk-row-${code}`).first().waitFor();
  await page.getByTestId('capture-done').getByText(zhCN.capture.doneNeed.replace('{{need}}', '1')).waitFor();
  await page.getByTestId('capture-jump').click();
  await waitForFocus('desk-rows');
  assert.deepEqual(await findLayoutViolations(page), [], 'done');
  await page.getByTestId('capture-panel').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-capture-done');
  assert.deepEqual(session.problems, []);
});

test('en: a jam stops the scan in clerk words with what to do next; Continue takes the sheets put back into the same stack', async () => {
  await page.getByTestId('language-switch').click();
  await serveScanner(afternoonFirst.concat(afternoonRest), { jamAfter: 3, slowMs: 200 });
  await page.getByTestId('capture-scan').focus();
  await page.keyboard.press('F8');
  await page.getByTestId('capture-failed').waitFor({ timeout: 60_000 });
  const name = (await session.harness.core.capture.readState()).job?.device.name ?? '';
  assert.ok(name.length > 0);
  const failed = (await page.getByTestId('capture-failed').textContent()) ?? '';
  assert.ok(failed.includes(en.errors['scanner-jammed'].replace('{{device}}', name)), failed);
  assert.ok(failed.includes(en.capture.failed.replace('{{pages}}', '3')), failed);
  assert.equal(await page.getByTestId('capture-failed').getAttribute('data-code'), 'scanner-jammed');
  // The scanner's state beside it and in the status bar says the jam too (never “ready” read before the scan), in red.
  assert.equal(await page.getByTestId('capture-scanner-state').getAttribute('data-condition'), 'jammed');
  assert.match((await page.getByTestId('capture-scanner-state').getAttribute('class')) ?? '', /capture-state-fail/);
  assert.equal(await page.getByTestId('status-scanner').getAttribute('data-condition'), 'jammed');
  // The eye and the keyboard are on the error with its two ways on; the batch is not listed twice.
  await waitForFocus('capture-result');
  assert.equal(await page.getByTestId('capture-interrupted').count(), 0);
  await page.getByTestId('capture-panel').scrollIntoViewIfNeeded();
  assert.deepEqual(await findLayoutViolations(page), [], 'jam');
  await saveScreenshot(page, 'en-1024-capture-jam');

  // The jam cleared, the three sheets not scanned put back: Continue scans them into the same stack.
  await serveScanner(afternoonRest, { slowMs: 600 });
  await page.getByTestId('capture-continue').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('capture-progress').waitFor({ timeout: 30_000 });
  await waitForPages(4);
  assert.match((await page.getByTestId('capture-live').textContent()) ?? '', /^Page \d+ received$/);
  assert.deepEqual(await findLayoutViolations(page), [], 'scanning en');
  await saveScreenshot(page, 'en-1024-capture-scanning');
  await page.getByTestId('capture-done').waitFor({ timeout: 60_000 });
  assert.match((await page.getByTestId('capture-done').textContent()) ?? '', /Pages: 6, bills: 2/);
  for (const code of ['FY-2026-007101', 'FY-2026-007102']) await page.getByTestId(`desk-row-${code}`).first().waitFor();
  const stackId = (await session.harness.core.capture.readState()).job?.stackId ?? '';
  const stack = (await session.harness.core.scanDesk.overview()).find((candidate) => candidate.id === stackId);
  assert.deepEqual(stack?.bills.map((bill) => bill.code), ['FY-2026-007101', 'FY-2026-007102']);
  assert.deepEqual((await session.harness.core.capture.readState()).interrupted, []);
  assert.deepEqual(session.problems, []);
});

test('en: Esc cancels a running scan, the pages received kept as a stack; the status bar says the scanner’s state', async () => {
  await serveScanner(morning, { slowMs: 700 });
  await page.getByTestId('capture-scan').click();
  await waitForPages(1);
  // The scan goes on while the clerk looks elsewhere; back on the desk, the panel shows where it stands.
  await page.getByTestId('nav-settings').click();
  await page.waitForTimeout(1500);
  await page.getByTestId('nav-scanDesk').click();
  await waitForPages(2);
  await page.keyboard.press('Escape');
  await page.getByTestId('capture-cancelled').waitFor({ timeout: 30_000 });
  const pages = (await session.harness.core.capture.readState()).job?.pages ?? 0;
  assert.ok(pages >= 2 && pages < morning.length, String(pages));
  assert.ok(((await page.getByTestId('capture-cancelled').textContent()) ?? '').includes(en.capture.cancelled.replace('{{pages}}', String(pages))));
  await waitForFocus('capture-result');
  await page.getByTestId('status-scanner').waitFor();
  assert.match((await page.getByTestId('status-scanner').textContent()) ?? '', /^Scanner● /);
  assert.deepEqual(session.problems, []);
});

test('zh: a jammed scan left for later is listed as interrupted (pages, scanner); an empty feeder is said with what to do; Release makes the stack of what came', async () => {
  await page.getByTestId('language-switch').click();
  await serveScanner([{ kind: 'cover', code: 'FY-2026-007201' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-007202' }, { kind: 'content' }], { jamAfter: 3, slowMs: 100 });
  await page.keyboard.press('F8');
  await page.getByTestId('capture-failed').waitFor({ timeout: 60_000 });
  // Not continued: the next scan finds the feeder empty. No job, no batch: the words and the fix, once.
  await serveScanner(morning, { adfEmpty: true });
  await page.getByTestId('capture-scan').click();
  await page.getByTestId('capture-failed').and(page.locator('[data-code="scanner-feeder-empty"]')).waitFor({ timeout: 30_000 });
  const name = (await session.harness.core.capture.readState()).job?.device.name ?? '';
  assert.ok(((await page.getByTestId('capture-failed').textContent()) ?? '').includes(zhCN.errors['scanner-feeder-empty'].replace('{{device}}', name)));
  assert.equal(await page.getByTestId('capture-continue').count(), 0);
  assert.equal(await page.getByTestId('capture-notice').count(), 0);
  await waitForFocus('capture-result');
  // The jammed scan is held on the desk: its pages, its scanner, when.
  const held = page.getByTestId('capture-interrupted');
  await held.waitFor();
  assert.match((await held.textContent()) ?? '', new RegExp(`3 页 · ${name}`));
  assert.deepEqual(await findLayoutViolations(page), [], 'interrupted');
  await held.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-capture-interrupted');
  await held.getByTestId('capture-interrupted-release').click();
  await page.getByTestId('capture-released').waitFor({ timeout: 30_000 });
  await waitForFocus('capture-result');
  await page.getByTestId('desk-row-FY-2026-007202').first().waitFor();
  assert.equal(await page.getByTestId('capture-interrupted').count(), 0);
  assert.deepEqual((await session.harness.core.capture.readState()).interrupted, []);
  assert.deepEqual(session.problems, []);
});

test('en: a Windows desk says how its scanners are used (no WIA/TWAIN device offered); a typed scanner is removed', async () => {
  await page.getByTestId('language-switch').click();
  const capture = session.harness.core.capture;
  const readState = capture.readState.bind(capture);
  // This desk's system as a Windows PC's (the core says it; this machine is Linux).
  capture.readState = async () => ({ ...(await readState()), platform: 'windows' });
  try {
    await page.reload();
    await page.getByTestId('nav-scanDesk').click();
    // A desk with a scanner never says “none picked”, not even while the scanners are still being looked for.
    await page.getByTestId('capture-scanner-state').waitFor();
    assert.doesNotMatch((await page.getByTestId('capture-scanner-state').textContent()) ?? '', /none picked|no scanner picked/);
    await page.getByTestId('capture-windows').getByText(en.capture.windows).waitFor();
    assert.equal(await page.locator('[data-testid="capture-device"][data-device^="wia"], [data-testid="capture-device"][data-device^="twain"]').count(), 0);
  } finally {
    capture.readState = readState;
  }
  await page.getByTestId('capture-setup-toggle').click();
  const typed = page.locator(`[data-testid="capture-device"][data-device="${scanner.url}"]`);
  await typed.getByTestId('capture-device-remove').click();
  await page.getByTestId('capture-notice').getByText(en.capture.devices.removed.replace('{{name}}', referenceMakeAndModel)).waitFor();
  await typed.waitFor({ state: 'detached' });
  await waitForFocus('capture-notice');
  assert.deepEqual(session.problems, []);
});

import assert from 'node:assert/strict';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { encodeColourJpeg } from '../fixtures/colour-stack.js';
import { encodeJpeg } from '../fixtures/encode.js';
import { renderStackPage, type StackPage } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { saveScreenshot } from './helpers/chromium.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 }, core: { watchSettleMs: 300, watchPollMs: 300 } });
  page = session.page;
});

after(() => session?.close());

/** A page as a page-per-file scanner writes it: colour JPEG, 150 dpi (content pages with a red seal). */
async function scanPage(kind: StackPage, seed: number): Promise<Buffer> {
  const gray = renderStackPage(kind, 150, seed);
  return kind.kind === 'content' ? encodeColourJpeg(gray, 150, seed % 2 === 0) : encodeJpeg(gray, 150);
}

/** Drops several files on the drop zone at once, as a person dragging a selection does. */
async function dropFiles(target: Page, files: Array<{ name: string; bytes: Uint8Array }>, testId: string): Promise<void> {
  const transfer = await target.evaluateHandle((list) => {
    const dataTransfer = new DataTransfer();
    for (const { name, base64 } of list) {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i += 1) data[i] = binary.charCodeAt(i);
      dataTransfer.items.add(new File([data], name, { type: 'image/jpeg' }));
    }
    return dataTransfer;
  }, files.map((file) => ({ name: file.name, base64: Buffer.from(file.bytes).toString('base64') })));
  await target.getByTestId(testId).dispatchEvent('drop', { dataTransfer: transfer });
}

test('a scanner writing one JPEG per page into the watched folder: the open batch shows "receiving… N pages", "batch complete" splits it exactly into its bills', async () => {
  // The quiet gap is long here: the clerk closes the batch.
  const current = await session.harness.core.scanDesk.settings.read();
  await session.harness.core.scanDesk.settings.save({ ...current, batchGapSeconds: 600 });
  const root = await makeTempDir();
  const folder = path.join(root, 'Scans 扫描');
  await mkdir(folder);
  await page.getByTestId('watch-folder').fill(folder);
  await page.getByTestId('watch-start').click();
  await page.locator('[data-testid="watch-status"][data-state="watching"]').waitFor({ timeout: 10_000 });
  const kinds: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000901' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000902' }, { kind: 'content' }];
  const files = await Promise.all(kinds.map(async (kind, index) => ({ name: `scan_${String(index + 1).padStart(4, '0')}.jpg`, bytes: await scanPage(kind, index + 1) })));
  const write = async (file: { name: string; bytes: Uint8Array }) => {
    // Written under a temporary name and renamed when done, as scanner software does.
    await writeFile(path.join(folder, `~${file.name}.tmp`), file.bytes);
    await rename(path.join(folder, `~${file.name}.tmp`), path.join(folder, file.name));
  };
  for (const file of files.slice(0, 3)) await write(file);
  const receiving = (count: number) => zhCN.scanDeskPage.watch.batch.replace('{{pages}}', String(count)).split('（')[0] as string;
  await page.getByTestId('watch-batch').getByText(receiving(3)).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('desk-row-FY-2026-000901').count(), 0, 'no bill while the batch is open');
  for (const file of files.slice(3)) await write(file);
  await page.locator('[data-testid="watch-batch"][data-pages="5"]').waitFor({ timeout: 30_000 });
  await page.getByTestId('watch-batch').getByText(`${receiving(5)}（scan_0001.jpg … scan_0005.jpg）`).waitFor();
  assert.deepEqual(await findLayoutViolations(page), []);
  await page.getByTestId('watch-panel').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'zh-1024-scan-desk-batch-open');
  // "Batch complete", from the keyboard.
  await page.getByTestId('watch-close-batch').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('desk-row-FY-2026-000901').waitFor({ timeout: 30_000 });
  await page.getByTestId('desk-row-FY-2026-000902').waitFor();
  await page.getByTestId('watch-batch').waitFor({ state: 'detached' });
  const stacks = await session.harness.core.scanDesk.overview();
  const made = stacks.find((stack) => stack.bills.some((bill) => bill.code === 'FY-2026-000901'));
  assert.deepEqual(made?.bills.map((bill) => [bill.code, bill.state, bill.pages]), [['FY-2026-000901', 'ready', [1, 2, 3]], ['FY-2026-000902', 'ready', [4, 5]]]);
  assert.deepEqual((await readdir(path.join(folder, 'imported'))).sort(), files.map((file) => file.name));
  await page.getByTestId('watch-stop').click();
});

test('several page images dropped at once are one stack; the result says how many bills need the clerk and jumps to the first', async () => {
  const kinds: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000911' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000912' }];
  const files = await Promise.all(kinds.map(async (kind, index) => ({ name: `IMG_${index + 1}.jpg`, bytes: await scanPage(kind, 40 + index) })));
  // Dropped in the wrong order: they are taken in the order of their numbers.
  await dropFiles(page, [files[2], files[0], files[1]] as typeof files, 'desk-drop-zone');
  // FY-2026-000912 is a cover with nothing after it: held. One ready, one needs the clerk.
  const said = 'IMG_1.jpg … IMG_3.jpg：2 张单据：1 张需要处理，1 张可以上传。';
  await page.getByTestId('desk-notice').getByText(said).waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="desk-row-FY-2026-000912"][aria-pressed="true"]').waitFor();
  await page.getByTestId('desk-held').getByText(zhCN.split.held['empty-bill']).waitFor();
  const stacks = await session.harness.core.scanDesk.overview();
  const made = stacks.find((stack) => stack.bills.some((bill) => bill.code === 'FY-2026-000911'));
  assert.deepEqual(made?.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-000911', [1, 2]], ['FY-2026-000912', [3]]]);
  assert.deepEqual(await findLayoutViolations(page), []);
  await saveScreenshot(page, 'zh-1024-scan-desk-drop-result');
});

test('no console errors on the Scan desk with batches', () => {
  assert.deepEqual(session.problems, []);
});

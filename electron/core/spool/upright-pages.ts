import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileDurable } from '../fs/atomic-write.js';
import { turnPageUpright, turnPointsUpright, turnThumbnailUpright } from '../split/turn-page.js';
import type { SpoolBill, StoredPage } from './stack-record.js';

/**
 * Turns a page stored in a stack's work folder upright (180°): its file and thumbnail are written
 * again (durably, before the stack exists) and its record gets the new sha256, the QR box turned
 * with it and what the page was as scanned.
 */
async function turnStoredPage(work: string, page: StoredPage, name: string): Promise<StoredPage> {
  const file = path.join(work, page.file);
  const turned = await turnPageUpright({ format: page.format, bytes: await fs.readFile(file) }, name);
  const thumb = path.join(work, 'thumbs', `${String(page.page).padStart(4, '0')}.png`);
  // Written beside and renamed over: the work folder is not a stack yet, and its folders are flushed before it becomes one.
  const thumbBytes = await turnThumbnailUpright(await fs.readFile(thumb));
  await writeFileDurable(`${file}.turned`, turned.bytes);
  await fs.rename(`${file}.turned`, file);
  await writeFileDurable(`${thumb}.turned`, thumbBytes);
  await fs.rename(`${thumb}.turned`, thumb);
  return {
    ...page,
    sha256: createHash('sha256').update(turned.bytes).digest('hex'),
    ...(page.qr ? { qr: turnPointsUpright(page.qr) } : {}),
    turned: { scannedSha256: page.sha256, lossless: turned.lossless },
  };
}

/**
 * Turns each upside-down cover among a stack's new pages upright in its work folder (`pages` is
 * updated in place) and marks its bill; the pages of `earlier` (a continued stack) were turned when
 * first taken in.
 */
export async function turnCoversUpright(work: string, pages: StoredPage[], bills: SpoolBill[], name: string, earlier: readonly StoredPage[] = []): Promise<SpoolBill[]> {
  for (const bill of bills) {
    if (bill.turned && bill.cover !== null && bill.cover > earlier.length) pages[bill.cover - 1] = await turnStoredPage(work, pages[bill.cover - 1] as StoredPage, name);
  }
  const all = [...earlier, ...pages.slice(earlier.length)];
  return bills.map((bill) => {
    const turned = bill.turned && bill.cover !== null ? all[bill.cover - 1]?.turned : undefined;
    return turned ? { ...bill, upright: { lossless: turned.lossless } } : bill;
  });
}


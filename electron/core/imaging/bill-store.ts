import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';

/** What is stored for one page (the same receipt answers a repeated idempotency key). */
export interface PageReceipt {
  receiptId: string;
  imageCode: string;
  page: number;
  sha256: string;
  bytes: number;
  receivedAt: string;
}

/** A bill as kept on disk: `bill.json` next to its page files. */
export interface BillManifest {
  imageCode: string;
  status: 'open' | 'closed';
  pageCount: number | null;
  pages: Record<string, PageReceipt & { file: string }>;
  /** idempotency key → receipt id */
  keys: Record<string, string>;
  closedAt: string | null;
}

/** Why a page or a close was refused; the values are the protocol's errcodes. */
export type BillConflict = 'idempotency-conflict' | 'page-conflict' | 'bill-closed';

/** The outcome of closing a bill. */
export type CloseOutcome =
  | { kind: 'closed'; manifest: BillManifest }
  | { kind: 'unknown' }
  | { kind: 'missing'; missing: number[] }
  | { kind: 'beyond'; beyond: number[] };

/** A folder of bills with the imaging protocol's rules: idempotent pages, no silent replacement, checked close. */
export interface BillStore {
  putPage(input: { imageCode: string; page: number; bytes: Uint8Array; sha256: string; idempotencyKey: string; extension: string }): Promise<{ receipt: PageReceipt } | { conflict: BillConflict }>;
  closeBill(imageCode: string, pageCount: number): Promise<CloseOutcome>;
  readBill(imageCode: string): Promise<BillManifest | null>;
}

/**
 * Stores bills under `root/<imageCode>/`: page files and `bill.json`, each written to a temp file and
 * renamed, so a reader (or a crash) never sees half a page or half a manifest. Changes to one bill
 * run one at a time; the caller validates the image code (it becomes a folder name).
 */
export function createBillStore(options: { root: string; now: () => Date }): BillStore {
  const locks = new Map<string, Promise<unknown>>();
  const withBill = <T>(code: string, work: () => Promise<T>): Promise<T> => {
    const next = (locks.get(code) ?? Promise.resolve()).then(work);
    const settled = next.catch(() => undefined);
    locks.set(code, settled);
    void settled.then(() => {
      if (locks.get(code) === settled) locks.delete(code);
    });
    return next;
  };
  const manifestFile = (code: string) => path.join(options.root, code, 'bill.json');
  const readBill = async (code: string): Promise<BillManifest | null> => {
    try {
      return JSON.parse(await fs.readFile(manifestFile(code), 'utf8')) as BillManifest;
    } catch {
      return null;
    }
  };
  const writeBill = (manifest: BillManifest) => writeFileAtomic(manifestFile(manifest.imageCode), `${JSON.stringify(manifest, null, 1)}\n`);
  const receiptOf = ({ file: _file, ...receipt }: PageReceipt & { file: string }): PageReceipt => receipt;

  return {
    readBill,
    putPage: ({ imageCode, page, bytes, sha256, idempotencyKey, extension }) =>
      withBill(imageCode, async () => {
        const manifest: BillManifest = (await readBill(imageCode)) ?? { imageCode, status: 'open', pageCount: null, pages: {}, keys: {}, closedAt: null };
        const existingId = manifest.keys[idempotencyKey];
        if (existingId) {
          const stored = Object.values(manifest.pages).find((candidate) => candidate.receiptId === existingId);
          if (stored && stored.sha256 === sha256 && stored.page === page) return { receipt: receiptOf(stored) };
          return { conflict: 'idempotency-conflict' as const };
        }
        if (manifest.status === 'closed') return { conflict: 'bill-closed' as const };
        const stored = manifest.pages[String(page)];
        if (stored) {
          if (stored.sha256 !== sha256) return { conflict: 'page-conflict' as const };
          manifest.keys[idempotencyKey] = stored.receiptId;
          await writeBill(manifest);
          return { receipt: receiptOf(stored) };
        }
        // The page file lands before the manifest names it: a crash in between leaves an unnamed file, never a named missing one.
        const file = `${String(page).padStart(4, '0')}.${extension}`;
        await writeFileAtomic(path.join(options.root, imageCode, file), bytes);
        const receipt: PageReceipt = { receiptId: randomUUID(), imageCode, page, sha256, bytes: bytes.length, receivedAt: options.now().toISOString() };
        manifest.pages[String(page)] = { ...receipt, file };
        manifest.keys[idempotencyKey] = receipt.receiptId;
        await writeBill(manifest);
        return { receipt };
      }),
    closeBill: (imageCode, pageCount) =>
      withBill(imageCode, async (): Promise<CloseOutcome> => {
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        const have = Object.keys(manifest.pages).map(Number);
        const missing = Array.from({ length: pageCount }, (_, i) => i + 1).filter((page) => !have.includes(page));
        if (missing.length) return { kind: 'missing', missing };
        const beyond = have.filter((page) => page > pageCount).sort((a, b) => a - b);
        if (beyond.length) return { kind: 'beyond', beyond };
        if (manifest.status !== 'closed') {
          manifest.status = 'closed';
          manifest.pageCount = pageCount;
          manifest.closedAt = options.now().toISOString();
          await writeBill(manifest);
        }
        return { kind: 'closed', manifest };
      }),
  };
}

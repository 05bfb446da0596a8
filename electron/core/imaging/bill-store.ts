import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { syncDirectory, writeFileAtomic } from '../fs/atomic-write.js';
import { findNameProblem, foldNameCase } from '../../shared/file-names.js';
import { ImagingError } from './imaging-adapter.js';

/** What is stored for one page (the same receipt answers a repeated idempotency key). */
export interface PageReceipt {
  receiptId: string;
  imageCode: string;
  page: number;
  sha256: string;
  bytes: number;
  receivedAt: string;
}

/** Why and when a closed bill was sent back for a rescan (by the imaging system's reviewers). */
export interface BillReturn {
  reason: string;
  at: string;
}

/** An earlier round of a bill's pages, kept as it was when the bill was returned (never overwritten). */
export interface BillRound {
  round: number;
  pageCount: number | null;
  closedAt: string | null;
  returned: BillReturn;
  pages: Record<string, PageReceipt & { file: string }>;
}

/** A bill as kept on disk: `bill.json` next to its page files. */
export interface BillManifest {
  imageCode: string;
  /** `returned`: closed, then sent back for a rescan; a new round must be opened before pages go up. */
  status: 'open' | 'closed' | 'returned';
  /** 1 for the first scan; each rescan after a return opens the next (absent in v1 files: 1). */
  round?: number;
  pageCount: number | null;
  pages: Record<string, PageReceipt & { file: string }>;
  /** idempotency key → receipt id */
  keys: Record<string, string>;
  closedAt: string | null;
  /** Set while the bill is returned: why, and when. */
  returned?: BillReturn | null;
  /** Earlier rounds, oldest first. */
  history?: BillRound[];
}

/** Why a page or a close was refused; the values are the protocol's errcodes. */
export type BillConflict = 'idempotency-conflict' | 'page-conflict' | 'bill-closed' | 'bill-returned';

/** The outcome of closing a bill. */
export type CloseOutcome =
  | { kind: 'closed'; manifest: BillManifest }
  | { kind: 'unknown' }
  | { kind: 'missing'; missing: number[] }
  | { kind: 'beyond'; beyond: number[] }
  | { kind: 'returned' };

/** The outcome of returning a bill or opening a new round of it. */
export type RoundOutcome = { kind: 'done'; manifest: BillManifest } | { kind: 'unknown' } | { kind: 'conflict'; manifest: BillManifest };

/** A page already written and fsynced to a temp file on the store's volume (a streamed upload): it is renamed into place, never copied. */
export interface StagedPage {
  stagedFile: string;
  size: number;
}

/** A folder of bills with the imaging protocol's rules: idempotent pages, no silent replacement, checked close. */
export interface BillStore {
  /** Stores a page; a staged file that is not needed (a repeat, a conflict) is left for the caller to remove. */
  putPage(input: { imageCode: string; page: number; bytes: Uint8Array | StagedPage; sha256: string; idempotencyKey: string; extension: string }): Promise<{ receipt: PageReceipt } | { conflict: BillConflict }>;
  closeBill(imageCode: string, pageCount: number): Promise<CloseOutcome>;
  readBill(imageCode: string): Promise<BillManifest | null>;
  /** Sends a closed bill back for a rescan (a reviewer's act on the imaging side); returning it again only updates the reason. */
  returnBill(imageCode: string, reason: string): Promise<RoundOutcome>;
  /** Opens round `round` of a returned bill (its current round + 1); asking again for the open round answers it unchanged. */
  openRound(imageCode: string, round: number): Promise<RoundOutcome>;
}

/** The highest page number and page count a bill may have (docs/imaging-protocol.md). */
export const maxPageNumber = 10_000;

/** Whether a number is a page number or page count the protocol allows: an integer 1…10,000. */
export function isPageNumber(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= maxPageNumber;
}

/** Refuses a page number or count out of range before anything is sized by it. */
function checkPageNumber(value: number, field: 'page' | 'pageCount'): void {
  if (!isPageNumber(value)) throw new ImagingError('imaging-rejected', { errcode: '1001', description: `${field} must be an integer 1…${maxPageNumber}` }, 'needs-person');
}

/** A lookup table without a prototype, so a name from a request finds only what was stored under it. */
function createTable<T>(entries: Record<string, T> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** What a query answers for a bill: its current round's pages, and the earlier rounds in brief. */
export function describeBill(manifest: BillManifest) {
  const pages = Object.values(manifest.pages)
    .sort((a, b) => a.page - b.page)
    .map(({ page, sha256, bytes, receivedAt }) => ({ page, sha256, bytes, receivedAt }));
  const rounds = (manifest.history ?? []).map((entry) => ({ round: entry.round, pageCount: entry.pageCount, closedAt: entry.closedAt, returned: entry.returned }));
  return { imageCode: manifest.imageCode, status: manifest.status, round: roundOf(manifest), pageCount: manifest.pageCount, pages, returned: manifest.returned ?? null, rounds };
}

/** The round a manifest is in (v1 files have none: 1). */
export function roundOf(manifest: Pick<BillManifest, 'round'>): number {
  return manifest.round ?? 1;
}

/**
 * Stores bills under `root/<imageCode>/`: page files and `bill.json`, each written to a temp file and
 * renamed, so a reader (or a crash) never sees half a page or half a manifest. Changes to one bill
 * run one at a time. A code that cannot be a folder name on Windows, or whose different-case twin
 * already has a folder, is refused (ImagingError) before anything is read or written: delivered bills
 * stay one folder each, whatever disk the share is on.
 */
export function createBillStore(options: { root: string; now: () => Date }): BillStore {
  const locks = new Map<string, Promise<unknown>>();
  // Keyed by the case-folded code: AB12 and ab12 arriving together must not both see "no twin yet".
  const withBill = <T>(code: string, work: () => Promise<T>): Promise<T> => {
    const key = foldNameCase(code);
    const next = (locks.get(key) ?? Promise.resolve()).then(work);
    const settled = next.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return next;
  };
  const manifestFile = (code: string) => path.join(options.root, code, 'bill.json');
  /** A folder in root whose name differs from `code` only in case, if there is one. */
  const findTwin = async (code: string): Promise<string | undefined> => {
    const names = await fs.readdir(options.root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return names.find((name) => name !== code && foldNameCase(name) === foldNameCase(code));
  };
  const readBill = async (code: string): Promise<BillManifest | null> => {
    const problem = findNameProblem(code);
    if (problem) throw new ImagingError('image-code-unsafe-name', { code, reason: problem }, 'needs-person');
    let manifest: BillManifest;
    try {
      manifest = JSON.parse(await fs.readFile(manifestFile(code), 'utf8')) as BillManifest;
    } catch {
      // Unknown here; but on a case-sensitive disk its twin may hold the folder a Windows share would merge it with.
      const twin = await findTwin(code);
      if (twin !== undefined) throw new ImagingError('image-code-case-twin', { code, existing: twin }, 'needs-person');
      return null;
    }
    // On a case-insensitive disk (Windows, macOS) the twin's own folder answered.
    if (manifest.imageCode !== code) throw new ImagingError('image-code-case-twin', { code, existing: manifest.imageCode }, 'needs-person');
    // Idempotency keys come from requests: "constructor" or "__proto__" must not find Object.prototype.
    manifest.keys = createTable(manifest.keys);
    manifest.pages = createTable(manifest.pages);
    return manifest;
  };
  const writeBill = (manifest: BillManifest) => writeFileAtomic(manifestFile(manifest.imageCode), `${JSON.stringify(manifest, null, 1)}\n`);
  const receiptOf = ({ file: _file, ...receipt }: PageReceipt & { file: string }): PageReceipt => receipt;

  return {
    readBill,
    putPage: ({ imageCode, page, bytes, sha256, idempotencyKey, extension }) =>
      withBill(imageCode, async () => {
        checkPageNumber(page, 'page');
        const manifest: BillManifest = (await readBill(imageCode)) ?? { imageCode, status: 'open', pageCount: null, pages: createTable(), keys: createTable(), closedAt: null };
        const existingId = manifest.keys[idempotencyKey];
        if (existingId) {
          const stored = Object.values(manifest.pages).find((candidate) => candidate.receiptId === existingId);
          if (stored && stored.sha256 === sha256 && stored.page === page) return { receipt: receiptOf(stored) };
          return { conflict: 'idempotency-conflict' as const };
        }
        if (manifest.status === 'returned') return { conflict: 'bill-returned' as const };
        if (manifest.status === 'closed') return { conflict: 'bill-closed' as const };
        const stored = manifest.pages[String(page)];
        if (stored) {
          if (stored.sha256 !== sha256) return { conflict: 'page-conflict' as const };
          manifest.keys[idempotencyKey] = stored.receiptId;
          await writeBill(manifest);
          return { receipt: receiptOf(stored) };
        }
        // The page file lands before the manifest names it: a crash in between leaves an unnamed file, never a named missing one.
        // Later rounds get their own file names: a returned round's pages stay as they were.
        const round = roundOf(manifest);
        const file = `${round > 1 ? `r${round}-` : ''}${String(page).padStart(4, '0')}.${extension}`;
        const target = path.join(options.root, imageCode, file);
        let size: number;
        if (bytes instanceof Uint8Array) {
          await writeFileAtomic(target, bytes);
          size = bytes.length;
        } else {
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.rename(bytes.stagedFile, target);
          await syncDirectory(path.dirname(target));
          size = bytes.size;
        }
        const receipt: PageReceipt = { receiptId: randomUUID(), imageCode, page, sha256, bytes: size, receivedAt: options.now().toISOString() };
        manifest.pages[String(page)] = { ...receipt, file };
        manifest.keys[idempotencyKey] = receipt.receiptId;
        await writeBill(manifest);
        return { receipt };
      }),
    closeBill: (imageCode, pageCount) =>
      withBill(imageCode, async (): Promise<CloseOutcome> => {
        checkPageNumber(pageCount, 'pageCount');
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        if (manifest.status === 'returned') return { kind: 'returned' };
        const have = Object.keys(manifest.pages).map(Number);
        const stored = new Set(have);
        const missing = Array.from({ length: pageCount }, (_, i) => i + 1).filter((page) => !stored.has(page));
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
    returnBill: (imageCode, reason) =>
      withBill(imageCode, async (): Promise<RoundOutcome> => {
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        if (manifest.status === 'open') return { kind: 'conflict', manifest };
        manifest.status = 'returned';
        manifest.returned = { reason, at: options.now().toISOString() };
        await writeBill(manifest);
        return { kind: 'done', manifest };
      }),
    openRound: (imageCode, round) =>
      withBill(imageCode, async (): Promise<RoundOutcome> => {
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        const current = roundOf(manifest);
        // A client that opened the round and lost the answer asks again: the same answer, nothing moved.
        if (current === round && manifest.status === 'open') return { kind: 'done', manifest };
        if (manifest.status !== 'returned' || round !== current + 1 || !manifest.returned) return { kind: 'conflict', manifest };
        const history = [...(manifest.history ?? []), { round: current, pageCount: manifest.pageCount, closedAt: manifest.closedAt, returned: manifest.returned, pages: manifest.pages }];
        const next: BillManifest = { ...manifest, status: 'open', round, pageCount: null, pages: createTable(), closedAt: null, returned: null, history };
        await writeBill(next);
        return { kind: 'done', manifest: next };
      }),
  };
}

import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { syncDirectory, writeFileAtomic } from '../fs/atomic-write.js';
import { hasHiddenCharacters } from '../../shared/display-text.js';
import { findNameProblem, foldNameCase } from '../../shared/file-names.js';
import { ImagingError, type PageReceipt } from './imaging-adapter.js';
import { imageStateOfStatus, maxScanFieldLength } from '../../shared/imaging/erp-image-state.js';

/** Why and when a closed bill was sent back for a rescan (by the imaging system's reviewers); `reasonCode`: the rescan reason's code, when one was chosen. */
export interface BillReturn {
  reason: string;
  at: string;
  reasonCode?: string | null;
}

/** Why and when a bill was voided (废弃): it takes nothing more. */
export interface BillVoid {
  reason: string;
  at: string;
}

/** Who scanned a round where, as its close carried it (each null when the station did not say). */
export interface BillScan {
  scanUser: string | null;
  scanPoint: string | null;
  stationIp: string | null;
  scannedAt: string | null;
}

/** An earlier round of a bill's pages, kept as it was when the bill was returned (never overwritten). */
export interface BillRound {
  round: number;
  pageCount: number | null;
  closedAt: string | null;
  returned: BillReturn;
  /** Who scanned that round where (absent in older files). */
  scan?: BillScan | null;
  pages: Record<string, PageReceipt & { file: string }>;
}

/** A bill as kept on disk: `bill.json` next to its page files. */
export interface BillManifest {
  imageCode: string;
  /** `returned`: closed, then sent back for a rescan; a new round must be opened before pages go up; `voided`: 废弃, takes nothing more. */
  status: 'open' | 'closed' | 'returned' | 'voided';
  /** 1 for the first scan; each rescan after a return opens the next (absent in v1 files: 1). */
  round?: number;
  pageCount: number | null;
  pages: Record<string, PageReceipt & { file: string }>;
  /** idempotency key → receipt id */
  keys: Record<string, string>;
  closedAt: string | null;
  /** Set while the bill is returned: why, and when. */
  returned?: BillReturn | null;
  /** Set once the bill is voided: why, and when. */
  voided?: BillVoid | null;
  /** Who scanned the current round where, as its close carried it (null before a close). */
  scan?: BillScan | null;
  /** Earlier rounds, oldest first. */
  history?: BillRound[];
}

/** Why a page or a close was refused; the values are the protocol's errcodes. */
export type BillConflict = 'idempotency-conflict' | 'page-conflict' | 'bill-closed' | 'bill-returned' | 'bill-voided';

/** The outcome of closing a bill. */
export type CloseOutcome =
  | { kind: 'closed'; manifest: BillManifest }
  | { kind: 'unknown' }
  | { kind: 'missing'; missing: number[] }
  | { kind: 'beyond'; beyond: number[] }
  | { kind: 'returned'; manifest: BillManifest }
  | { kind: 'voided'; manifest: BillManifest };

/** The outcome of returning, voiding or opening a new round of a bill (`voided`: refused, the bill is voided). */
export type RoundOutcome = { kind: 'done'; manifest: BillManifest } | { kind: 'unknown' } | { kind: 'conflict'; manifest: BillManifest } | { kind: 'voided'; manifest: BillManifest };

/** A page already written and fsynced to a temp file on the store's volume (a streamed upload): it is renamed into place, never copied. */
export interface StagedPage {
  stagedFile: string;
  size: number;
}

/** A folder of bills with the imaging protocol's rules: idempotent pages, no silent replacement, checked close. */
export interface BillStore {
  /** Stores a page; a staged file that is not needed (a repeat, a conflict) is left for the caller to remove. */
  putPage(input: { imageCode: string; page: number; bytes: Uint8Array | StagedPage; sha256: string; idempotencyKey: string; extension: string }): Promise<{ receipt: PageReceipt } | { conflict: BillConflict; manifest?: BillManifest }>;
  /** Closes the current round with its page count and who scanned it where (kept with the round). */
  closeBill(imageCode: string, pageCount: number, scan?: BillScan): Promise<CloseOutcome>;
  readBill(imageCode: string): Promise<BillManifest | null>;
  /** Sends a closed bill back for a rescan (a reviewer's act on the imaging side); returning it again only updates the reason. */
  returnBill(imageCode: string, reason: { reason: string; reasonCode: string | null }): Promise<RoundOutcome>;
  /** Voids a bill (废弃) in any state but unknown; voiding it again answers it unchanged. */
  voidBill(imageCode: string, reason: string): Promise<RoundOutcome>;
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

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Whether a page table has the shape this store writes: each entry a receipt with its page number and file. */
function isPageTable(value: unknown): boolean {
  return isRecord(value) && Object.values(value).every((entry) => isRecord(entry) && typeof entry.page === 'number' && isPageNumber(entry.page) && typeof entry.sha256 === 'string' && typeof entry.receiptId === 'string' && typeof entry.file === 'string');
}

/** Whether a parsed `bill.json` has the shape this store writes (any version of it). */
function isBillManifest(value: unknown): value is BillManifest {
  if (!isRecord(value)) return false;
  const { imageCode, status, pages, keys, history } = value;
  return (
    typeof imageCode === 'string' &&
    (status === 'open' || status === 'closed' || status === 'returned' || status === 'voided') &&
    isPageTable(pages) &&
    isRecord(keys) &&
    (history === undefined || (Array.isArray(history) && history.every((entry) => isRecord(entry) && typeof entry.round === 'number' && isPageTable(entry.pages))))
  );
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
  const scanOf = (scan: BillScan | null | undefined, pageCount: number | null) => (scan ? { ...scan, pageCount } : null);
  const returnOf = (returned: BillReturn | null | undefined) => (returned ? { reason: returned.reason, at: returned.at, reasonCode: returned.reasonCode ?? null } : null);
  const rounds = (manifest.history ?? []).map((entry) => ({ round: entry.round, pageCount: entry.pageCount, closedAt: entry.closedAt, returned: returnOf(entry.returned), scan: scanOf(entry.scan, entry.pageCount) }));
  const round = roundOf(manifest);
  return {
    imageCode: manifest.imageCode,
    status: manifest.status,
    imageState: imageStateOfStatus(manifest.status, round),
    round,
    pageCount: manifest.pageCount,
    pages,
    returned: returnOf(manifest.returned),
    voided: manifest.voided ?? null,
    scan: scanOf(manifest.scan, manifest.pageCount),
    rounds,
  };
}

/** What a query answers for a code never seen: 无影像. */
export function describeUnknownBill(imageCode: string) {
  return { imageCode, status: 'unknown' as const, imageState: imageStateOfStatus('unknown', 1), round: 1, pageCount: null, pages: [], returned: null, voided: null, scan: null, rounds: [] };
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
    let text: string;
    try {
      text = await fs.readFile(manifestFile(code), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Unknown here; but on a case-sensitive disk its twin may hold the folder a Windows share would merge it with.
      const twin = await findTwin(code);
      if (twin !== undefined) throw new ImagingError('image-code-case-twin', { code, existing: twin }, 'needs-person');
      return null;
    }
    // Written whole by this store (temp file and rename), so a file that does not read as a bill was
    // damaged or written by someone else (an importer on the share): a person looks, nothing is replaced.
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Falls through to the damaged-file refusal.
    }
    if (!isBillManifest(parsed)) throw new ImagingError('imaging-rejected', { errcode: '5000', description: `${code}/bill.json is damaged or not a bill this station wrote: check it (nothing was changed)` }, 'needs-person');
    const manifest: BillManifest = parsed;
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
        // A voided bill takes nothing more, not even a repeat: the station must hear it is voided.
        if (existingId && manifest.status !== 'voided') {
          const stored = Object.values(manifest.pages).find((candidate) => candidate.receiptId === existingId);
          if (stored && stored.sha256 === sha256 && stored.page === page) return { receipt: receiptOf(stored) };
          return { conflict: 'idempotency-conflict' as const };
        }
        if (manifest.status === 'voided') return { conflict: 'bill-voided' as const, manifest };
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
    closeBill: (imageCode, pageCount, scan) =>
      withBill(imageCode, async (): Promise<CloseOutcome> => {
        checkPageNumber(pageCount, 'pageCount');
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        if (manifest.status === 'voided') return { kind: 'voided', manifest };
        if (manifest.status === 'returned') return { kind: 'returned', manifest };
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
          // A repeated close (a lost answer) keeps the first close's details.
          manifest.scan = scan ?? { scanUser: null, scanPoint: null, stationIp: null, scannedAt: null };
          await writeBill(manifest);
        }
        return { kind: 'closed', manifest };
      }),
    returnBill: (imageCode, reason) =>
      withBill(imageCode, async (): Promise<RoundOutcome> => {
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        if (manifest.status === 'voided') return { kind: 'voided', manifest };
        if (manifest.status === 'open') return { kind: 'conflict', manifest };
        manifest.status = 'returned';
        manifest.returned = { reason: reason.reason, at: options.now().toISOString(), reasonCode: reason.reasonCode };
        await writeBill(manifest);
        return { kind: 'done', manifest };
      }),
    voidBill: (imageCode, reason) =>
      withBill(imageCode, async (): Promise<RoundOutcome> => {
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        // Voiding again is harmless: the same answer, the first reason kept.
        if (manifest.status === 'voided') return { kind: 'done', manifest };
        manifest.status = 'voided';
        manifest.voided = { reason, at: options.now().toISOString() };
        await writeBill(manifest);
        return { kind: 'done', manifest };
      }),
    openRound: (imageCode, round) =>
      withBill(imageCode, async (): Promise<RoundOutcome> => {
        const manifest = await readBill(imageCode);
        if (!manifest) return { kind: 'unknown' };
        if (manifest.status === 'voided') return { kind: 'voided', manifest };
        const current = roundOf(manifest);
        // A client that opened the round and lost the answer asks again: the same answer, nothing moved.
        if (current === round && manifest.status === 'open') return { kind: 'done', manifest };
        if (manifest.status !== 'returned' || round !== current + 1 || !manifest.returned) return { kind: 'conflict', manifest };
        const history = [...(manifest.history ?? []), { round: current, pageCount: manifest.pageCount, closedAt: manifest.closedAt, returned: manifest.returned, scan: manifest.scan ?? null, pages: manifest.pages }];
        const next: BillManifest = { ...manifest, status: 'open', round, pageCount: null, pages: createTable(), closedAt: null, returned: null, scan: null, history };
        await writeBill(next);
        return { kind: 'done', manifest: next };
      }),
  };
}

/** The longest station address a close may carry (an IPv6 address with a zone fits). */
export const maxStationIpLength = 64;

/** The longest scan time a close may carry (an ISO time with an offset and fractions fits). */
export const maxScannedAtLength = 40;

/** An ISO 8601 date or date-time (the time zone optional): `Date.parse` alone also takes "1" and "hello 2". */
const isoTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/**
 * Reads the who-scanned-where fields of a close: each a string within its length (in characters, as
 * the station counts them: 50 characters of a CJK Extension B name are 100 UTF-16 units) or
 * absent/null; control, format and separator characters and a `scannedAt` that is not an ISO time are
 * refused (the description says which) before anything changes.
 */
export function readScanFields(record: Record<string, unknown>): { ok: true; scan: BillScan } | { ok: false; description: string } {
  const limits = { scanUser: maxScanFieldLength, scanPoint: maxScanFieldLength, stationIp: maxStationIpLength, scannedAt: maxScannedAtLength } as const;
  const scan: BillScan = { scanUser: null, scanPoint: null, stationIp: null, scannedAt: null };
  for (const field of Object.keys(limits) as Array<keyof typeof limits>) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    // The UTF-16 length first: a 10 MB string is refused without being split into characters.
    if (typeof value !== 'string' || value.length > limits[field] * 2 || [...value].length > limits[field]) return { ok: false, description: `${field} must be a string of at most ${limits[field]} characters, or null` };
    if (hasHiddenCharacters(value)) return { ok: false, description: `${field} must be plain text: no control, zero-width or direction characters` };
    const trimmed = value.trim();
    if (field === 'scannedAt' && trimmed !== '' && (!isoTime.test(trimmed) || Number.isNaN(Date.parse(trimmed)))) return { ok: false, description: 'scannedAt must be an ISO time' };
    scan[field] = trimmed === '' ? null : value;
  }
  return { ok: true, scan };
}

/** The refusal of any change to a voided bill (废弃, errcode `2011`): the upload queue holds such a bill for a person. */
export function voidedBillError(imageCode: string): ImagingError {
  return new ImagingError('imaging-bill-voided', { code: imageCode, errcode: '2011' }, 'needs-person');
}

import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { escapeHiddenCharacters } from '../../shared/display-text.js';
import { CoreError } from '../base/errors.js';
import { imageStateOfStatus, isErpImageState, maxScanFieldLength, type ErpImageState, type ProtocolBillStatus, type RescanReason } from '../../shared/imaging/erp-image-state.js';

export type { RescanReason } from '../../shared/imaging/erp-image-state.js';

/** What is stored for one page (the same receipt answers a repeated idempotency key). */
export interface PageReceipt {
  receiptId: string;
  imageCode: string;
  page: number;
  sha256: string;
  bytes: number;
  receivedAt: string;
}

/** One page to deliver; the idempotency key is chosen once per page and kept across retries. */
export interface PageUpload {
  imageCode: string;
  /** 1-based page number within the bill. */
  page: number;
  bytes: Uint8Array;
  /** Lower-case hex SHA-256 of `bytes`. */
  sha256: string;
  idempotencyKey: string;
}

/** Who scanned a bill where, as its close carries it (the ERP's 影像扫描用户, 扫描点, 影像扫描客户端IP, 扫描时间). */
export interface ScanDetails {
  /** The clerk's scan user id in the ERP (影像扫描用户), or null when the station has none set. */
  scanUser: string | null;
  /** The station's scan point (扫描点), a name or number from the ERP's list, or null. */
  scanPoint: string | null;
  /** The station's address as the server sees the connection (the adapter fills it when the caller does not). */
  stationIp: string | null;
  /** When the bill's pages were scanned (taken in), ISO time. */
  scannedAt: string | null;
}

/** What the receiving side holds for a bill. */
export interface BillState {
  imageCode: string;
  /** `unknown`: never seen; `returned`: closed, then sent back for a rescan (a new round must be opened); `voided`: 废弃, takes nothing more. */
  status: ProtocolBillStatus;
  /** The ERP's 影像状态: as the server sent it, or worked out from `status` and `round` for an older server. */
  imageState: ErpImageState;
  /** Whether `imageState` came from the server (false: worked out from an older server's status). */
  imageStateFromServer: boolean;
  /** The bill's current round: 1 for the first scan, one more for each rescan after a return. */
  round: number;
  pageCount: number | null;
  pages: Array<{ page: number; sha256: string; bytes: number; receivedAt: string }>;
  /** Why and when the bill was returned, while it is (`reasonCode`: the rescan reason's code, when one was chosen). */
  returned: { reason: string; at: string; reasonCode: string | null } | null;
  /** Why and when the bill was voided (废弃), when it is. */
  voided: { reason: string; at: string } | null;
  /** False when the ERP marked the bill as needing no images (是否需要影像扫描 = 否: "当前单据无需上传影像"). */
  needImageScan: boolean;
  /** Who scanned the current round where, as the close recorded it; null when the server keeps none (or it is not closed yet). */
  scan: (ScanDetails & { pageCount: number | null }) | null;
}

/** A bill the receiving side has never seen. */
export function unknownBill(imageCode: string): BillState {
  return { imageCode, status: 'unknown', imageState: '0', imageStateFromServer: false, round: 1, pageCount: null, pages: [], returned: null, voided: null, needImageScan: true, scan: null };
}

/** The most rounds a bill may have (the reference server's limit): a larger number from a server is not believed. */
const maxRounds = 1000;

/** The most pages a bill may hold (the protocol's 10,000): a longer list from a server is cut there. */
const maxPages = 10_000;

/** Whether a value is a page number or page count the protocol allows: an integer 1…10,000. */
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxPages;

/**
 * A server's text as the station keeps and shows it: a non-blank string cut to `max` characters, its
 * control, format and separator characters escaped (a hostile or broken server must not drive a
 * terminal, break a log line or turn a clerk's screen around); anything else is none.
 */
const textOrNull = (value: unknown, max: number): string | null => {
  if (typeof value !== 'string' || value.trim() === '') return null;
  // Cut by characters, not UTF-16 units, after a cheap first cut: a 1 MB string is not split whole.
  return escapeHiddenCharacters([...value.slice(0, max * 2)].slice(0, max).join(''));
};

/** A server's page list: entries that are not a page (wrong types, out of range) are left out, at most 10,000 kept. */
function readPages(value: unknown): BillState['pages'] {
  if (!Array.isArray(value)) return [];
  const pages: BillState['pages'] = [];
  for (const item of value.slice(0, maxPages)) {
    if (!item || typeof item !== 'object') continue;
    const { page, sha256, bytes, receivedAt } = item as Record<string, unknown>;
    if (!isCount(page)) continue;
    pages.push({ page, sha256: textOrNull(sha256, 64) ?? '', bytes: typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : 0, receivedAt: textOrNull(receivedAt, 40) ?? '' });
  }
  return pages;
}

/**
 * Reads a bill's state from a protocol answer's `data` (fields an older server lacks take their older
 * meaning). Nothing in it is trusted: a field of the wrong type or out of range reads as absent, texts
 * are bounded and escaped, the page list is checked entry by entry.
 */
export function readBillState(imageCode: string, data: unknown): BillState {
  const record = (data && typeof data === 'object' && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  const sentState = isErpImageState(record.imageState) ? record.imageState : null;
  const status: ProtocolBillStatus =
    record.status === 'closed' || record.status === 'returned' || record.status === 'voided' || record.status === 'unknown' ? record.status : sentState === '0' ? 'unknown' : sentState === '5' ? 'voided' : 'open';
  const round = typeof record.round === 'number' && Number.isInteger(record.round) && record.round >= 1 && record.round <= maxRounds ? record.round : 1;
  const objectOrNull = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
  const returned = objectOrNull(record.returned);
  const voided = objectOrNull(record.voided);
  const scan = objectOrNull(record.scan);
  const returnedReason = typeof returned?.reason === 'string' ? (textOrNull(returned.reason, 500) ?? '') : null;
  const voidedReason = typeof voided?.reason === 'string' ? (textOrNull(voided.reason, 500) ?? '') : null;
  return {
    imageCode,
    status,
    imageState: sentState ?? imageStateOfStatus(status, round),
    imageStateFromServer: sentState !== null,
    round,
    pageCount: isCount(record.pageCount) ? record.pageCount : null,
    pages: readPages(record.pages),
    returned: returnedReason !== null ? { reason: returnedReason, at: textOrNull(returned?.at, 40) ?? '', reasonCode: textOrNull(returned?.reasonCode, maxScanFieldLength) } : null,
    voided: voidedReason !== null ? { reason: voidedReason, at: textOrNull(voided?.at, 40) ?? '' } : null,
    needImageScan: record.needImageScan !== false,
    scan: scan
      ? {
          scanUser: textOrNull(scan.scanUser, maxScanFieldLength),
          scanPoint: textOrNull(scan.scanPoint, maxScanFieldLength),
          stationIp: textOrNull(scan.stationIp, 64),
          scannedAt: textOrNull(scan.scannedAt, 40),
          pageCount: isCount(scan.pageCount) ? scan.pageCount : null,
        }
      : null,
  };
}

/** How the caller (the upload queue) should react to a failure. */
export type RetryAdvice = 'retry' | 'fix-settings' | 'needs-person';

/** A failed delivery; `advice` and `retryAfterMs` tell the queue whether and when to try again. */
export class ImagingError extends CoreError {
  /** What the caller should do. */
  readonly advice: RetryAdvice;
  /** The server's Retry-After, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(code: ErrorCode, params: MessageParams, advice: RetryAdvice, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(code, params, { cause: options.cause });
    this.name = 'ImagingError';
    this.advice = advice;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Where a bill's pages go. Two implementations: `http` (docs/imaging-protocol.md, paths configurable)
 * and `folder` (a shared folder with a manifest per bill). Both keep the same promises: a repeated
 * idempotency key returns the first receipt, a stored page is never replaced by other bytes, and a
 * bill closes only when pages 1…N are all there.
 */
export interface ImagingAdapter {
  readonly kind: 'http' | 'folder';
  uploadPage(upload: PageUpload): Promise<PageReceipt>;
  /** Closes the bill with its declared page count and who scanned it where; throws `imaging-conflict` with the missing pages. */
  closeBill(imageCode: string, pageCount: number, scan?: ScanDetails): Promise<BillState>;
  queryBill(imageCode: string): Promise<BillState>;
  /** Opens round `round` (current + 1) of a returned bill, before a rescan's pages go up; repeating it is harmless. */
  openRound(imageCode: string, round: number): Promise<BillState>;
  /** Sends a closed bill back for a rescan with a reason (text, a rescan reason's code, or both): a reviewer's act, offered by the reference server and the folder (training, tests). */
  returnBill(imageCode: string, reason: { text?: string; code?: string }): Promise<BillState>;
  /** Voids a bill (废弃): it takes no pages, close or round after this. A reviewer's act (training, tests). */
  voidBill(imageCode: string, reason: string): Promise<BillState>;
  /** The server's rescan reasons (退扫原因), for naming a return's reason code. */
  listRescanReasons(): Promise<RescanReason[]>;
  /** Marks a code as needing no images (or needing them again): the ERP's 是否需要影像扫描, offered by the reference server for training. */
  setNeedImageScan(imageCode: string, needImageScan: boolean): Promise<BillState>;
}

/** Picks a file extension from the page's magic bytes (scanners send JPEG, PNG, TIFF or PDF). */
export function pageExtension(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head[0] === 0xff && head[1] === 0xd8) return 'jpg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.subarray(0, 4).equals(Buffer.from('II*\0', 'latin1')) || head.subarray(0, 4).equals(Buffer.from('MM\0*', 'latin1'))) return 'tif';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  return 'bin';
}

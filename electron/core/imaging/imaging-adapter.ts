import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { CoreError } from '../errors.js';
import type { PageReceipt } from './bill-store.js';

export type { PageReceipt } from './bill-store.js';

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

/** What the receiving side holds for a bill. */
export interface BillState {
  imageCode: string;
  /** `unknown`: never seen; `returned`: closed, then sent back for a rescan (a new round must be opened). */
  status: 'open' | 'closed' | 'returned' | 'unknown';
  /** The bill's current round: 1 for the first scan, one more for each rescan after a return. */
  round: number;
  pageCount: number | null;
  pages: Array<{ page: number; sha256: string; bytes: number; receivedAt: string }>;
  /** Why and when the bill was returned, while it is. */
  returned: { reason: string; at: string } | null;
}

/** A bill the receiving side has never seen. */
export function unknownBill(imageCode: string): BillState {
  return { imageCode, status: 'unknown', round: 1, pageCount: null, pages: [], returned: null };
}

/** Reads a bill's state from a protocol answer's `data` (fields a v1 server lacks take their v1 meaning). */
export function readBillState(imageCode: string, data: unknown): BillState {
  const record = (data ?? {}) as Record<string, unknown>;
  const status = record.status === 'closed' || record.status === 'returned' ? record.status : 'open';
  const returned = record.returned as { reason?: unknown; at?: unknown } | null | undefined;
  return {
    imageCode,
    status,
    round: typeof record.round === 'number' && Number.isInteger(record.round) && record.round >= 1 ? record.round : 1,
    pageCount: typeof record.pageCount === 'number' ? record.pageCount : null,
    pages: Array.isArray(record.pages) ? (record.pages as BillState['pages']) : [],
    returned: returned && typeof returned.reason === 'string' ? { reason: returned.reason.slice(0, 500), at: String(returned.at ?? '') } : null,
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
  /** Closes the bill with its declared page count; throws `imaging-conflict` with the missing pages. */
  closeBill(imageCode: string, pageCount: number): Promise<BillState>;
  queryBill(imageCode: string): Promise<BillState>;
  /** Opens round `round` (current + 1) of a returned bill, before a rescan's pages go up; repeating it is harmless. */
  openRound(imageCode: string, round: number): Promise<BillState>;
  /** Sends a closed bill back for a rescan: a reviewer's act, offered by the reference server and the folder (training, tests). */
  returnBill(imageCode: string, reason: string): Promise<BillState>;
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

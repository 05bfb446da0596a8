import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { erpImageStateNames, type ErpImageState } from '../../shared/imaging/erp-image-state.js';
import type { BillState } from '../imaging/imaging-adapter.js';
import type { HeldReason } from '../split/split-stack.js';
import type { AuditLine } from './station-records.js';
import type { QueueReason, QueueState } from '../upload/queue-status.js';
import type { UploadState } from '../spool/upload-manifest.js';
import type { ReturnedBill } from '../spool/returned-bills.js';

/** What the person asking saw in the ERP: "无影像", or "当前单据无需上传影像". */
export type Symptom = 'no-image' | 'no-image-needed';

/** The troubleshooter's answer for one code, following the seed's decision tree. */
export type TraceVerdict =
  | 'no-image-needed'
  | 'sync-mode'
  | 'returned'
  | 'delivered'
  | 'delivered-unverified'
  | 'pages-differ'
  | 'waiting'
  | 'held'
  | 'discarded'
  | 'delivered-elsewhere'
  | 'not-scanned'
  | 'close-lost'
  | 'server-has-none'
  | 'voided';

/** Who takes the next step. */
export type TraceOwner = 'clerk' | 'implementer' | 'bill-owner' | 'erp-support' | 'imaging-admin' | 'nobody';

/** One of the station's bills with the code: where it came from and how its upload stands. */
export interface TracedBill {
  billId: string;
  stackId: string;
  /** The scanned file it came from, and when it was taken in. */
  source: string;
  importedAt: string;
  /** Its pages' numbers in the stack (the cover first). */
  pages: number[];
  state: 'ready' | 'held' | 'review' | 'discarded';
  heldReason: HeldReason | null;
  upload: {
    state: UploadState;
    pages: number;
    sent: number;
    attempts: number;
    nextAttemptAt: string | null;
    lastError: { code: ErrorCode; params: MessageParams; at: string } | null;
    held: { code: string; params: MessageParams; at: string } | null;
    closedAt: string | null;
    round: number;
    /** page → receipt id, time and SHA-256 (the station's proof of delivery). */
    receipts: Array<{ page: number; receiptId: string; sha256: string; receivedAt: string }>;
    /** The SHA-256 of each page the station sends, in order. */
    sha256: string[];
  } | null;
}

/** What this station knows of a code. */
export interface StationView {
  seen: boolean;
  coversMade: Array<{ at: string; billNo: string | null; source: string | null }>;
  templateChecks: Array<{ at: string; source: string | null; verdict: string | null }>;
  bills: TracedBill[];
  queue: { state: QueueState; reason: QueueReason | null; nextAttemptAt: string | null };
  mode: string;
  returned: ReturnedBill | null;
  /** The last time a person discarded a bill with this code (its stack may since be in the recycle folder). */
  discarded: { at: string; bill: string | null; source: string | null; by: string | null } | null;
}

/** What the imaging endpoint holds, compared page by page with the station's last delivered (or sending) bill. */
export interface ServerView {
  status: BillState['status'];
  round: number;
  pageCount: number | null;
  pages: BillState['pages'];
  returned: BillState['returned'];
  compare: { same: number[]; missing: number[]; extra: number[]; differ: number[] };
  /** The ERP's 影像状态 (as the server sent it, or worked out from an older server's status). */
  imageState: ErpImageState;
  imageStateFromServer: boolean;
  voided: BillState['voided'];
  /** False when the ERP marked the bill as needing no images (是否需要影像扫描 = 否). */
  needImageScan: boolean;
  /** Who scanned the current round where, as the close recorded it (null: not closed, or an older server). */
  scan: BillState['scan'];
}

/** What the ERP's 影像映射维护 shows for the code, as far as the imaging server tells (null: not asked, or it failed). */
export interface ErpView {
  imageState: { code: ErpImageState; name: string };
  /** False: worked out from an older server's status words, not sent by it. */
  fromServer: boolean;
  /** 影像张数: the close's page count, else the pages the server holds. */
  pageCount: number | null;
  /** 影像扫描用户, 扫描点, 影像扫描客户端IP, 扫描时间 as the close recorded them. */
  scan: { user: string | null; point: string | null; stationIp: string | null; scannedAt: string | null } | null;
  /** The rescan reason (退扫原因) of a return: its code when one was chosen, and the reviewer's text. */
  rescanReason: { code: string | null; text: string; at: string } | null;
  voided: { reason: string; at: string } | null;
  /** 是否需要影像扫描. */
  needImageScan: boolean;
}

/** The ERP's side of a code from the server's view. */
export function erpViewOf(server: ServerView | null): ErpView | null {
  if (!server) return null;
  const scan = server.scan;
  return {
    imageState: { code: server.imageState, name: erpImageStateNames[server.imageState] },
    fromServer: server.imageStateFromServer,
    pageCount: scan?.pageCount ?? server.pageCount ?? (server.pages.length || null),
    scan: scan && (scan.scanUser || scan.scanPoint || scan.stationIp || scan.scannedAt) ? { user: scan.scanUser, point: scan.scanPoint, stationIp: scan.stationIp, scannedAt: scan.scannedAt } : null,
    rescanReason: server.returned ? { code: server.returned.reasonCode, text: server.returned.reason, at: server.returned.at } : null,
    voided: server.voided,
    needImageScan: server.needImageScan,
  };
}

/** The server's view of a code from its bill query, compared with the station's pages (SHA-256 in order). */
export function serverViewOf(state: BillState, stationPages: string[]): ServerView {
  return {
    status: state.status,
    round: state.round,
    pageCount: state.pageCount,
    pages: state.pages,
    returned: state.returned,
    compare: comparePages(stationPages, state.pages),
    imageState: state.imageState,
    imageStateFromServer: state.imageStateFromServer,
    voided: state.voided,
    needImageScan: state.needImageScan,
    scan: state.scan,
  };
}

/** One line of a code's story, from the station's records or the server's answer. */
export interface TimelineEntry {
  at: string;
  event: AuditLine['event'] | 'server-pages' | 'server-returned';
  from: 'station' | 'server';
  stack?: string;
  bill?: string;
  source?: string;
  pages?: number[];
  reason?: string;
  detail?: string;
  by?: string;
  params?: Record<string, string | number>;
  receipts?: string[];
  round?: number;
  /** The server's bill status (server lines). */
  status?: string;
}

/** The whole answer for one code. */
export interface CodeTrace {
  code: string;
  verdict: TraceVerdict;
  owner: TraceOwner;
  /** Facts the verdict's sentence names (times, counts, reasons), for every language. */
  facts: Record<string, string | number>;
  station: StationView;
  server: ServerView | null;
  /** Why the server could not be asked (unreachable, refused), null when it answered or was not asked. */
  serverError: { code: ErrorCode; params: MessageParams } | null;
  /** What 影像映射维护 will show (null when the server could not be asked). */
  erp: ErpView | null;
  timeline: TimelineEntry[];
}

/** Compares the station's pages (SHA-256 in order) with the server's. */
export function comparePages(station: string[], server: BillState['pages']): ServerView['compare'] {
  const byPage = new Map(server.map((page) => [page.page, page.sha256]));
  const compare: ServerView['compare'] = { same: [], missing: [], extra: [], differ: [] };
  station.forEach((sha256, index) => {
    const held = byPage.get(index + 1);
    if (held === undefined) compare.missing.push(index + 1);
    else if (held === sha256) compare.same.push(index + 1);
    else compare.differ.push(index + 1);
  });
  for (const page of byPage.keys()) if (page > station.length) compare.extra.push(page);
  compare.extra.sort((a, b) => a - b);
  return compare;
}

const newestFirst = (a: TracedBill, b: TracedBill) => b.importedAt.localeCompare(a.importedAt) || b.billId.localeCompare(a.billId);

/** The bill the server's pages are compared with: the newest delivered one, else the newest sending one. */
export function comparedBill(bills: TracedBill[]): TracedBill | null {
  const live = bills.filter((bill) => bill.state !== 'discarded' || bill.upload).sort(newestFirst);
  return live.find((bill) => bill.upload?.state === 'done') ?? live.find((bill) => bill.upload) ?? null;
}

/** Who scanned a bill where, as the server's close recorded it, as facts (empty strings when it keeps none). */
function scanFacts(server: ServerView): Record<string, string | number> {
  return { scanUser: server.scan?.scanUser ?? '', scanPoint: server.scan?.scanPoint ?? '', stationIp: server.scan?.stationIp ?? '', scannedAt: server.scan?.scannedAt ?? '' };
}

/**
 * The decision tree (NOTES.md, "no image" troubleshooting, made concrete with the station's records and
 * the ERP's 影像状态). In this order, the first that holds is the verdict:
 *  1. "当前单据无需上传影像" asked, or the server says 是否需要影像扫描 = 否 → `no-image-needed`;
 *  2. sync-to-submitter mode → `sync-mode`;
 *  3. the server says 5 废弃 → `voided` (a bill still queued or held here will be refused: the clerk discards it);
 *  4. the server says 3 退回重扫 → `returned` (or the rescan taken in since: `waiting` / `held`);
 *  5. a newer bill on its way / held past the delivered round → `waiting` / `held`;
 *  6. the station delivered (done, receipts): server not asked → `delivered-unverified`; 0 无影像 →
 *     `server-has-none`; 1 上传影像中 / 4 影像重传 with every page the same → `close-lost`; 2 影像已就绪 with
 *     every page the same → `delivered`; otherwise → `pages-differ`;
 *  7. queued, sending or waiting here → `waiting`; held here → `held`;
 *  8. not sent from here but the server has it (pages, or 2 影像已就绪) → `delivered-elsewhere`;
 *  9. discarded here → `discarded`; else → `not-scanned`.
 */
export function judgeTrace(input: { code: string; symptom: Symptom; station: StationView; server: ServerView | null; serverError: CodeTrace['serverError'] }): Pick<CodeTrace, 'verdict' | 'owner' | 'facts'> {
  const { station, server } = input;
  const bills = [...station.bills].sort(newestFirst);
  const live = bills.filter((bill) => bill.state !== 'discarded' || bill.upload);
  const done = live.find((bill) => bill.upload?.state === 'done') ?? null;
  const active = live.find((bill) => (bill.upload ? ['queued', 'sending', 'waiting'].includes(bill.upload.state) : bill.state === 'ready')) ?? null;
  const held = live.find((bill) => bill.upload?.state === 'held' || (!bill.upload && bill.state === 'held')) ?? null;
  const waitingFacts = (bill: TracedBill) => ({
    bill: bill.billId,
    source: bill.source,
    sent: bill.upload?.sent ?? 0,
    pages: bill.upload?.pages ?? bill.pages.length,
    nextAttemptAt: bill.upload?.nextAttemptAt ?? station.queue.nextAttemptAt ?? '',
    queueReason: station.queue.reason ?? '',
    lastError: bill.upload?.lastError?.code ?? '',
  });
  const waitingOwner = (): TraceOwner => {
    switch (station.queue.reason) {
      case 'paused-by-person':
        return 'clerk';
      case 'preflight-missing':
      case 'preflight-failed':
      case 'preflight-stale':
      case 'fix-settings':
      case 'mode-sync-to-submitter':
        return 'implementer';
      // Making room on the disk, or the folder writable again, is for whoever looks after the PC.
      case 'data-disk-full':
      case 'data-folder-unwritable':
      case 'data-folder-failing':
      case 'queue-fault':
        return 'implementer';
      case null:
        return 'nobody';
    }
  };
  const heldFacts = (bill: TracedBill) => ({ bill: bill.billId, source: bill.source, reason: bill.upload?.held?.code ?? bill.heldReason ?? '', since: bill.upload?.held?.at ?? bill.importedAt, stage: bill.upload ? 'upload' : 'split' });

  // The ERP's own flag answers "no image needed" even when the person asked about "无影像".
  if (input.symptom === 'no-image-needed' || server?.needImageScan === false) return { verdict: 'no-image-needed', owner: 'bill-owner', facts: { fromServer: server?.needImageScan === false ? 1 : 0 } };
  if (station.mode === 'sync-to-submitter') return { verdict: 'sync-mode', owner: 'implementer', facts: {} };
  if (server && (server.imageState === '5' || server.status === 'voided')) {
    // Nothing more goes up for a voided code: a bill still here is the clerk's to discard.
    const here = active ?? held;
    return { verdict: 'voided', owner: here ? 'clerk' : 'bill-owner', facts: { reason: server.voided?.reason ?? '', at: server.voided?.at ?? '', bill: here?.billId ?? '', source: here?.source ?? '', delivered: done ? 1 : 0, serverPages: server.pages.length } };
  }
  if (server && (server.status === 'returned' || server.imageState === '3')) {
    // A rescan taken in after the return goes up as the next round: waiting or held like any bill.
    const since = server.returned?.at ?? '';
    if (active && active.importedAt >= (station.returned?.noticedAt ?? since)) return { verdict: 'waiting', owner: waitingOwner(), facts: { ...waitingFacts(active), rescan: 1 } };
    if (held && held.importedAt >= (station.returned?.noticedAt ?? since)) return { verdict: 'held', owner: 'clerk', facts: { ...heldFacts(held), rescan: 1 } };
    return { verdict: 'returned', owner: 'clerk', facts: { reason: server.returned?.reason ?? '', reasonCode: server.returned?.reasonCode ?? '', at: since, round: server.round } };
  }
  // A newer bill on its way (a rescan being sent as the next round) is what happens now; so is a newer
  // held one when the server already moved past the delivered round.
  if (done && active && active.importedAt > done.importedAt) return { verdict: 'waiting', owner: waitingOwner(), facts: waitingFacts(active) };
  if (done && held && held.importedAt > done.importedAt && server && server.round > (done.upload?.round ?? 1)) return { verdict: 'held', owner: 'clerk', facts: heldFacts(held) };
  if (done?.upload) {
    const receipts = done.upload.receipts.length;
    const doneFacts = { bill: done.billId, source: done.source, closedAt: done.upload.closedAt ?? '', pages: done.upload.pages, receipts, firstReceipt: done.upload.receipts[0]?.receiptId ?? '' };
    if (!server) return { verdict: 'delivered-unverified', owner: 'implementer', facts: { ...doneFacts, serverError: input.serverError?.code ?? '' } };
    const { compare } = server;
    const allSame = compare.missing.length === 0 && compare.extra.length === 0 && compare.differ.length === 0 && compare.same.length > 0;
    // Receipts here but no record there: this station talks to another server or tenant than the ERP's, or the server lost it.
    if (server.imageState === '0' && server.pages.length === 0) return { verdict: 'server-has-none', owner: 'implementer', facts: { ...doneFacts, imageState: server.imageState } };
    // Every page arrived and the station recorded its close, yet the server still waits for one: the close was lost.
    if ((server.imageState === '1' || server.imageState === '4') && allSame) return { verdict: 'close-lost', owner: 'implementer', facts: { ...doneFacts, imageState: server.imageState, serverPages: server.pages.length, round: server.round } };
    if ((server.status === 'closed' || server.imageState === '2') && allSame) {
      return { verdict: 'delivered', owner: 'erp-support', facts: { ...doneFacts, serverPages: server.pages.length, round: server.round } };
    }
    return {
      verdict: 'pages-differ',
      owner: 'imaging-admin',
      facts: { ...doneFacts, serverStatus: server.status, imageState: server.imageState, serverPages: server.pages.length, missing: compare.missing.join(', '), extra: compare.extra.join(', '), differ: compare.differ.join(', ') },
    };
  }
  if (active) return { verdict: 'waiting', owner: waitingOwner(), facts: waitingFacts(active) };
  if (held) return { verdict: 'held', owner: 'clerk', facts: heldFacts(held) };
  if (server && server.status !== 'unknown' && (server.pages.length > 0 || server.imageState === '2')) {
    return { verdict: 'delivered-elsewhere', owner: 'erp-support', facts: { serverStatus: server.status, imageState: server.imageState, serverPages: server.scan?.pageCount ?? server.pageCount ?? server.pages.length, ...scanFacts(server) } };
  }
  const discarded = bills.find((bill) => bill.state === 'discarded');
  if (discarded || station.discarded) {
    return { verdict: 'discarded', owner: 'clerk', facts: { bill: discarded?.billId ?? station.discarded?.bill ?? '', source: discarded?.source ?? station.discarded?.source ?? '', at: station.discarded?.at ?? discarded?.importedAt ?? '', by: station.discarded?.by ?? '' } };
  }
  const cover = station.coversMade.at(-1);
  return { verdict: 'not-scanned', owner: 'clerk', facts: { coverMadeAt: cover?.at ?? '', billNo: cover?.billNo ?? '' } };
}

/** The story of a code: the station's audit lines, then what the server says happened, in time order. */
export function buildTimeline(lines: AuditLine[], server: ServerView | null): TimelineEntry[] {
  const entries: TimelineEntry[] = lines.map(({ time, event, stack, bill, source, pages, reason, detail, by, params, receipts, round }) => ({
    at: time,
    event,
    from: 'station',
    ...(stack ? { stack } : {}),
    ...(bill ? { bill } : {}),
    ...(source ? { source } : {}),
    ...(pages ? { pages } : {}),
    ...(reason ? { reason } : {}),
    ...(detail ? { detail } : {}),
    ...(by ? { by } : {}),
    ...(params ? { params } : {}),
    ...(receipts ? { receipts } : {}),
    ...(round ? { round } : {}),
  }));
  if (server && server.pages.length) {
    // A server that sent no times for its pages has its line first rather than none.
    const first = server.pages.map((page) => page.receivedAt).filter(Boolean).sort()[0] ?? '';
    entries.push({ at: first, event: 'server-pages', from: 'server', pages: server.pages.map((page) => page.page), round: server.round, status: server.status });
  }
  if (server?.returned) entries.push({ at: server.returned.at, event: 'server-returned', from: 'server', reason: server.returned.reason, round: server.round });
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import type { BillState } from '../imaging/imaging-adapter.js';
import type { HeldReason } from '../split/split-stack.js';
import type { AuditLine } from './station-records.js';
import type { QueueReason, QueueState } from '../upload/upload-queue.js';
import type { UploadState } from '../upload/upload-manifest.js';
import type { ReturnedBill } from '../upload/returned-bills.js';

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
  | 'not-scanned';

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

/**
 * The decision tree (NOTES.md, "no image" troubleshooting, made concrete with the station's records):
 * the symptom and the mode first, then a return by the imaging side, then what the station delivered
 * (checked against the server), what it still has to send, what it holds, and finally what it never had.
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

  if (input.symptom === 'no-image-needed') return { verdict: 'no-image-needed', owner: 'bill-owner', facts: {} };
  if (station.mode === 'sync-to-submitter') return { verdict: 'sync-mode', owner: 'implementer', facts: {} };
  if (server?.status === 'returned') {
    // A rescan taken in after the return goes up as the next round: waiting or held like any bill.
    const since = server.returned?.at ?? '';
    if (active && active.importedAt >= (station.returned?.noticedAt ?? since)) return { verdict: 'waiting', owner: waitingOwner(), facts: { ...waitingFacts(active), rescan: 1 } };
    if (held && held.importedAt >= (station.returned?.noticedAt ?? since)) return { verdict: 'held', owner: 'clerk', facts: { ...heldFacts(held), rescan: 1 } };
    return { verdict: 'returned', owner: 'clerk', facts: { reason: server.returned?.reason ?? '', at: since, round: server.round } };
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
    if (server.status === 'closed' && compare.missing.length === 0 && compare.extra.length === 0 && compare.differ.length === 0) {
      return { verdict: 'delivered', owner: 'erp-support', facts: { ...doneFacts, serverPages: server.pages.length, round: server.round } };
    }
    return {
      verdict: 'pages-differ',
      owner: 'imaging-admin',
      facts: { ...doneFacts, serverStatus: server.status, serverPages: server.pages.length, missing: compare.missing.join(', '), extra: compare.extra.join(', '), differ: compare.differ.join(', ') },
    };
  }
  if (active) return { verdict: 'waiting', owner: waitingOwner(), facts: waitingFacts(active) };
  if (held) return { verdict: 'held', owner: 'clerk', facts: heldFacts(held) };
  if (server && server.status !== 'unknown' && server.pages.length > 0) return { verdict: 'delivered-elsewhere', owner: 'erp-support', facts: { serverStatus: server.status, serverPages: server.pages.length } };
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
    const first = server.pages.map((page) => page.receivedAt).sort()[0] as string;
    entries.push({ at: first, event: 'server-pages', from: 'server', pages: server.pages.map((page) => page.page), round: server.round, status: server.status });
  }
  if (server?.returned) entries.push({ at: server.returned.at, event: 'server-returned', from: 'server', reason: server.returned.reason, round: server.round });
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

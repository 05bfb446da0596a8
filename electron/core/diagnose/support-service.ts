import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { parseLookupText } from '../../shared/diagnose/lookup-query.js';
import { CoreError } from '../base/errors.js';
import type { EndpointService } from '../endpoint/endpoint-service.js';
import type { BillState, ImagingAdapter, RescanReason } from '../imaging/imaging-adapter.js';
import type { Logger } from '../log/logger.js';
import type { Spool } from '../spool/spool.js';
import { readManifest, readStackManifests, type UploadManifest } from '../spool/upload-manifest.js';
import { noticeReturnedState, type ReturnedBill, type ReturnedBills } from '../spool/returned-bills.js';
import { scanDetailsOf } from '../upload/send-bill.js';
import type { UploadQueue } from '../upload/upload-queue.js';
import { findCodesByBillNumber, findCodesByDay, readCodeHistory } from './station-records.js';
import { buildTimeline, comparedBill, comparePages, erpViewOf, judgeTrace, serverViewOf, type CodeTrace, type ServerView, type StationView, type Symptom, type TracedBill } from './trace-code.js';

/** A look-up: codes, bill numbers and a day, as a person typed or pasted them. */
export interface LookupRequest {
  /** Free text: codes and bill numbers separated by spaces, commas, tabs or lines (an Excel column). */
  text?: string;
  /** A local calendar day `YYYY-MM-DD`: every code with something recorded that day. */
  day?: string;
  symptom?: Symptom;
  /** Ask the imaging endpoint too (default true). */
  askServer?: boolean;
  /** Which page of the codes to trace (1-based, `maxLookupCodes` a page, in a stable order); 1 when absent. */
  page?: number;
}

/** The answer to a look-up: one trace per code, and what could not be turned into a code. */
export interface LookupResult {
  traces: CodeTrace[];
  /** Bill numbers resolved through the covers made here. */
  resolved: Array<{ billNo: string; codes: string[] }>;
  /** Entries that are neither a known bill number nor a valid image code. */
  unresolved: string[];
  /** Codes after this page that were not traced (see the next page). */
  leftOut: number;
  /** Every code the look-up found (text and day), counted up to `maxDayCodes`. */
  total: number;
  /** More than `maxDayCodes` codes were on the day: `total` stops there. */
  totalCapped: boolean;
  /** This page (1-based) and how many pages the codes fill. */
  page: number;
  pages: number;
  /** The 1-based position of this page's first code among all of them (0 when there are none). */
  first: number;
}

/** A bill this station uploaded, with what the server says of it now (after a refresh). */
export interface RecentBill {
  code: string;
  billId: string;
  stackId: string;
  source: string;
  pages: number;
  closedAt: string;
  round: number;
  server: { status: BillState['status']; imageState: BillState['imageState']; round: number; pageCount: number | null; matches: boolean; returned: BillState['returned']; checkedAt: string } | null;
  serverError: { code: ErrorCode; params: MessageParams } | null;
}

/** One look-up answers at most this many codes (a pasted column of a day's bills fits): one page. */
export const maxLookupCodes = 200;
/** A day's codes are counted up to this many (a busy desk scans a few thousand a day). */
export const maxDayCodes = 100_000;
/** Failures that are the station's or the network's, not one bill's: the same for every code. */
const stationWide: ReadonlySet<string> = new Set(['imaging-unreachable', 'imaging-timeout', 'imaging-auth-failed', 'imaging-clock-skew', 'imaging-bad-answer', 'secret-unreadable', 'folder-unwritable']);

/** Server queries in flight at once. */
const queryConcurrency = 4;

/** What the support service needs from the rest of core. */
export interface SupportServiceOptions {
  auditFile: string;
  spool: Spool;
  stacksDir: string;
  upload: UploadQueue;
  endpoint: EndpointService;
  returned: ReturnedBills;
  log: Logger;
  now: () => Date;
  /** Minutes to subtract from UTC for the local day (Date#getTimezoneOffset); injected for tests. */
  timezoneOffset?: () => number;
}

/** Runs `work` over `items` with at most `limit` at once, keeping order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

const errorOf = (error: unknown): { code: ErrorCode; params: MessageParams } => (error instanceof CoreError ? { code: error.code, params: error.params } : { code: 'internal-error', params: { reason: String(error).slice(0, 200) } });

/** The "no image" troubleshooter and the uploaded bills' status: answers from the station's records and the server. */
export function createSupportService(options: SupportServiceOptions) {
  const offset = options.timezoneOffset ?? (() => new Date().getTimezoneOffset());

  /** The station's bills for some codes, with their upload manifests, in one pass over the spool. */
  const collectBills = async (codes: ReadonlySet<string>): Promise<Map<string, TracedBill[]>> => {
    const found = new Map<string, TracedBill[]>([...codes].map((code) => [code, []]));
    for (const stack of await options.spool.listStacks()) {
      const manifests = await readStackManifests(options.stacksDir, stack.id);
      const candidates = new Set([...stack.bills.map((bill) => bill.code), ...[...manifests.values()].map((manifest) => manifest.code)]);
      if (![...candidates].some((code) => code && codes.has(code))) continue;
      for (const bill of stack.bills) {
        const manifest = manifests.get(bill.id) ?? null;
        const code = manifest?.code ?? bill.code;
        if (!code || !codes.has(code)) continue;
        found.get(code)?.push(tracedBill(stack.source.name, stack.importedAt, bill, manifest));
      }
    }
    return found;
  };

  const tracedBill = (source: string, importedAt: string, bill: { id: string; stackId: string; pages: number[]; state: TracedBill['state']; held: TracedBill['heldReason'] }, manifest: UploadManifest | null): TracedBill => ({
    billId: bill.id,
    stackId: bill.stackId,
    source,
    importedAt,
    pages: bill.pages,
    state: bill.state,
    heldReason: bill.held,
    upload: manifest
      ? {
          state: manifest.state,
          pages: manifest.pages.length,
          sent: manifest.pages.filter((page) => page.receipt).length,
          attempts: manifest.attempts,
          nextAttemptAt: manifest.nextAttemptAt,
          lastError: manifest.lastError,
          held: manifest.held,
          closedAt: manifest.closedAt,
          round: manifest.round ?? 1,
          receipts: manifest.pages.flatMap((page) => (page.receipt ? [{ page: page.page, receiptId: page.receipt.receiptId, sha256: page.receipt.sha256, receivedAt: page.receipt.receivedAt }] : [])),
          sha256: manifest.pages.map((page) => page.sha256),
        }
      : null,
  });

  /** The adapter for queries (no gate: asking changes nothing), or why there is none. */
  const queryAdapter = async (): Promise<{ adapter: ImagingAdapter } | { error: { code: ErrorCode; params: MessageParams } }> => {
    try {
      return { adapter: await options.endpoint.openAdapter('query') };
    } catch (error) {
      return { error: errorOf(error) };
    }
  };

  /** Records a return the server reports (the Scan desk then lists it first), once. */
  const noticeReturn = async (state: BillState, listReasons: () => Promise<RescanReason[]>) => {
    if (await noticeReturnedState(options.returned, state, options.now(), (record) => options.spool.audit(record), listReasons)) options.log.info('support.returned-noticed', { code: state.imageCode, round: state.round });
  };

  /** Asks the server about each code (a few at a time); a failure is that code's answer, not the look-up's. */
  const askServer = async (codes: string[]): Promise<Map<string, { state: BillState } | { error: { code: ErrorCode; params: MessageParams } }>> => {
    const answers = new Map<string, { state: BillState } | { error: { code: ErrorCode; params: MessageParams } }>();
    const opened = await queryAdapter();
    if ('error' in opened) {
      for (const code of codes) answers.set(code, opened);
      return answers;
    }
    // The rescan reasons are asked for at most once per look-up, and only when a new return needs a name.
    let reasons: Promise<RescanReason[]> | undefined;
    const listReasons = () => (reasons ??= opened.adapter.listRescanReasons());
    const ask = async (code: string) => {
      try {
        const state = await opened.adapter.queryBill(code);
        await noticeReturn(state, listReasons);
        answers.set(code, { state });
      } catch (error) {
        answers.set(code, { error: errorOf(error) });
      }
    };
    // The first code alone: a server that cannot be reached (or refuses the station) answers every code
    // the same, at once — not 200 timeouts of 15 s each.
    const [first, ...rest] = codes;
    if (first === undefined) return answers;
    await ask(first);
    const failed = answers.get(first);
    if (failed && 'error' in failed && stationWide.has(failed.error.code)) {
      for (const code of rest) answers.set(code, failed);
      return answers;
    }
    await mapLimited(rest, queryConcurrency, ask);
    return answers;
  };

  /** Traces some codes: the station's records, the server's view, the verdict. */
  const trace = async (codes: string[], symptom: Symptom, ask: boolean): Promise<CodeTrace[]> => {
    const set = new Set(codes);
    const [history, bills, queue, view] = await Promise.all([readCodeHistory(options.auditFile, set), collectBills(set), options.upload.status(), options.endpoint.readSettings()]);
    const mode = view.settings.mode;
    // In sync-to-submitter mode no scan station uploads: the server is not asked on its behalf.
    const answers = ask && mode !== 'sync-to-submitter' ? await askServer(codes) : new Map();
    // Read after the server was asked: a return it just reported is already on the list.
    const returned = await options.returned.list();
    return codes.map((code) => {
      const lines = history.get(code) ?? [];
      const stationBills = bills.get(code) ?? [];
      const openReturn = returned.find((entry) => entry.code === code && !entry.resolved) ?? null;
      const station: StationView = {
        seen: stationBills.length > 0,
        coversMade: lines.filter((line) => line.event === 'cover-made').map((line) => ({ at: line.time, billNo: line.billNo ?? null, source: line.source ?? null })),
        templateChecks: lines.filter((line) => line.event === 'template-checked').map((line) => ({ at: line.time, source: line.source ?? null, verdict: line.reason ?? null })),
        bills: stationBills,
        queue: { state: queue.state, reason: queue.reason, nextAttemptAt: queue.nextAttemptAt },
        mode,
        returned: openReturn,
        discarded: (() => {
          const line = lines.filter((entry) => entry.event === 'discarded').at(-1);
          return line ? { at: line.time, bill: line.bill ?? null, source: line.source ?? null, by: line.by ?? null } : null;
        })(),
      };
      const answer = answers.get(code);
      let server: ServerView | null = null;
      if (answer && 'state' in answer) server = serverViewOf(answer.state, comparedBill(stationBills)?.upload?.sha256 ?? []);
      const serverError = answer && 'error' in answer ? answer.error : null;
      const judged = judgeTrace({ code, symptom, station, server, serverError });
      return { code, ...judged, station, server, serverError, erp: erpViewOf(server), timeline: buildTimeline(lines, server) };
    });
  };

  /**
   * A look-up's codes in a stable order: the typed codes and resolved bill numbers first, then the day's
   * in the order the audit log first names them (it only grows at its end), counted up to `maxDayCodes`.
   */
  const resolveCodes = async (request: LookupRequest, signal?: AbortSignal): Promise<{ all: string[]; totalCapped: boolean; resolved: LookupResult['resolved']; unresolved: string[] }> => {
    const parsed = parseLookupText(request.text ?? '');
    const codes = new Set<string>();
    const resolved: LookupResult['resolved'] = [];
    const unresolved: string[] = [...parsed.invalid];
    // Bill numbers first (covers made here name them), so a number shaped like a code still resolves.
    const byNumber = await findCodesByBillNumber(options.auditFile, new Set([...parsed.codes, ...parsed.other]), signal);
    for (const entry of [...parsed.codes, ...parsed.other]) {
      const found = byNumber.get(entry);
      if (found) {
        resolved.push({ billNo: entry, codes: found });
        for (const code of found) codes.add(code);
      } else if (parsed.codes.includes(entry)) codes.add(entry);
      else unresolved.push(entry);
    }
    if (request.day) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(request.day)) throw new CoreError('invalid-arguments', {});
      for (const code of await findCodesByDay(options.auditFile, request.day, offset(), maxDayCodes + 1, signal)) codes.add(code);
    }
    const all = [...codes];
    const totalCapped = all.length > maxDayCodes;
    if (totalCapped) all.length = maxDayCodes;
    return { all, totalCapped, resolved, unresolved };
  };

  return {
    /** Answers a look-up: parses the text, resolves bill numbers and the day, and traces one page of the codes. */
    async lookup(request: LookupRequest): Promise<LookupResult> {
      const found = await resolveCodes(request);
      const pages = Math.max(1, Math.ceil(found.all.length / maxLookupCodes));
      const page = Math.min(Math.max(1, Math.floor(request.page ?? 1)), pages);
      const start = (page - 1) * maxLookupCodes;
      const slice = found.all.slice(start, start + maxLookupCodes);
      const traces = await trace(slice, request.symptom ?? 'no-image', request.askServer ?? true);
      const leftOut = Math.max(0, found.all.length - start - slice.length);
      options.log.info('support.lookup', { codes: traces.length, total: found.all.length, page, leftOut });
      return { traces, resolved: found.resolved, unresolved: found.unresolved, leftOut, total: found.all.length, totalCapped: found.totalCapped, page, pages, first: slice.length ? start + 1 : 0 };
    },
    /**
     * Traces every code of a look-up, a page at a time, at most `limit` codes (the CLI's `doctor --all`):
     * the codes are resolved once; `onPage` hears each page's progress; an aborted `signal` stops after
     * the page being traced (the answer holds what was traced, `leftOut` the rest).
     */
    async lookupAll(request: LookupRequest, control: { limit: number; onPage?: (done: number, of: number) => void; signal?: AbortSignal }): Promise<LookupResult> {
      const found = await resolveCodes(request, control.signal);
      const bound = found.all.slice(0, control.limit);
      const traces: CodeTrace[] = [];
      for (let start = 0; start < bound.length && !control.signal?.aborted; start += maxLookupCodes) {
        traces.push(...(await trace(bound.slice(start, start + maxLookupCodes), request.symptom ?? 'no-image', request.askServer ?? true)));
        control.onPage?.(traces.length, bound.length);
      }
      options.log.info('support.lookup-all', { codes: traces.length, total: found.all.length });
      return { traces, resolved: found.resolved, unresolved: found.unresolved, leftOut: found.all.length - traces.length, total: found.all.length, totalCapped: found.totalCapped, page: 1, pages: 1, first: traces.length ? 1 : 0 };
    },
    /**
     * Re-sends a lost close (the `close-lost` verdict: every page on the server, the station's close
     * recorded, the server still at 上传影像中 / 影像重传) with the page count and scan details the station
     * recorded, through the upload adapter (its gate applies) and the audit log. Anything else is left
     * alone: the answer says the verdict that stood in the way.
     */
    async reclose(code: string): Promise<{ resent: boolean; before: CodeTrace; after: CodeTrace }> {
      const [before] = await trace([code], 'no-image', true);
      if (!before) throw new CoreError('invalid-arguments', {});
      const bill = comparedBill(before.station.bills);
      if (before.verdict !== 'close-lost' || !bill?.upload) return { resent: false, before, after: before };
      const manifest = await readManifest(options.stacksDir, bill.stackId, bill.billId);
      if (!manifest) return { resent: false, before, after: before };
      // The same scan details the queue's close carries (recorded at intake), so the server keeps who scanned where.
      const stack = (await options.spool.listStacks()).find((candidate) => candidate.id === bill.stackId);
      const scan = stack ? scanDetailsOf(manifest, stack) : { scanUser: manifest.scan?.user ?? null, scanPoint: manifest.scan?.point ?? null, stationIp: null, scannedAt: manifest.scan?.scannedAt ?? bill.importedAt };
      const adapter = await options.endpoint.openAdapter('upload');
      const state = await adapter.closeBill(code, manifest.pages.length, scan);
      await options.spool.audit({ event: 'close-resent', stack: bill.stackId, bill: bill.billId, code, pages: manifest.pages.map((page) => page.stackPage), ...(manifest.round ? { round: manifest.round } : {}), detail: `close sent again with ${manifest.pages.length} pages; the server now says 影像状态 ${state.imageState}` });
      options.log.info('support.close-resent', { code, pages: manifest.pages.length, imageState: state.imageState });
      const [after] = await trace([code], 'no-image', true);
      return { resent: true, before, after: after ?? before };
    },
    /** Traces codes given as a list (the CLI's `doctor CODE…`). */
    traceCodes: (codes: string[], symptom: Symptom = 'no-image', ask = true) => trace(codes.slice(0, maxLookupCodes), symptom, ask),
    /** Every bill this station uploaded and closed between two times (ISO), newest first, at most `limit`. */
    async recent(range: { from: string; to: string }, limit = 500): Promise<RecentBill[]> {
      const found: RecentBill[] = [];
      for (const stack of await options.spool.listStacks()) {
        for (const manifest of (await readStackManifests(options.stacksDir, stack.id)).values()) {
          if (manifest.state !== 'done' || !manifest.closedAt || manifest.closedAt < range.from || manifest.closedAt > range.to) continue;
          found.push({ code: manifest.code, billId: manifest.billId, stackId: stack.id, source: stack.source.name, pages: manifest.pages.length, closedAt: manifest.closedAt, round: manifest.round ?? 1, server: null, serverError: null });
        }
      }
      return found.sort((a, b) => b.closedAt.localeCompare(a.closedAt)).slice(0, limit);
    },
    /** Asks the server about uploaded bills now: open, closed, or returned for a rescan (recorded for the Scan desk). */
    async refresh(bills: RecentBill[]): Promise<RecentBill[]> {
      const codes = [...new Set(bills.map((bill) => bill.code))].slice(0, maxLookupCodes);
      const answers = await askServer(codes);
      const sent = await collectBills(new Set(codes));
      const at = options.now().toISOString();
      return bills.map((bill) => {
        const answer = answers.get(bill.code);
        if (!answer) return bill;
        if ('error' in answer) return { ...bill, server: null, serverError: answer.error };
        const mine = sent.get(bill.code)?.find((candidate) => candidate.billId === bill.billId)?.upload?.sha256 ?? [];
        const compare = comparePages(mine, answer.state.pages);
        const matches = answer.state.round === bill.round && compare.same.length === mine.length && compare.extra.length === 0;
        return { ...bill, server: { status: answer.state.status, imageState: answer.state.imageState, round: answer.state.round, pageCount: answer.state.pageCount, matches, returned: answer.state.returned, checkedAt: at }, serverError: null };
      });
    },
    /** Bills the imaging side returned for a rescan, open ones first. */
    returnedBills: (): Promise<ReturnedBill[]> => options.returned.list(),
  };
}

/** The troubleshooter's service. */
export type SupportService = ReturnType<typeof createSupportService>;

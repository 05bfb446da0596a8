import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { defaultCodeRules } from '../codes/image-code-rules.js';
import { causeParams, CoreError } from '../base/errors.js';
import { assertWatchableFolder } from '../app/paths.js';
import type { DeskSettingsStore } from './desk-settings.js';
import type { z } from 'zod';
import type { watchReportSchema } from '../../shared/ipc-contract.js';
import { createWatchIntake, type WatchIntake } from '../intake/watch-intake.js';
import type { WatchFailure } from '../intake/watch-report.js';
import { createPageReaderPool } from '../split/page-reader-pool.js';
import type { Logger } from '../log/logger.js';
import type { PrefsStore } from '../prefs/prefs-store.js';
import type { ScanIdentity, StackScan } from './scan-identity.js';
import { claimFileName, findNameProblem } from '../../shared/file-names.js';
import { createSpoolIndex, indexSpool, type IndexedStack, type SpoolIndex } from '../spool/spool-index.js';
import { countStation, emptyStationCounts, startOfDay, type CountedStack, type StationCounts } from '../../shared/station/bill-status.js';
import { createSpool, type IngestOutcome, type Spool } from '../spool/spool.js';
import type { BillAction } from '../spool/bill-edits.js';
import { pagesRemovedFile } from '../spool/recycle.js';
import { pagesLeftOut, type IngestProgress, type SpoolBill, type StackRecord } from '../spool/stack-record.js';

/** The watched folder's status, recent events and the spool's revision. */
export type WatchReport = z.output<typeof watchReportSchema>;

/** One page as the Scan desk shows it: number, what it is, and its thumbnail. */
export interface DeskPage {
  page: number;
  kind: StackRecord['pages'][number]['kind'];
  thumbPng: string;
  qr: Array<{ x: number; y: number }> | null;
  /** A page copied in from another file (orphan pages given, a copy merged): that file's name and page. */
  from?: { source: string; page: number };
}

/** A stack on the Scan desk: its source, its pages (thumbnails) and its bills. */
export interface DeskStack {
  id: string;
  name: string;
  importedAt: string;
  pages: DeskPage[];
  bills: SpoolBill[];
  orphans: number[];
  blank: number[];
  leftOut: Record<string, number[]>;
  /** Who scanned it where, as recorded at intake (null: taken in before it was recorded). */
  scan: StackScan | null;
}

/** What the Scan desk page drives: taking files in, seeing stacks and bills, acting on held bills. */
export interface ScanDeskService {
  /** Takes an uploaded file (a drop on the page) into the spool, exactly as a watched file. */
  importUpload(name: string, bytes: Uint8Array): Promise<IngestOutcome>;
  /** Takes several page images dropped at once into the spool as one stack, in the order given. */
  importPages(files: Array<{ name: string; bytes: Uint8Array }>): Promise<IngestOutcome>;
  /** The clerk's "batch complete": the watch closes its open batch into a stack now (null batch: nothing to do). */
  closeBatch(): Promise<WatchReport>;
  /** The newest stacks first, with thumbnails. */
  overview(limit?: number): Promise<DeskStack[]>;
  changeBill(billId: string, change: BillAction): Promise<SpoolBill>;
  /** One stored page as it will be uploaded (a data URL), with its QR box, for the large view. */
  pageImage(stackId: string, page: number): Promise<{ image: string; qr: DeskPage['qr'] }>;
  /** Where the watched scan folder stands; `revision` changes whenever the spool does. */
  watchReport(): Promise<WatchReport>;
  /** Watches `folder` (null: none), or pauses watching it; remembered in the preferences. */
  setWatch(folder: string | null, paused: boolean): Promise<WatchReport>;
  /** How this station splits stacks (rule, expected codes, blank threshold, cover as page 1). */
  settings: DeskSettingsStore;
  /** The spool itself (the upload queue sends from it), its reading side served from the index. */
  spool: Spool;
  /** The spool's stacks and uploads in memory, kept by every change (the upload queue reads and reports through it). */
  index: SpoolIndex;
  /** Marks the spool as changed (the upload queue's progress shows on the page). */
  touch(): void;
  /** The station's counts from the one status model (read once per revision). */
  counts(): Promise<StationCounts>;
  /** Tells `listener` every change (revision and counts), pushed a moment after it; returns the unsubscribe. */
  onChanged(listener: (change: { revision: number; counts: StationCounts }) => void): () => void;
  /** Releases every bill waiting for review. */
  releaseReviewed(): Promise<SpoolBill[]>;
  /** Recovers the spool and builds its index now (a station that runs all day: the first look is then quick). */
  prepare(): Promise<void>;
  /** Stops watching (the current file is finished first). */
  close(): Promise<void>;
}

/**
 * Creates the service over `<data>/spool`; uploads pass through `<tmp>/uploads` and are removed after.
 * `ownFolders` (the data folder, the spool) are never watched, nor any folder inside or around them.
 */
export function createScanDeskService(options: { spoolDir: string; tmpDir: string; ownFolders: string[]; log: Logger; now: () => Date; prefs: PrefsStore; settings: DeskSettingsStore; scanner?: ScanIdentity; settleMs?: number; pollMs?: number }): ScanDeskService {
  // Page readers start with the first intake and sleep (unreferenced) when idle.
  const pool = createPageReaderPool();
  // Every write the spool makes to a stack is told by the spool itself: to the index, and to the
  // revision the screens reload by (a source closed in the quiet gap is no watch event, yet it
  // releases the stack's last bill).
  const files = createSpool({
    dir: options.spoolDir,
    log: options.log,
    now: options.now,
    rules: defaultCodeRules,
    pool,
    settings: options.settings.resolve,
    scan: options.scanner?.current,
    onStackChanged: (id) => {
      index.changed(id);
      bump();
    },
  });
  // What the screens show is read from the index: each stack read once, again only after it changed.
  const index = createSpoolIndex({ stacksDir: path.join(options.spoolDir, 'stacks'), findStack: (id) => files.findStack(id) });
  const spool = indexSpool(files, index);
  let recovered: Promise<unknown> | null = null;
  // A start that failed (data folder unwritable, say) is tried again at the next call, not remembered.
  const ready = () =>
    (recovered ??= spool.recover().catch((error: unknown) => {
      recovered = null;
      throw error;
    }));
  let revision = 0;
  /** The dropped file being taken in, page by page (shown like a watched one). */
  let dropping: IngestProgress | null = null;
  /** Batches the clerk asked to close from this process (shown "closing…" until the watch closes them). */
  const closeAsked = new Set<string>();
  const listeners = new Set<(change: { revision: number; counts: StationCounts }) => void>();
  let pushing: NodeJS.Timeout | null = null;
  /**
   * The spool or the queue changed: the revision moves at once, and the listeners (the window, the
   * browser tabs) hear it within a moment with the new counts (a burst of changes is one push).
   */
  const bump = () => {
    revision += 1;
    if (listeners.size === 0 || pushing) return;
    pushing = setTimeout(() => {
      pushing = null;
      const at = revision;
      void countBills().then(
        (counts) => {
          for (const listener of listeners) listener({ revision: at, counts });
        },
        () => undefined,
      );
    }, 50);
    pushing.unref?.();
  };
  const recent: WatchReport['recent'] = [];
  const remember = (entry: WatchReport['recent'][number]) => {
    recent.unshift(entry);
    recent.length = Math.min(recent.length, 20);
  };

  // The watch loop: one look at a time, chained by a timer; a look in progress is awaited on close.
  let watcher: { intake: WatchIntake; folder: string; paused: boolean } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let looking: Promise<void> = Promise.resolve();
  let closed = false;
  /** Looks that failed in a row outside the watch's own look (the spool could not start): the desk says so after two. */
  let failedLooks: { key: string; count: number; since: string; error: WatchFailure } | null = null;
  const schedule = () => {
    if (closed || !watcher || watcher.paused) return;
    timer = setTimeout(() => {
      timer = null;
      looking = lookNow().finally(schedule);
    }, options.pollMs ?? 1000);
    timer.unref?.();
  };
  const lookNow = async () => {
    const current = watcher;
    if (!current || current.paused) return;
    try {
      await ready();
      failedLooks = null;
      const events = await current.intake.lookOnce(() => closed || watcher !== current || current.paused);
      for (const event of events) {
        bump();
        const at = options.now().toISOString();
        const name = path.basename(event.file);
        // A page joining the open batch is shown by the batch line ("receiving… 12 pages"), not one line a page.
        if (event.kind === 'batched') continue;
        if (event.kind === 'taken') remember({ at, kind: event.outcome.status === 'already' ? 'already' : 'taken', name, error: null });
        else remember({ at, kind: event.kind, name, error: { code: event.error.code, message: event.error.message, params: event.error.params } });
      }
    } catch (error) {
      options.log.error('intake.watch-failed', { error: String(error) });
      const failure = error instanceof CoreError ? error : new CoreError('watch-look-failed', { folder: current.folder, ...causeParams(error) }, { cause: error });
      const key = `${failure.code}:${String(failure.params['reason'] ?? '')}`;
      failedLooks = failedLooks?.key === key ? { ...failedLooks, count: failedLooks.count + 1 } : { key, count: 1, since: options.now().toISOString(), error: { code: failure.code, message: failure.message, params: failure.params } };
    }
  };
  const startWatching = (folder: string | null, paused: boolean) => {
    if (timer) clearTimeout(timer);
    timer = null;
    failedLooks = null;
    watcher = folder ? { intake: createWatchIntake({ folder, spool, log: options.log, settleMs: options.settleMs ?? 2000, batchGapMs: async () => (await options.settings.read()).batchGapSeconds * 1000 }), folder, paused } : null;
    schedule();
  };
  // Counts are read from the spool once per revision, not on every poll.
  // The one status model counts them (the same words and numbers everywhere); "sent today" also moves at midnight.
  let counted: { revision: number; day: number; counts: StationCounts } | null = null;
  const countBills = async (): Promise<StationCounts> => {
    const day = startOfDay(options.now());
    if (counted?.revision === revision && counted.day === day) return counted.counts;
    const at = revision;
    await ready();
    const stacks: CountedStack[] = [];
    for (const id of await index.ids()) {
      const stack = await index.summary(id);
      if (!stack) continue;
      stacks.push({ orphans: stack.orphans, bills: stack.bills.map((bill) => ({ bill: { state: bill.state, held: bill.held }, upload: bill.upload ? { state: bill.upload } : null, closedAt: bill.closedAt })) });
    }
    const counts = countStation(stacks, options.now());
    counted = { revision: at, day, counts };
    return counts;
  };
  const report = async (): Promise<WatchReport> => {
    const status: WatchReport['status'] =
      !watcher ? { state: 'off' }
      : watcher.paused ? { state: 'paused', folder: watcher.folder }
      : failedLooks && failedLooks.count >= 2 ? { state: 'failing', folder: watcher.folder, since: failedLooks.since, error: failedLooks.error }
      : watcher.intake.status();
    // A spool that cannot start has no counts; the status says why.
    const batch = watcher && !watcher.paused ? watcher.intake.batch() : null;
    return {
      status,
      revision,
      counts: await countBills().catch(() => ({ ...emptyStationCounts })),
      recent,
      receiving: (watcher && !watcher.paused ? watcher.intake.receiving() : null) ?? dropping,
      batch: batch ? { pages: batch.pages, files: batch.files, first: batch.first, last: batch.last, openedAt: batch.openedAt, lastAt: batch.lastAt, closeRequested: batch.closeRequested || closeAsked.has(batch.id) } : null,
    };
  };
  /** One stack as the desk list shows it, thumbnails read once. */
  const deskStackOf = async (stack: StackRecord): Promise<DeskStack> => ({
    id: stack.id,
    name: stack.source.name,
    importedAt: stack.importedAt,
    orphans: stack.orphans,
    blank: stack.blank,
    bills: stack.bills,
    leftOut: Object.fromEntries(stack.bills.map((bill) => [bill.id, pagesLeftOut(stack, bill.id)])),
    scan: stack.scan ?? null,
    pages: await Promise.all(
      stack.pages.map(async (page) => ({
        page: page.page,
        kind: page.kind,
        qr: page.qr ?? null,
        ...(page.from ? { from: { source: page.from.source, page: page.from.page } } : {}),
        thumbPng: `data:image/png;base64,${(await fs.readFile(path.join(options.spoolDir, 'stacks', stack.id, 'thumbs', `${String(page.page).padStart(4, '0')}.png`))).toString('base64')}`,
      })),
    ),
  });
  // Built per version of a stack the index holds: a stack changed is a new entry, built again;
  // one dropped by the index is forgotten with it.
  const shown = new WeakMap<IndexedStack, Promise<DeskStack>>();
  const keepShown = (found: IndexedStack, built: Promise<DeskStack>) => {
    shown.set(found, built);
    built.catch(() => shown.delete(found));
    return built;
  };
  const settings = options.prefs.readPrefs().then(async (prefs) => {
    // A folder remembered before this check existed is not watched either.
    const folder = prefs.watchFolder ? await assertWatchableFolder(prefs.watchFolder, options.ownFolders).then(() => prefs.watchFolder ?? null, (error: unknown) => {
      options.log.warn('intake.watch-refused', { code: error instanceof CoreError ? error.code : String(error) });
      return null;
    }) : null;
    startWatching(folder, prefs.watchPaused ?? false);
  });

  return {
    settings: options.settings,
    spool,
    index,
    counts: () => countBills(),
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async releaseReviewed() {
      await ready();
      const released = await spool.releaseReviewed();
      bump();
      return released;
    },
    touch() {
      bump();
    },
    async prepare() {
      await ready();
      await index.warm();
    },
    async importUpload(name, bytes) {
      await ready();
      bump();
      const dir = path.join(options.tmpDir, 'uploads', randomBytes(6).toString('hex'));
      await fs.mkdir(dir, { recursive: true });
      // The name comes from the browser: one Windows cannot have (CON.pdf, a:b.pdf, "x.") is made safe, others kept as shown.
      const base = path.basename(name);
      const file = path.join(dir, findNameProblem(base) === null ? base : claimFileName(base, '', new Set()));
      try {
        await fs.writeFile(file, bytes);
        return await spool.ingest(file, { onProgress: (progress) => (dropping = progress) });
      } finally {
        dropping = null;
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
    async importPages(files) {
      await ready();
      bump();
      const dir = path.join(options.tmpDir, 'uploads', randomBytes(6).toString('hex'));
      await fs.mkdir(dir, { recursive: true });
      try {
        const written: Array<{ file: string; name: string }> = [];
        const taken = new Set<string>();
        for (const upload of files) {
          const base = path.basename(upload.name);
          // Each its own name in the folder, whatever the browser sent (two files may share a name).
          const safe = claimFileName(path.parse(base).name, path.extname(base), taken);
          const file = path.join(dir, safe);
          await fs.writeFile(file, upload.bytes);
          written.push({ file, name: base });
        }
        return await spool.ingestBatch(written, { onProgress: (progress) => (dropping = progress) });
      } finally {
        dropping = null;
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
    async closeBatch() {
      await settings;
      const batch = watcher?.intake.batch();
      if (!batch) return report();
      if (await spool.batches.requestClose(batch.id)) closeAsked.add(batch.id);
      // The watch closes it at its next look (the one writer of its batch): looked at now, not in a second.
      if (watcher && !watcher.paused) {
        await looking;
        looking = lookNow();
        await looking;
      }
      return report();
    },
    async overview(limit = 30) {
      await ready();
      // Only the newest stacks are read (kept in full by the index), each built once until it changes.
      const ids = (await index.ids()).slice(-limit).reverse();
      const stacks = (await Promise.all(ids.map((id) => index.get(id)))).filter((found): found is IndexedStack => found !== null);
      return Promise.all(stacks.map((found) => shown.get(found) ?? keepShown(found, deskStackOf(found.stack))));
    },
    async changeBill(billId, change) {
      await ready();
      const bill = await spool.changeBill(billId, change);
      bump();
      return bill;
    },
    async pageImage(stackId, page) {
      await ready();
      const stack = await spool.findStack(stackId);
      const stored = stack?.pages.find((candidate) => candidate.page === page);
      if (!stack || !stored) throw new CoreError('bill-not-found', { bill: `${stackId} p${page}` });
      const bytes = await fs.readFile(path.join(options.spoolDir, 'stacks', stack.id, stored.file)).catch(async (error: unknown) => {
        // Deleted after its upload (the retention of uploaded pages): the thumbnail and receipts remain.
        if (await fs.stat(path.join(options.spoolDir, 'stacks', stack.id, pagesRemovedFile)).then(() => true, () => false)) throw new CoreError('page-removed', { page });
        throw error;
      });
      return { image: `data:image/${stored.format};base64,${bytes.toString('base64')}`, qr: stored.qr ?? null };
    },
    async watchReport() {
      await settings;
      return report();
    },
    async setWatch(folder, paused) {
      await settings;
      const trimmed = folder?.trim() || null;
      if (trimmed) await assertWatchableFolder(trimmed, options.ownFolders);
      await options.prefs.updatePrefs({ watchFolder: trimmed ?? undefined, watchPaused: paused });
      // A change of folder waits for the file in hand to finish; then the new folder is looked at at once.
      await looking;
      // A folder no longer watched leaves no open batch behind: its pages so far become a stack now.
      const leaving = watcher;
      if (leaving && leaving.folder !== trimmed) {
        await ready();
        await leaving.intake.closeBatchNow().catch((error: unknown) => options.log.warn('intake.batch-close-failed', { error: String(error) }));
      }
      startWatching(trimmed, paused);
      if (trimmed && !paused) {
        looking = lookNow();
        await looking;
      }
      return report();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (pushing) clearTimeout(pushing);
      listeners.clear();
      await looking;
      await pool.close();
    },
  };
}

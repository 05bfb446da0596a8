import path from 'node:path';
import { localizeError, localizeParams } from '../../shared/message-text.js';
import { defaultCodeRules, describePayload } from '../../core/codes/image-code-rules.js';
import { causeParams, CoreError } from '../../core/base/errors.js';
import { assertWatchableFolder } from '../../core/app/paths.js';
import type { BillAction } from '../../core/spool/bill-edits.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';

/** An error whose params (file names among them) are shown escaped: a name may hold line breaks or bidi controls. */
function shownError(error: CoreError): { code: string; params: Record<string, string | number> } {
  return { code: error.code, params: Object.fromEntries(Object.entries(error.params).map(([key, value]) => [key, typeof value === 'string' ? describePayload(value) : value])) };
}

/** `scan-station intake`: takes scanned stacks into the station's spool, or keeps watching a folder. */
export const intakeCommand: CliCommand = {
  name: 'intake',
  summaryKey: 'cli.intake.summary',
  usage: '<files...|folder> | --watch DIR | --close-batch',
  options: [
    { name: 'watch', type: 'string', valueName: 'DIR', helpKey: 'cli.intake.watchOption' },
    { name: 'close-batch', type: 'boolean', helpKey: 'cli.intake.closeBatchOption' },
    { name: 'settle-ms', type: 'string', valueName: 'MS', helpKey: 'cli.intake.settleOption' },
  ],
  async run({ values, positionals, json, io, t, dataDir, openCore }) {
    const watch = stringOption(values, 'watch');
    const closeBatch = values['close-batch'] === true;
    if (closeBatch ? watch !== undefined || positionals.length > 0 : (watch === undefined) === (positionals.length === 0)) return reportUsageError(io, json, t('cli.intake.usage'));
    const settleMs = Number(stringOption(values, 'settle-ms') ?? 2000);
    if (!Number.isInteger(settleMs) || settleMs < 0 || settleMs > 600_000) return reportUsageError(io, json, t('cli.check.badNumber', { option: '--settle-ms', value: String(values['settle-ms']), min: 0, max: 600000 }));
    if (watch !== undefined) {
      try {
        await assertWatchableFolder(watch, [dataDir, path.join(dataDir, 'spool')]);
      } catch (error) {
        if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
        throw error;
      }
    }
    const { createSpool } = await import('../../core/spool/spool.js');
    const { createDeskSettingsStore } = await import('../../core/desk/desk-settings.js');
    const { createPageReaderPool } = await import('../../core/split/page-reader-pool.js');
    const core = await openCore();
    // Pages are decoded and searched on both cores; this thread reads and writes.
    const pool = createPageReaderPool();
    // Each stack records who scans where as it is taken in (`desk set scan-user`, `config set scan-point`).
    const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: core.log, now: core.now, rules: defaultCodeRules, pool, settings: createDeskSettingsStore(dataDir).resolve, scan: core.scanner.current });
    try {
      if (closeBatch) return await requestBatchClose({ spool, io, json, t });
      const recovered = await spool.recover();
      const report = (file: string, outcome: Awaited<ReturnType<typeof spool.ingest>>) => {
        if (json) io.stdout(`${JSON.stringify(outcome.status === 'already' ? { file, status: 'already', stack: outcome.stackId, importedAt: outcome.importedAt } : { file, status: 'ingested', stack: outcome.stack.id, pages: outcome.stack.pages.length, bills: outcome.stack.bills.map((bill) => ({ id: bill.id, code: bill.code, held: bill.held })) })}\n`);
        else if (outcome.status === 'already') io.stdout(`${t('cli.intake.already', { file: describePayload(file), at: outcome.importedAt })}\n`);
        else io.stdout(`${t('cli.intake.ingested', { file: describePayload(file), pages: outcome.stack.pages.length, bills: outcome.stack.bills.length, held: outcome.stack.bills.filter((bill) => bill.held).length })}\n`);
      };
      if (watch === undefined) {
        let failed = false;
        // Page images given together (or a folder's files) are one stack; each PDF or multi-page TIFF is its own.
        for (const group of await groupIntakeFiles(positionals)) {
          try {
            if (group.kind === 'one') report(group.file, await spool.ingest(group.file));
            else report(group.label, await spool.ingestBatch(group.files.map((file) => ({ file, name: path.basename(file) })), { label: group.folder ? path.basename(group.label) : null }));
          } catch (error) {
            // One bad file never stops the others: even an untyped throw (a bug) is reported for its file.
            failed = true;
            io.stderr(`${localizeError(t, shownError(error instanceof CoreError ? error : new CoreError('inspection-crashed', { name: path.basename(group.label), ...causeParams(error) })))}\n`);
          }
        }
        return failed ? exitCodes.usage : exitCodes.ok;
      }
      // Watching: the same loop as the desktop app; stop between files on the first Ctrl+C/SIGTERM.
      const { createWatchIntake } = await import('../../core/intake/watch-intake.js');
      const settingsStore = createDeskSettingsStore(dataDir);
      const watcher = createWatchIntake({ folder: watch, spool, log: core.log, settleMs, batchGapMs: async () => (await settingsStore.read()).batchGapSeconds * 1000 });
      let stopping = false;
      const stopped = io.waitForStop().then(() => {
        stopping = true;
      });
      if (!json) io.stdout(`${t('cli.intake.watching', { folder: watch, recovered: recovered.removedTemp })}\n`);
      let lastState = '';
      let lastBacklog = 0;
      let lastClaims = '';
      while (!stopping) {
        for (const event of await watcher.lookOnce(() => stopping)) {
          switch (event.kind) {
            case 'taken':
              report(event.file, event.outcome);
              if (event.outcome.source === 'changed') io.stderr(`${t('cli.intake.sourceLeft', { file: event.file })}\n`);
              break;
            case 'failed':
              io.stderr(`${localizeError(t, shownError(event.error))}\n`);
              break;
            case 'refused':
              io.stderr(`${t('cli.intake.refused', { file: describePayload(event.file), reason: localizeError(t, shownError(event.error)) })}\n`);
              break;
            case 'notice':
              io.stderr(`${t('cli.intake.notice', { file: describePayload(event.file), reason: localizeError(t, shownError(event.error)) })}\n`);
              break;
            case 'batched':
              if (json) io.stdout(`${JSON.stringify({ file: event.file, status: event.status === 'added' ? 'batched' : 'already', batch: { pages: event.batch.pages, first: event.batch.first, last: event.batch.last } })}\n`);
              else io.stdout(`${t('cli.intake.batched', { file: describePayload(event.file), pages: event.batch.pages })}\n`);
              break;
          }
        }
        const status = watcher.status();
        if (status.state !== lastState) {
          if (status.state === 'unavailable') io.stderr(`${t('cli.intake.unavailable', { folder: watch, reason: t(`scanDeskPage.watch.reason.${status.reason}`) })}\n`);
          if (status.state === 'failing') io.stderr(`${t('cli.intake.failing', { folder: watch, reason: localizeError(t, new CoreError(status.error.code, status.error.params)) })}\n`);
          if (status.state === 'watching' && lastState === 'failing') io.stderr(`${t('cli.intake.recovered', { folder: watch })}\n`);
        }
        if (status.state === 'watching') {
          // Said when it changes, not at every look.
          if (status.backlog !== lastBacklog && status.backlog > 0) io.stderr(`${t('cli.intake.backlog', { folder: watch, count: status.backlog })}\n`);
          lastBacklog = status.backlog;
          const claims = status.claimedElsewhere.join('\n');
          if (claims !== lastClaims && status.claimedElsewhere.length > 0) io.stderr(`${t('cli.intake.claimedElsewhere', { folder: watch, count: status.claimedElsewhere.length, names: status.claimedElsewhere.slice(0, 5).join(', ') })}\n`);
          lastClaims = claims;
        }
        lastState = status.state;
        await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 250))]);
      }
      return exitCodes.ok;
    } finally {
      await pool.close();
      await core.close();
    }
  },
};

/** A call's files as they are taken in: a folder's files, or the page images among the files given, are one stack; every other file its own. */
async function groupIntakeFiles(positionals: string[]): Promise<Array<{ kind: 'one'; file: string; label: string } | { kind: 'batch'; files: string[]; label: string; folder: boolean }>> {
  const { promises: fs } = await import('node:fs');
  const { isLoosePageFile } = await import('../../core/intake/page-files.js');
  const { compareNatural } = await import('../../core/text/natural-order.js');
  const { isIgnoredName } = await import('../../core/document/detect-format.js');
  const groups: Array<{ kind: 'one'; file: string; label: string } | { kind: 'batch'; files: string[]; label: string; folder: boolean }> = [];
  const pages: string[] = [];
  for (const item of positionals) {
    const stat = await fs.stat(item).catch(() => null);
    if (stat?.isDirectory()) {
      const names = (await fs.readdir(item, { withFileTypes: true })).filter((entry) => entry.isFile() && !isIgnoredName(entry.name)).map((entry) => entry.name).sort(compareNatural);
      groups.push({ kind: 'batch', files: names.map((name) => path.join(item, name)), label: item, folder: true });
    } else if (stat?.isFile() && (await isLoosePageFile(item).catch(() => false))) pages.push(item);
    else groups.push({ kind: 'one', file: item, label: item });
  }
  // One page image alone is a stack of its own, as before; several are one stack in natural name order.
  if (pages.length === 1) groups.push({ kind: 'one', file: pages[0] as string, label: pages[0] as string });
  if (pages.length > 1) {
    const sorted = [...pages].sort((a, b) => compareNatural(path.basename(a), path.basename(b)));
    groups.push({ kind: 'batch', files: sorted, label: `${path.basename(sorted[0] as string)} … ${path.basename(sorted.at(-1) as string)}`, folder: false });
  }
  return groups;
}

/**
 * `intake --close-batch`: asks the watch that fills each open batch (the app's, or an `intake --watch`)
 * to close it now — a request file in the batch's own folder in the spool, which the watch reads at
 * its next look — and waits a little for the stack.
 */
async function requestBatchClose({ spool, io, json, t }: { spool: import('../../core/spool/spool.js').Spool; io: Parameters<CliCommand['run']>[0]['io']; json: boolean; t: Parameters<CliCommand['run']>[0]['t'] }): Promise<number> {
  const open = (await spool.batches.listBatches()).filter((batch) => batch.folder !== null);
  if (open.length === 0) {
    if (json) io.stdout(`${JSON.stringify({ batches: [] })}\n`);
    else io.stdout(`${t('cli.intake.noBatch')}\n`);
    return exitCodes.ok;
  }
  for (const batch of open) await spool.batches.requestClose(batch.id);
  // The watch looks every 250 ms (CLI) or every second (app): a few seconds are plenty when one runs.
  const deadline = Date.now() + 8000;
  let left = open;
  while (Date.now() < deadline) {
    const still = new Set((await spool.batches.listBatches()).map((batch) => batch.id));
    left = open.filter((batch) => still.has(batch.id));
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (json) io.stdout(`${JSON.stringify({ batches: open.map((batch) => ({ folder: batch.folder, pages: batch.pages, first: batch.first, last: batch.last, closed: !left.includes(batch) })) })}\n`);
  else for (const batch of open) io.stdout(`${t(left.includes(batch) ? 'cli.intake.batchCloseAsked' : 'cli.intake.batchClosed', { folder: batch.folder ?? '', pages: batch.pages })}\n`);
  return exitCodes.ok;
}

/** `scan-station bills`: lists the spool's bills. */
export const billsCommand: CliCommand = {
  name: 'bills',
  summaryKey: 'cli.bills.summary',
  options: [{ name: 'state', type: 'string', valueName: 'S', helpKey: 'cli.bills.stateOption' }],
  async run({ values, json, io, t, dataDir, openCore }) {
    const { createSpool } = await import('../../core/spool/spool.js');
    const { createDeskSettingsStore } = await import('../../core/desk/desk-settings.js');
    const core = await openCore();
    try {
      const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: core.log, now: core.now, rules: defaultCodeRules, settings: createDeskSettingsStore(dataDir).resolve });
      const { readStackManifests } = await import('../../core/spool/upload-manifest.js');
      const { statusOfBill, jsonStateOf } = await import('../../shared/station/bill-status.js');
      const state = stringOption(values, 'state');
      const stacks = await spool.listStacks();
      const bills: Array<{ id: string; code: string | null; state: string; status: string; pages: number; held: string | null; heldBy: unknown; source: { file: string; pages: number[] }; scan: { user: string | null; point: string | null; scannedAt: string } | null }> = [];
      for (const stack of stacks) {
        const manifests = await readStackManifests(path.join(dataDir, 'spool', 'stacks'), stack.id);
        // Who scanned it where, as recorded at intake (null: taken in before that was recorded).
        const scan = stack.scan ? { user: stack.scan.user, point: stack.scan.point, scannedAt: stack.importedAt } : null;
        // The one status model: a bill the server refused is held with the server's reason, as everywhere.
        for (const bill of stack.bills) {
          const manifest = manifests.get(bill.id);
          const info = statusOfBill(bill, manifest ? { state: manifest.state, held: manifest.held } : null);
          const held = info.held?.by === 'upload' ? info.held.code : info.status === 'receiving' ? 'source-open' : (info.held?.reason ?? null);
          bills.push({ id: bill.id, code: bill.code, state: jsonStateOf(info.status), status: info.status, pages: bill.pages.length, held, heldBy: info.held, source: { file: stack.source.name, pages: bill.pages }, scan });
        }
        if (stack.orphans.length) bills.push({ id: `${stack.id}-orphans`, code: null, state: 'held', status: 'held', pages: stack.orphans.length, held: 'orphans', heldBy: { by: 'desk', reason: 'orphans' }, source: { file: stack.source.name, pages: stack.orphans }, scan });
      }
      const shown = bills.filter((bill) => state === undefined || bill.state === state || bill.status === state);
      if (json) io.stdout(`${JSON.stringify({ bills: shown }, null, 2)}\n`);
      else
        // Orphan rows name their file: two stacks' orphans would otherwise read the same.
        for (const bill of shown) {
          const cause = bill.heldBy as { by: 'desk'; reason: string } | { by: 'upload'; code: string; params: Record<string, string | number> } | null;
          const why = !cause ? '' : cause.by === 'desk' ? ` · ${t(`split.held.${cause.reason}`)}` : cause.code === 'held-by-person' ? ` · ${t('cli.queue.heldByPerson')}` : ` · ${t(`errors.${cause.code}`, localizeParams(t, cause.params))}`;
          const who = bill.scan && (bill.scan.user || bill.scan.point) ? ` · ${t('scanDeskPage.scanned.line', { user: bill.scan.user ?? '—', point: bill.scan.point ?? '—' })}` : '';
          io.stdout(`${bill.status === 'held' ? '!' : '✔'} ${bill.id} ${bill.code ?? (bill.held === 'orphans' ? bill.source.file : '—')} · ${t(`billStatus.states.${bill.status}`)} · ${t('units.pages', { count: bill.pages })}${why}${who}\n`);
        }
      return exitCodes.ok;
    } finally {
      await core.close();
    }
  },
};

/**
 * `scan-station bill release|discard|take-orphans ID`, `bill set-code CODE ID`, `bill move-page PAGE previous|next ID`,
 * `bill exclude-page|restore-page PAGE ID`, `bill give ORPHANS-ID BILL-ID`; an orphans entry (`<stack>-orphans`) takes discard, give and mark-cover.
 */
export const billCommand: CliCommand = {
  name: 'bill',
  summaryKey: 'cli.bill.summary',
  usage: 'release|discard|take-orphans|not-a-cover|keep-copy|merge-copies <ID> | release-reviewed | set-code <CODE> <ID> | move-page <PAGE> previous|next <ID> | exclude-page|restore-page <PAGE> <ID> | mark-cover <PAGE> <CODE> <ID> | give <ORPHANS-ID> <BILL-ID>',
  options: [],
  async run({ positionals, json, io, t, dataDir, openCore }) {
    const [action, first, second, third] = positionals;
    let change: { id: string; what: BillAction } | null = null;
    const page = Number(first);
    const pageOk = Number.isInteger(page) && page >= 1;
    if (action === 'move-page' && pageOk && (second === 'previous' || second === 'next') && third) change = { id: third, what: { action, page, to: second } };
    if ((action === 'exclude-page' || action === 'restore-page') && pageOk && second && !third) change = { id: second, what: { action, page } };
    if ((action === 'release' || action === 'discard' || action === 'take-orphans' || action === 'not-a-cover' || action === 'keep-copy' || action === 'merge-copies') && first && !second) change = { id: first, what: { action } };
    const releaseAll = action === 'release-reviewed' && !first;
    if (action === 'mark-cover' && pageOk && second && third) change = { id: third, what: { action, page, code: second } };
    if (action === 'set-code' && first && second) change = { id: second, what: { action, code: first } };
    if (action === 'give' && first && second && !third) change = { id: first, what: { action: 'give-orphans', to: second } };
    if (!change && !releaseAll) return reportUsageError(io, json, t('cli.bill.usage'));
    const { createSpool } = await import('../../core/spool/spool.js');
    const { createDeskSettingsStore } = await import('../../core/desk/desk-settings.js');
    const core = await openCore();
    try {
      const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: core.log, now: core.now, rules: defaultCodeRules, settings: createDeskSettingsStore(dataDir).resolve });
      if (!change) {
        const released = await spool.releaseReviewed();
        if (json) io.stdout(`${JSON.stringify({ released: released.map((bill) => ({ id: bill.id, code: bill.code, state: bill.state })) })}\n`);
        else io.stdout(`${t('cli.bill.releasedReviewed', { count: released.length })}\n`);
        return exitCodes.ok;
      }
      // The file is read before the change: discarding a stack's last pages recycles it.
      const before = await spool.findStack(change.id.replace(/-(\d+|orphans)$/, ''));
      const bill = await spool.changeBill(change.id, change.what);
      if (json) io.stdout(`${JSON.stringify({ bill: { id: bill.id, code: bill.code, state: bill.state, held: bill.held, pages: bill.pages } })}\n`);
      else {
        // Said by image code (or the file's pages before its first cover), never by internal id.
        const stack = bill.stackId === before?.id ? before : await spool.findStack(bill.stackId);
        const file = stack?.source.name ?? '';
        if (bill.held === 'orphans') io.stdout(`${t('cli.bill.orphansDone', { file, count: bill.pages.length })}\n`);
        else io.stdout(`${t('cli.bill.done', { bill: bill.code ?? `${file} p${bill.cover ?? '?'}`, state: t(`cli.bill.states.${bill.state}`) })}\n`);
      }
      return exitCodes.ok;
    } catch (error) {
      if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
      throw error;
    } finally {
      await core.close();
    }
  },
};

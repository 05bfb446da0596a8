import path from 'node:path';
import { localizeError, localizeParams } from '../../shared/message-text.js';
import { defaultCodeRules, describePayload } from '../../core/cover/image-code-rules.js';
import { causeParams, CoreError } from '../../core/errors.js';
import { assertWatchableFolder } from '../../core/paths.js';
import type { BillAction } from '../../core/spool/spool.js';
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
  usage: '<files...> | --watch DIR',
  options: [
    { name: 'watch', type: 'string', valueName: 'DIR', helpKey: 'cli.intake.watchOption' },
    { name: 'settle-ms', type: 'string', valueName: 'MS', helpKey: 'cli.intake.settleOption' },
  ],
  async run({ values, positionals, json, io, t, dataDir, openCore }) {
    const watch = stringOption(values, 'watch');
    if ((watch === undefined) === (positionals.length === 0)) return reportUsageError(io, json, t('cli.intake.usage'));
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
    const { createDeskSettingsStore } = await import('../../core/spool/desk-settings.js');
    const { createPageReaderPool } = await import('../../core/split/page-reader-pool.js');
    const core = await openCore();
    // Pages are decoded and searched on both cores; this thread reads and writes.
    const pool = createPageReaderPool();
    const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: core.log, now: core.now, rules: defaultCodeRules, pool, settings: createDeskSettingsStore(dataDir).resolve });
    try {
      const recovered = await spool.recover();
      const report = (file: string, outcome: Awaited<ReturnType<typeof spool.ingest>>) => {
        if (json) io.stdout(`${JSON.stringify(outcome.status === 'already' ? { file, status: 'already', stack: outcome.stackId, importedAt: outcome.importedAt } : { file, status: 'ingested', stack: outcome.stack.id, pages: outcome.stack.pages.length, bills: outcome.stack.bills.map((bill) => ({ id: bill.id, code: bill.code, held: bill.held })) })}\n`);
        else if (outcome.status === 'already') io.stdout(`${t('cli.intake.already', { file: describePayload(file), at: outcome.importedAt })}\n`);
        else io.stdout(`${t('cli.intake.ingested', { file: describePayload(file), pages: outcome.stack.pages.length, bills: outcome.stack.bills.length, held: outcome.stack.bills.filter((bill) => bill.held).length })}\n`);
      };
      if (watch === undefined) {
        let failed = false;
        for (const file of positionals) {
          try {
            report(file, await spool.ingest(file));
          } catch (error) {
            // One bad file never stops the others: even an untyped throw (a bug) is reported for its file.
            failed = true;
            io.stderr(`${localizeError(t, shownError(error instanceof CoreError ? error : new CoreError('inspection-crashed', { name: path.basename(file), ...causeParams(error) })))}\n`);
          }
        }
        return failed ? exitCodes.usage : exitCodes.ok;
      }
      // Watching: the same loop as the desktop app; stop between files on the first Ctrl+C/SIGTERM.
      const { createWatchIntake } = await import('../../core/intake/watch-intake.js');
      const watcher = createWatchIntake({ folder: watch, spool, log: core.log, settleMs });
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

/** `scan-station bills`: lists the spool's bills. */
export const billsCommand: CliCommand = {
  name: 'bills',
  summaryKey: 'cli.bills.summary',
  options: [{ name: 'state', type: 'string', valueName: 'S', helpKey: 'cli.bills.stateOption' }],
  async run({ values, json, io, t, dataDir, openCore }) {
    const { createSpool } = await import('../../core/spool/spool.js');
    const { createDeskSettingsStore } = await import('../../core/spool/desk-settings.js');
    const core = await openCore();
    try {
      const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: core.log, now: core.now, rules: defaultCodeRules, settings: createDeskSettingsStore(dataDir).resolve });
      const { readStackManifests } = await import('../../core/upload/upload-manifest.js');
      const { statusOfBill, jsonStateOf } = await import('../../shared/station/bill-status.js');
      const state = stringOption(values, 'state');
      const stacks = await spool.listStacks();
      const bills: Array<{ id: string; code: string | null; state: string; status: string; pages: number; held: string | null; heldBy: unknown; source: { file: string; pages: number[] } }> = [];
      for (const stack of stacks) {
        const manifests = await readStackManifests(path.join(dataDir, 'spool', 'stacks'), stack.id);
        // The one status model: a bill the server refused is held with the server's reason, as everywhere.
        for (const bill of stack.bills) {
          const manifest = manifests.get(bill.id);
          const info = statusOfBill(bill, manifest ? { state: manifest.state, held: manifest.held } : null);
          const held = info.held?.by === 'upload' ? info.held.code : info.status === 'receiving' ? 'source-open' : (info.held?.reason ?? null);
          bills.push({ id: bill.id, code: bill.code, state: jsonStateOf(info.status), status: info.status, pages: bill.pages.length, held, heldBy: info.held, source: { file: stack.source.name, pages: bill.pages } });
        }
        if (stack.orphans.length) bills.push({ id: `${stack.id}-orphans`, code: null, state: 'held', status: 'held', pages: stack.orphans.length, held: 'orphans', heldBy: { by: 'desk', reason: 'orphans' }, source: { file: stack.source.name, pages: stack.orphans } });
      }
      const shown = bills.filter((bill) => state === undefined || bill.state === state || bill.status === state);
      if (json) io.stdout(`${JSON.stringify({ bills: shown }, null, 2)}\n`);
      else
        for (const bill of shown) {
          const cause = bill.heldBy as { by: 'desk'; reason: string } | { by: 'upload'; code: string; params: Record<string, string | number> } | null;
          const why = !cause ? '' : cause.by === 'desk' ? ` · ${t(`split.held.${cause.reason}`)}` : cause.code === 'held-by-person' ? ` · ${t('cli.queue.heldByPerson')}` : ` · ${t(`errors.${cause.code}`, localizeParams(t, cause.params))}`;
          io.stdout(`${bill.status === 'held' ? '!' : '✔'} ${bill.id} ${bill.code ?? '—'} · ${t(`billStatus.states.${bill.status}`)} · ${t('units.pages', { count: bill.pages })}${why}\n`);
        }
      return exitCodes.ok;
    } finally {
      await core.close();
    }
  },
};

/** `scan-station bill release|discard|take-orphans ID`, `bill set-code CODE ID`, `bill move-page PAGE previous|next ID`, `bill exclude-page|restore-page PAGE ID`. */
export const billCommand: CliCommand = {
  name: 'bill',
  summaryKey: 'cli.bill.summary',
  usage: 'release|discard|take-orphans|not-a-cover|keep-copy|merge-copies <ID> | release-reviewed | set-code <CODE> <ID> | move-page <PAGE> previous|next <ID> | exclude-page|restore-page <PAGE> <ID> | mark-cover <PAGE> <CODE> <ID>',
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
    if (!change && !releaseAll) return reportUsageError(io, json, t('cli.bill.usage'));
    const { createSpool } = await import('../../core/spool/spool.js');
    const { createDeskSettingsStore } = await import('../../core/spool/desk-settings.js');
    const core = await openCore();
    try {
      const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: core.log, now: core.now, rules: defaultCodeRules, settings: createDeskSettingsStore(dataDir).resolve });
      if (!change) {
        const released = await spool.releaseReviewed();
        if (json) io.stdout(`${JSON.stringify({ released: released.map((bill) => ({ id: bill.id, code: bill.code, state: bill.state })) })}\n`);
        else io.stdout(`${t('cli.bill.releasedReviewed', { count: released.length })}\n`);
        return exitCodes.ok;
      }
      const bill = await spool.changeBill(change.id, change.what);
      if (json) io.stdout(`${JSON.stringify({ bill: { id: bill.id, code: bill.code, state: bill.state, held: bill.held, pages: bill.pages } })}\n`);
      else io.stdout(`${t('cli.bill.done', { id: bill.id, state: t(`cli.bill.states.${bill.state}`) })}\n`);
      return exitCodes.ok;
    } catch (error) {
      if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
      throw error;
    } finally {
      await core.close();
    }
  },
};

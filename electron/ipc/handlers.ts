import type { z } from 'zod';
import type { PrintPage } from '../core/cover/cover-service.js';
import { CoreError } from '../core/base/errors.js';
import type { Core } from '../core/create-core.js';
import { summarizeIntake } from '../core/desk/intake-summary.js';
import { preflightStepIds } from '../shared/endpoint/endpoint-settings.js';
import type {
  Channel,
  EventName,
  EventPayload,
  ParsedArgsOf,
  runtimeSchema,
  ValueOf,
} from '../shared/ipc-contract.js';

/** What a handler may do besides returning: push events to the caller's window. */
export interface HandlerContext {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

/** One implementation per contract channel; the compiler rejects a missing or extra one. */
export type HandlerTable = {
  [C in Channel]: (args: ParsedArgsOf<C>, ctx: HandlerContext) => Promise<ValueOf<C>>;
};

/** What only the desktop shell can do; absent in browser mode and the CLI. */
export interface ShellServices {
  /** Opens the system print dialog for these page pictures; resolves false if cancelled or failed. */
  printPages(pages: PrintPage[]): Promise<{ printed: boolean; reason?: string }>;
  /** Registers (or removes) the app as an OS login item that starts in the tray. */
  applyStartAtLogin?(enabled: boolean): void;
}

/** How long one covers:generate call may self-check before the rest of its rows are refused. */
export const coverBatchBudgetMs = 10 * 60 * 1000;

/** Where the handlers are served from. */
export type Runtime = z.output<typeof runtimeSchema>;

/** Binds every contract channel to core; the same table serves Electron IPC, the HTTP bridge and tests. */
export function createHandlers(core: Core, runtime: Runtime, shell?: ShellServices): HandlerTable {
  // Running template checks by job id, so the page that started one can stop it.
  const templateJobs = new Map<string, AbortController>();
  /** The queue for the Scan desk: every bill still to go, and the 50 newest done ones (their receipts are what people look for). */
  const uploadStatus = async () => {
    const status = await core.upload.status(true, 50);
    const done = status.bills.filter((bill) => bill.state === 'done').sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? '')).slice(0, 50);
    return { ...status, bills: [...status.bills.filter((bill) => bill.state !== 'done'), ...done] };
  };
  return {
    'app:info': async () => ({ ...core.app.describeStation(), runtime }),
    'prefs:get': () => core.prefs.readPrefs(),
    'prefs:set': async (patch) => {
      const prefs = await core.prefs.updatePrefs(patch);
      // The OS login item follows the saved choice (desktop app only; elsewhere there is nothing to register).
      if (patch.startAtLogin !== undefined) shell?.applyStartAtLogin?.(prefs.startAtLogin);
      return prefs;
    },
    'diagnose:stationCheck': ({ jobId }, ctx) =>
      core.diagnose.runStationCheck((step, index, total) => ctx.emit('diagnose:progress', { jobId, index, total, step })),
    'covers:preview': async ({ fields, layout }) => {
      const result = await core.covers.preview(fields, layout);
      return 'png' in result ? { png: `data:image/png;base64,${Buffer.from(result.png).toString('base64')}`, cut: result.cut } : { problem: { ...result.problem } };
    },
    'covers:importCsv': async ({ name, dataBase64 }) => {
      const { encoding, rows, ignoredColumns } = core.covers.importCsv(name, Buffer.from(dataBase64, 'base64'));
      return { encoding, ignoredColumns, rows: rows.map((row) => ({ line: row.line, fields: row.fields, problem: row.problem ? { ...row.problem } : null })) };
    },
    'covers:generate': async ({ jobId, layout, rows, perBill }, ctx) => {
      // Bounded by time as well as rows: what is checked within the budget is made, the rest is named.
      const result = await core.covers.generate(rows, layout, (done, total) => ctx.emit('covers:progress', { jobId, done, total }), perBill, AbortSignal.timeout(coverBatchBudgetMs));
      return {
        pdfBase64: result.pdf ? Buffer.from(result.pdf).toString('base64') : null,
        zipBase64: result.zip ? Buffer.from(result.zip).toString('base64') : null,
        written: result.written.length,
        rejected: result.rejected.map((entry) => ({ line: entry.line, code: entry.code, problem: { ...entry.problem } })),
        selfCheckMs: Math.round(result.timings.checkMs),
      };
    },
    'endpoint:settings': () => core.endpoint.readSettings(),
    'endpoint:save': ({ settings, clientSecret, keepSecretForNewAddress }) => core.endpoint.saveSettings(settings, clientSecret, { keepSecretForNewAddress }),
    'endpoint:export': async () => ({ fileName: `scan-station-endpoint-${core.now().toISOString().slice(0, 10)}.json`, text: await core.endpoint.exportProfile() }),
    'endpoint:parseProfile': ({ text, name }) => core.endpoint.parseProfile(text, name),
    'endpoint:preflight': ({ jobId }, ctx) =>
      core.endpoint.preflight((step, index) => ctx.emit('endpoint:preflightStep', { jobId, index, total: preflightStepIds.length, step })),
    'covers:print': async ({ jobId, layout, rows }, ctx) => {
      if (!shell) return { printed: false, reason: 'unavailable', written: 0, rejected: [] };
      const result = await core.covers.generate(rows, layout, (done, total) => ctx.emit('covers:progress', { jobId, done, total }));
      const rejected = result.rejected.map((entry) => ({ line: entry.line, code: entry.code, problem: { ...entry.problem } }));
      if (!result.pdf) return { printed: false, reason: 'nothing-to-print', written: 0, rejected };
      // 200 dpi: the QR's modules are ~8 printer dots wide, and a 1,000-page job stays small.
      const printed = await shell.printPages(await core.covers.renderPages(result.pdf, 200));
      return { ...printed, written: result.written.length, rejected };
    },
    'scanDesk:overview': async () => ({ stacks: await core.scanDesk.overview() }),
    'scanDesk:watchStatus': async () => core.scanDesk.watchReport(),
    'scanDesk:settings': async () => core.scanDesk.settings.read(),
    'scanDesk:saveSettings': async (change) => core.scanDesk.settings.save(change),
    'scanDesk:importExpected': async ({ name, dataBase64 }) => core.scanDesk.settings.importExpected(name, Buffer.from(dataBase64, 'base64'), core.now()),
    'scanDesk:clearExpected': async () => core.scanDesk.settings.clearExpected(),
    'scanDesk:page': async ({ stackId, page }) => core.scanDesk.pageImage(stackId, page),
    'scanDesk:setWatch': async ({ folder, paused }) => core.scanDesk.setWatch(folder, paused),
    'scanDesk:import': async ({ name, dataBase64 }) => summarizeIntake(await core.scanDesk.importUpload(name, Buffer.from(dataBase64, 'base64'))),
    'scanDesk:importPages': async ({ files }) => summarizeIntake(await core.scanDesk.importPages(files.map((file) => ({ name: file.name, bytes: Buffer.from(file.dataBase64, 'base64') })))),
    'scanDesk:closeBatch': async () => core.scanDesk.closeBatch(),
    'upload:status': uploadStatus,
    'upload:act': async ({ action, billId }) => {
      switch (action) {
        case 'pause':
        case 'resume':
          await core.upload.act({ action });
          break;
        case 'retry-now':
        case 'hold':
        case 'resend':
          if (!billId) throw new CoreError('invalid-arguments', {});
          await core.upload.act({ action, billId });
          break;
      }
      return uploadStatus();
    },
    'support:lookup': ({ text, day, symptom, page }) => core.support.lookup({ text, day: day ?? undefined, symptom, page }),
    'support:recent': async ({ from, to, refresh }) => {
      const bills = await core.support.recent({ from, to });
      return refresh ? core.support.refresh(bills) : bills;
    },
    'support:returned': () => core.support.returnedBills(),
    'support:reclose': ({ code }) => core.support.reclose(code),
    'support:bundle': async ({ codes, days }) => {
      const bundle = await core.support.bundle({ codes, days });
      return { name: bundle.name, zipBase64: Buffer.from(bundle.bytes).toString('base64'), files: bundle.files };
    },
    'scanDesk:billAction': async ({ billId, action, code, page, to, target }) => {
      switch (action) {
        case 'give-orphans':
          return core.scanDesk.changeBill(billId, { action, to: target ?? '' });
        case 'set-code':
          return core.scanDesk.changeBill(billId, { action, code: code ?? '' });
        case 'move-page':
          return core.scanDesk.changeBill(billId, { action, page: page ?? 0, to: to ?? 'next' });
        case 'exclude-page':
        case 'restore-page':
          return core.scanDesk.changeBill(billId, { action, page: page ?? 0 });
        case 'mark-cover':
          return core.scanDesk.changeBill(billId, { action, page: page ?? 0, code: code ?? '' });
        case 'release':
        case 'discard':
        case 'take-orphans':
        case 'not-a-cover':
        case 'keep-copy':
        case 'merge-copies':
          return core.scanDesk.changeBill(billId, { action });
      }
    },
    'scanDesk:releaseReviewed': async () => ({ released: (await core.scanDesk.releaseReviewed()).length }),
    'scanDesk:scanUser': () => core.scanner.view(),
    'scanDesk:signIn': ({ scanUser }) => core.scanner.signIn(scanUser),
    'capture:devices': async ({ refresh }) => ({ devices: await core.capture.listDevices({ refresh }), settings: await core.capture.readSettings() }),
    'capture:addDevice': async ({ address }) => core.capture.addDevice(address),
    'capture:removeDevice': async ({ id }) => ({ removed: await core.capture.removeDevice(id) }),
    'capture:saveSettings': async (settings) => core.capture.saveSettings(settings),
    'capture:state': async () => core.capture.readState(),
    'capture:start': async ({ into }) => core.capture.start({ into }),
    'capture:cancel': async () => core.capture.cancel(),
    'capture:release': async ({ batchId }) => core.capture.release(batchId),
    'templateCheck:cancel': async ({ jobId }) => {
      const job = templateJobs.get(jobId);
      job?.abort();
      return { cancelled: job !== undefined };
    },
    'templateCheck:inspect': async ({ jobId, name, dataBase64, dpi, pattern }, ctx) => {
      const bytes = Buffer.from(dataBase64, 'base64');
      ctx.emit('templateCheck:progress', { jobId, name, page: 0, pageCount: 0 });
      const abort = new AbortController();
      templateJobs.set(jobId, abort);
      const report = await core.templates
        .inspectUpload({ name, bytes, stationDpi: dpi, pattern, owner: jobId }, (page, pageCount) => ctx.emit('templateCheck:progress', { jobId, name, page, pageCount }), abort.signal)
        .finally(() => templateJobs.delete(jobId));
      return {
        name: report.name,
        pageCount: report.pageCount,
        error: report.error,
        pages: report.pages.map(({ annotation, source: _source, ...page }) => ({
          ...page,
          codes: page.codes.map(({ boxPx: _boxPx, engine: _engine, ...code }) => code),
          annotatedPng: annotation ? `data:image/png;base64,${Buffer.from(annotation).toString('base64')}` : null,
        })),
      };
    },
  };
}

import { describePayload } from '../../core/codes/image-code-rules.js';
import { CoreError } from '../../core/base/errors.js';
import type { CaptureJob, CaptureState } from '../../core/capture/capture-service.js';
import { scanColors, scanSources, type ScanColor, type ScanSettings, type ScanSource } from '../../shared/capture/capture-types.js';
import { localizeError } from '../../shared/message-text.js';
import type { CliCommand, CommandContext } from '../cli-context.js';
import { exitCodes, reportCoreRefusal, reportUsageError, stringOption } from '../cli-context.js';

/** A core refusal as the CLI reports it: the code and the localised words. */
function refusal(t: CommandContext['t'], error: CoreError): { code: string; message: string } {
  return { code: error.code, message: localizeError(t, error) };
}

/** `scan-station scanners`: the scanners found on the network (eSCL), typed at the desk, and SANE's, with what they offer and their state. */
export const scannersCommand: CliCommand = {
  name: 'scanners',
  summaryKey: 'cli.scanners.summary',
  options: [{ name: 'timeout-ms', type: 'string', valueName: 'MS', helpKey: 'cli.scanners.timeoutOption' }],
  async run({ values, json, io, t, openCore }) {
    const text = stringOption(values, 'timeout-ms') ?? '2500';
    if (!/^\d{1,6}$/.test(text) || Number(text) < 100 || Number(text) > 60_000) return reportUsageError(io, json, t('cli.check.badNumber', { option: '--timeout-ms', value: text, min: 100, max: 60000 }));
    const core = await openCore();
    try {
      const devices = await core.capture.listDevices({ refresh: true, timeoutMs: Number(text) });
      if (json) {
        io.stdout(`${JSON.stringify({ devices: devices.map((device) => ({ ...device, error: device.error ? { code: device.error.code, message: localizeError(t, device.error) } : null })) }, null, 2)}\n`);
        return exitCodes.ok;
      }
      if (devices.length === 0) io.stdout(`${t('cli.scanners.none')}\n`);
      for (const device of devices) {
        io.stdout(`${describePayload(device.name)} · ${device.id} · ${t(`cli.scanners.origin.${device.origin}`)}\n`);
        if (device.error) io.stdout(`    ${localizeError(t, device.error)}\n`);
        if (device.capabilities) io.stdout(`    ${t('cli.scanners.offers', { sources: device.capabilities.sources.join(', '), dpi: device.capabilities.resolutions.join(', '), colors: device.capabilities.colors.join(', ') })}\n`);
        if (device.status) io.stdout(`    ${t('cli.scanners.state', { state: t(`cli.scanners.condition.${device.status.condition}`) })}\n`);
      }
      return exitCodes.ok;
    } finally {
      await core.close();
    }
  },
};

/**
 * `scan-station scan --device URL|sane:NAME`: one scan job into the spool, each page committed before
 * the next is asked for; `--into BATCH` continues an interrupted scan, `--release BATCH` closes one
 * into a stack. Ctrl+C/SIGTERM cancels the job and keeps the pages received.
 */
export const scanCommand: CliCommand = {
  name: 'scan',
  summaryKey: 'cli.scan.summary',
  usage: '--device URL|sane:NAME [--source adf|duplex|flatbed] [--dpi N] [--color gray|color] | --into BATCH | --release BATCH',
  options: [
    { name: 'device', type: 'string', valueName: 'URL|sane:NAME', helpKey: 'cli.scan.deviceOption' },
    { name: 'source', type: 'string', valueName: 'adf|duplex|flatbed', helpKey: 'cli.scan.sourceOption' },
    { name: 'dpi', type: 'string', valueName: 'N', helpKey: 'cli.scan.dpiOption' },
    { name: 'color', type: 'string', valueName: 'gray|color', helpKey: 'cli.scan.colorOption' },
    { name: 'into', type: 'string', valueName: 'BATCH', helpKey: 'cli.scan.intoOption' },
    { name: 'release', type: 'string', valueName: 'BATCH', helpKey: 'cli.scan.releaseOption' },
  ],
  async run({ values, positionals, json, io, t, openCore }) {
    const device = stringOption(values, 'device');
    const into = stringOption(values, 'into');
    const release = stringOption(values, 'release');
    const source = stringOption(values, 'source') ?? 'duplex';
    const color = stringOption(values, 'color') ?? 'gray';
    const dpiText = stringOption(values, 'dpi') ?? '200';
    const modes = [device !== undefined && into === undefined, into !== undefined, release !== undefined].filter(Boolean).length;
    if (positionals.length > 0 || modes !== 1 || (release !== undefined && (device !== undefined || into !== undefined))) return reportUsageError(io, json, t('cli.scan.usage'));
    if (!(scanSources as readonly string[]).includes(source)) return reportUsageError(io, json, t('cli.scan.badChoice', { option: '--source', value: source, choices: scanSources.join(', ') }));
    if (!(scanColors as readonly string[]).includes(color)) return reportUsageError(io, json, t('cli.scan.badChoice', { option: '--color', value: color, choices: scanColors.join(', ') }));
    if (!/^\d{2,4}$/.test(dpiText) || Number(dpiText) < 75 || Number(dpiText) > 1200) return reportUsageError(io, json, t('cli.check.badNumber', { option: '--dpi', value: dpiText, min: 75, max: 1200 }));
    const settings: ScanSettings = { source: source as ScanSource, dpi: Number(dpiText), color: color as ScanColor };
    // The first Ctrl+C/SIGTERM stops the scan at any phase (a job being set up too): the pages received are kept and become the stack.
    const stop = new AbortController();
    let stopping = false;
    void io.waitForStop().then((signal) => {
      if (signal === undefined) return;
      stopping = true;
      stop.abort();
    });
    const core = await openCore();
    try {
      const named = release ?? into;
      if (named !== undefined) {
        // A name typed by hand: said plainly when it is no scan, a folder's batch, or a damaged record.
        const found = await core.capture.describeBatch(named);
        if (found.kind !== 'scan') {
          const key = found.kind === 'files' ? 'cli.scan.notAScan' : found.kind === 'damaged' ? 'cli.scan.damagedBatch' : 'cli.scan.noSuchBatch';
          return reportCoreRefusal(io, json, { code: 'scan-not-interrupted', message: t(key, { batch: named, file: found.file ?? '' }) });
        }
      }
      if (release !== undefined) {
        const { stackId } = await core.capture.release(release);
        const stack = stackId ? await core.scanDesk.spool.findStack(stackId) : null;
        if (json) io.stdout(`${JSON.stringify({ batch: release, status: 'released', stack: stackId, pages: stack?.pages.length ?? 0, bills: stack?.bills.map((bill) => ({ id: bill.id, code: bill.code, held: bill.held })) ?? [] })}\n`);
        else io.stdout(`${t('cli.scan.released', { batch: release, pages: stack?.pages.length ?? 0, bills: stack?.bills.length ?? 0, held: stack?.bills.filter((bill) => bill.held).length ?? 0 })}\n`);
        return exitCodes.ok;
      }
      // Each page is said once it is committed to the spool (a push may carry several).
      let said = 0;
      let batchSaid = false;
      const sayPages = (job: CaptureJob | null) => {
        if (!job) return;
        if (job.batchId && !batchSaid && !json) {
          batchSaid = true;
          io.stderr(`${t('cli.scan.batch', { batch: job.batchId })}\n`);
        }
        for (let page = said + 1; page <= job.pages; page += 1) {
          const shown = job.recent.find((entry) => entry.page === page);
          if (json) io.stdout(`${JSON.stringify({ status: 'received', page, kind: shown?.kind ?? null, code: shown?.code ?? null, batch: job.batchId })}\n`);
          else io.stdout(`${t('cli.scan.received', { page })}\n`);
        }
        said = Math.max(said, job.pages);
      };
      // A continued scan's pages are numbered after the ones it had.
      if (into !== undefined) said = (await core.capture.readState()).interrupted.find((scan) => scan.batchId === into)?.pages ?? 0;
      core.capture.onChanged((state) => sayPages(state.job));
      if (stopping) return reportCoreRefusal(io, json, refusal(t, new CoreError('scan-cancelled', { pages: 0 })));
      const onStop = () => void core.capture.cancel();
      stop.signal.addEventListener('abort', onStop, { once: true });
      let started: CaptureState;
      try {
        started = await core.capture.start(into !== undefined ? { into, signal: stop.signal } : { device, settings, signal: stop.signal });
      } catch (error) {
        if (error instanceof CoreError) return reportCoreRefusal(io, json, refusal(t, error));
        throw error;
      }
      if (!json) io.stderr(`${t('cli.scan.started', { device: describePayload(started.job?.device.name ?? device ?? ''), stop: 'Ctrl+C' })}\n`);
      const end = (await core.capture.idle()).job;
      sayPages(end);
      if (!end) return exitCodes.findings;
      const stack = end.stackId ? await core.scanDesk.spool.findStack(end.stackId) : null;
      const result = { device: end.device, batch: end.batchId, stack: end.stackId, pages: end.pages, bills: stack?.bills.map((bill) => ({ id: bill.id, code: bill.code, held: bill.held })) ?? [] };
      if (end.phase === 'failed') {
        const error = new CoreError((end.error?.code ?? 'scanner-failed') as never, end.error?.params ?? {});
        if (json) io.stdout(`${JSON.stringify({ status: end.batchId && end.pages > 0 ? 'interrupted' : 'failed', ...result, error: refusal(t, error) })}\n`);
        else {
          io.stderr(`${localizeError(t, error)}\n`);
          if (end.batchId && end.pages > 0) io.stderr(`${t('cli.scan.interrupted', { pages: end.pages, batch: end.batchId })}\n`);
        }
        return exitCodes.findings;
      }
      if (json) io.stdout(`${JSON.stringify({ status: end.phase === 'cancelled' ? 'cancelled' : 'ingested', ...result })}\n`);
      else {
        if (end.phase === 'cancelled' || stopping) io.stderr(`${localizeError(t, new CoreError('scan-cancelled', { pages: end.pages }))}\n`);
        if (stack) io.stdout(`${t('cli.scan.ingested', { pages: stack.pages.length, bills: stack.bills.length, held: stack.bills.filter((bill) => bill.held).length })}\n`);
        else io.stdout(`${t('cli.scan.nothing')}\n`);
      }
      return exitCodes.ok;
    } catch (error) {
      if (error instanceof CoreError) return reportCoreRefusal(io, json, refusal(t, error));
      throw error;
    } finally {
      await core.close();
    }
  },
};

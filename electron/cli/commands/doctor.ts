import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../core/base/errors.js';
import { inputLimits, readBoundedText } from '../../core/fs/read-bounded.js';
import { maxLookupCodes, type LookupResult } from '../../core/diagnose/support-service.js';
import type { CodeTrace } from '../../core/diagnose/trace-code.js';
import { composeTicket, describeImageState, describeTimelineEntry, describeTrace } from '../../shared/diagnose/trace-text.js';
import { localizeError } from '../../shared/message-text.js';
import { rescanReasonCodePattern } from '../../shared/imaging/rescan-reasons.js';
import type { CliCommand, StopSignal } from '../cli-context.js';
import { exitCodes, reportCoreRefusal, reportUsageError, stringOption } from '../cli-context.js';
import { signalExitCodes } from '../process-io.js';

const symptoms = ['no-image', 'no-image-needed'] as const;
/** `--all` traces at most this many codes (25 pages of 200): a day's desk fits, a runaway audit log does not. */
export const maxAllCodes = 5_000;

/** A count as people write it (1,800). */
const countText = (count: number) => new Intl.NumberFormat('en-US').format(count);

/** One code as `doctor --json` prints it: the trace, and the ERP's state and scanner in the ERP's terms. */
function jsonCode({ code, verdict, owner, facts, station, server, serverError, erp, timeline }: CodeTrace) {
  return {
    code,
    verdict,
    owner,
    facts,
    erpImageState: erp ? { code: erp.imageState.code, name: erp.imageState.name } : null,
    scan: erp?.scan ? { user: erp.scan.user, point: erp.scan.point, stationIp: erp.scan.stationIp } : null,
    erp,
    station,
    server,
    serverError,
    timeline,
  };
}

/** What is left after this page, and how to see it. */
function leftOutText(result: Pick<LookupResult, 'leftOut' | 'total' | 'totalCapped' | 'page' | 'first' | 'traces'>, t: (key: string, params?: Record<string, unknown>) => string): string {
  const lines = [t('troubleshoot.pageOf', { first: countText(result.first), last: countText(result.first + result.traces.length - 1), total: countText(result.total), count: countText(result.leftOut) })];
  if (result.leftOut > 0) lines.push(t('troubleshoot.pageMore', { next: result.page + 1, limit: countText(maxAllCodes) }));
  if (result.totalCapped) lines.push(t('troubleshoot.totalCapped', { total: countText(result.total) }));
  return lines.join('\n');
}

/** Prints a look-up: per code the verdict, its evidence, the next step with its owner, and the timeline. */
function printLookup(result: LookupResult, t: (key: string, params?: Record<string, unknown>) => string, write: (text: string) => void): void {
  for (const entry of result.resolved) write(`${t('troubleshoot.resolved', { billNo: entry.billNo, codes: entry.codes.join(', ') })}\n`);
  if (result.unresolved.length) write(`${t('troubleshoot.unresolved', { entries: result.unresolved.join(', ') })}\n`);
  for (const trace of result.traces) {
    const text = describeTrace(t, trace);
    write(`\n${trace.verdict === 'delivered' ? '✔' : '✘'} ${trace.code}  ${text.title}\n`);
    write(`  ${text.erp}\n  ${text.station}\n`);
    write(`  ${t('troubleshoot.ticket.evidence', { evidence: text.evidence })}\n`);
    if (text.note) write(`  ${text.note}\n`);
    write(`  ${t('troubleshoot.ticket.next', { next: text.next, owner: text.owner })}\n`);
    if (trace.timeline.length) write(`  ${t('troubleshoot.ticket.timeline')}\n`);
    for (const entry of trace.timeline) {
      const line = describeTimelineEntry(t, entry);
      write(`    ${line.when}  ${line.what}${line.detail ? `  (${line.detail})` : ''}\n`);
    }
  }
  if (result.leftOut || result.page > 1) write(`\n${leftOutText(result, t)}\n`);
}

/** `scan-station doctor CODE…`: where did this bill's pages go ("no image" troubleshooting). */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  summaryKey: 'cli.doctor.summary',
  usage: '[CODE|BILL-NO …] [--from FILE] [--day YYYY-MM-DD [--page N | --all]] [--symptom no-image|no-image-needed] [--no-server] [--ticket] | CODE --reclose',
  options: [
    { name: 'from', type: 'string', valueName: 'FILE', helpKey: 'cli.doctor.fromOption' },
    { name: 'day', type: 'string', valueName: 'YYYY-MM-DD', helpKey: 'cli.doctor.dayOption' },
    { name: 'symptom', type: 'string', valueName: 'S', helpKey: 'cli.doctor.symptomOption' },
    { name: 'no-server', type: 'boolean', helpKey: 'cli.doctor.noServerOption' },
    { name: 'ticket', type: 'boolean', helpKey: 'cli.doctor.ticketOption' },
    { name: 'page', type: 'string', valueName: 'N', helpKey: 'cli.doctor.pageOption' },
    { name: 'all', type: 'boolean', helpKey: 'cli.doctor.allOption' },
    { name: 'reclose', type: 'boolean', helpKey: 'cli.doctor.recloseOption' },
  ],
  async run({ values, positionals, json, io, t, openCore }) {
    const day = stringOption(values, 'day');
    const symptom = stringOption(values, 'symptom') ?? 'no-image';
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) return reportUsageError(io, json, t('cli.doctor.badDay', { day }));
    if (!(symptoms as readonly string[]).includes(symptom)) return reportUsageError(io, json, t('cli.doctor.badSymptom', { symptom, symptoms: symptoms.join(', ') }));
    let text = positionals.join('\n');
    const from = stringOption(values, 'from');
    if (from) {
      try {
        text += `\n${await readBoundedText(from, inputLimits.codeList, from)}`;
      } catch (error) {
        if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
        throw error;
      }
    }
    if (!text.trim() && !day) return reportUsageError(io, json, t('cli.doctor.usage'));
    const pageText = stringOption(values, 'page');
    if (pageText !== undefined && (!/^\d{1,3}$/.test(pageText) || Number(pageText) < 1 || Number(pageText) > 500)) return reportUsageError(io, json, t('cli.doctor.badPage', { page: pageText }));
    const all = values['all'] === true;
    if (all && pageText !== undefined) return reportUsageError(io, json, t('cli.doctor.pageAndAll'));
    if (values['reclose'] === true) {
      if (positionals.length !== 1 || from || day || all || pageText !== undefined) return reportUsageError(io, json, t('cli.doctor.recloseOne'));
      return reclose(positionals[0] as string, { json, io, t, openCore });
    }
    const request = { text, day, symptom: symptom as (typeof symptoms)[number], askServer: values['no-server'] !== true };
    const core = await openCore();
    // Ctrl+C during --all stops after the page being traced: what was traced is printed, nothing half-written.
    const stop = new AbortController();
    let stoppedBy: StopSignal = 'SIGINT';
    if (all) {
      void io.waitForStop().then((signal) => {
        stoppedBy = signal ?? stoppedBy;
        stop.abort();
      });
    }
    try {
      let result: LookupResult;
      if (all) {
        result = await core.support.lookupAll(request, { limit: maxAllCodes, signal: stop.signal, onPage: (done, of) => io.stderr(`${t('cli.doctor.progress', { done: countText(done), total: countText(of) })}\n`) });
        if (stop.signal.aborted) io.stderr(`${t('cli.doctor.stopped', { done: countText(result.traces.length), total: countText(Math.min(result.total, maxAllCodes)) })}\n`);
        else if (result.total > maxAllCodes) io.stderr(`${t('cli.doctor.allCapped', { limit: countText(maxAllCodes), count: countText(result.total - maxAllCodes) })}\n`);
      } else {
        result = await core.support.lookup({ ...request, page: pageText ? Number(pageText) : 1 });
      }
      if (json) {
        io.stdout(`${JSON.stringify({ codes: result.traces.map(jsonCode), resolved: result.resolved, unresolved: result.unresolved, leftOut: result.leftOut, total: result.total, totalCapped: result.totalCapped, page: result.page, pages: result.pages, pageSize: maxLookupCodes }, null, 2)}\n`);
      } else {
        printLookup(result, t, io.stdout);
        if (values['ticket'] === true) {
          const { settings } = await core.endpoint.readSettings();
          io.stdout(`\n${composeTicket(t, result.traces, { stationId: settings.stationId, version: core.app.describeStation().version })}\n`);
        }
      }
      if (stop.signal.aborted) return signalExitCodes[stoppedBy];
      if (result.traces.length === 0) return exitCodes.findings;
      return result.traces.every((trace) => trace.verdict === 'delivered') && result.unresolved.length === 0 && result.leftOut === 0 ? exitCodes.ok : exitCodes.findings;
    } finally {
      await core.close();
    }
  },
};

/** `doctor CODE --reclose`: sends a lost close again (only for the `close-lost` verdict); exit 0 once the server says 影像已就绪. */
async function reclose(code: string, { json, io, t, openCore }: Pick<Parameters<CliCommand['run']>[0], 'json' | 'io' | 't' | 'openCore'>): Promise<number> {
  const core = await openCore();
  try {
    const outcome = await core.support.reclose(code);
    const state = outcome.after.erp?.imageState.code ?? '';
    if (json) io.stdout(`${JSON.stringify({ resent: outcome.resent, before: jsonCode(outcome.before), after: jsonCode(outcome.after) }, null, 2)}\n`);
    else if (outcome.resent) io.stdout(`${t('troubleshoot.reclosed', { state: describeImageState(t, state) })}\n`);
    else io.stdout(`${t('troubleshoot.recloseNotNeeded', { title: describeTrace(t, outcome.before).title })}\n`);
    return outcome.resent && outcome.after.verdict === 'delivered' ? exitCodes.ok : exitCodes.findings;
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    return reportCoreRefusal(io, json, { code: error.code, message: localizeError(t, error) });
  } finally {
    await core.close();
  }
}

/** `scan-station bundle --out FILE.zip`: the diagnostic bundle for support, secrets scrubbed. */
export const bundleCommand: CliCommand = {
  name: 'bundle',
  summaryKey: 'cli.bundle.summary',
  usage: '--out FILE.zip [--code C[,C…]] [--days N]',
  options: [
    { name: 'out', type: 'string', valueName: 'FILE', helpKey: 'cli.bundle.outOption' },
    { name: 'code', type: 'string', valueName: 'C', helpKey: 'cli.bundle.codeOption' },
    { name: 'days', type: 'string', valueName: 'N', helpKey: 'cli.bundle.daysOption' },
  ],
  async run({ values, positionals, json, io, t, openCore }) {
    const out = stringOption(values, 'out');
    if (!out || !out.toLowerCase().endsWith('.zip')) return reportUsageError(io, json, t('cli.bundle.usage'));
    const daysText = stringOption(values, 'days');
    if (daysText !== undefined && (!/^\d{1,3}$/.test(daysText) || Number(daysText) < 1 || Number(daysText) > 90)) return reportUsageError(io, json, t('cli.check.badNumber', { option: '--days', value: daysText, min: 1, max: 90 }));
    const codes = [...(stringOption(values, 'code') ?? '').split(/[\s,;]+/), ...positionals].filter(Boolean);
    const core = await openCore();
    try {
      const bundle = await core.support.bundle({ codes, days: daysText ? Number(daysText) : undefined });
      const target = path.resolve(out);
      // Written beside the target and renamed: a half-written zip never carries the final name.
      const temp = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temp, bundle.bytes, { flag: 'wx' });
      await fs.rename(temp, target);
      if (json) io.stdout(`${JSON.stringify({ file: target, bytes: bundle.bytes.length, files: bundle.files })}\n`);
      else io.stdout(`${t('cli.bundle.written', { file: target, size: Math.ceil(bundle.bytes.length / 1024), files: bundle.files.join(', ') })}\n`);
      return exitCodes.ok;
    } finally {
      await core.close();
    }
  },
};

/** What `return-bill` was asked to do: one reviewer's act on the reference server, or the list of rescan reasons. */
type ReturnBillAction =
  | { kind: 'return'; code: string; text?: string; reasonCode?: string }
  | { kind: 'void'; code: string; reason: string }
  | { kind: 'image-scan'; code: string; need: boolean }
  | { kind: 'list-reasons' };

/** Reads `return-bill`'s arguments into one action, or the usage problem's catalog key. */
function readReturnBillAction(values: Record<string, unknown>, positionals: string[]): ReturnBillAction | { problem: string } {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string).trim() : undefined);
  const reason = text('reason');
  const reasonCode = text('reason-code');
  const flags = (['void', 'no-image-needed', 'image-needed', 'list-reasons'] as const).filter((name) => values[name] === true);
  if (flags.length > 1) return { problem: 'oneAction' };
  const [code, ...rest] = positionals;
  if (rest.length) return { problem: 'oneCode' };
  if (reason !== undefined && (reason === '' || reason.length > 500)) return { problem: 'reasonLength' };
  if (reasonCode !== undefined && !rescanReasonCodePattern.test(reasonCode)) return { problem: 'reasonCodeInvalid' };
  if (flags[0] === 'list-reasons') return code === undefined && reason === undefined && reasonCode === undefined ? { kind: 'list-reasons' } : { problem: 'listAlone' };
  if (!code) return { problem: 'codeMissing' };
  if (flags[0] === 'void') {
    if (reasonCode !== undefined) return { problem: 'voidNoCode' };
    return reason ? { kind: 'void', code, reason } : { problem: 'voidReason' };
  }
  if (flags[0] === 'no-image-needed' || flags[0] === 'image-needed') return reason === undefined && reasonCode === undefined ? { kind: 'image-scan', code, need: flags[0] === 'image-needed' } : { problem: 'imageScanAlone' };
  if (reason === undefined && reasonCode === undefined) return { problem: 'returnReason' };
  return { kind: 'return', code, text: reason, reasonCode };
}

/**
 * `scan-station return-bill CODE …`: a reviewer's acts on the reference server (training, tests) —
 * return for a rescan (a text, a rescan reason code, or both), void (废弃), mark as needing no images
 * (or needing them again) — and the server's rescan reasons (退扫原因).
 */
export const returnBillCommand: CliCommand = {
  name: 'return-bill',
  summaryKey: 'cli.returnBill.summary',
  usage: 'CODE [--reason TEXT] [--reason-code CODE] [--void] [--no-image-needed | --image-needed] | --list-reasons',
  options: [
    { name: 'reason', type: 'string', valueName: 'TEXT', helpKey: 'cli.returnBill.reasonOption' },
    { name: 'reason-code', type: 'string', valueName: 'CODE', helpKey: 'cli.returnBill.reasonCodeOption' },
    { name: 'void', type: 'boolean', helpKey: 'cli.returnBill.voidOption' },
    { name: 'no-image-needed', type: 'boolean', helpKey: 'cli.returnBill.noImageNeededOption' },
    { name: 'image-needed', type: 'boolean', helpKey: 'cli.returnBill.imageNeededOption' },
    { name: 'list-reasons', type: 'boolean', helpKey: 'cli.returnBill.listReasonsOption' },
  ],
  async run({ values, positionals, json, io, t, openCore }) {
    const action = readReturnBillAction(values, positionals);
    if ('problem' in action) return reportUsageError(io, json, `${t(`cli.returnBill.problems.${action.problem}`)}\n${t('cli.returnBill.usage')}`);
    const core = await openCore();
    try {
      const adapter = await core.endpoint.openAdapter('query');
      if (action.kind === 'list-reasons') {
        const reasons = await adapter.listRescanReasons();
        if (json) io.stdout(`${JSON.stringify(reasons)}\n`);
        else io.stdout(`${t('cli.returnBill.reasons', { count: reasons.length })}\n${reasons.map((reason) => `  ${reason.code.padEnd(14)} ${reason.name}`).join('\n')}\n`);
        return exitCodes.ok;
      }
      const state =
        action.kind === 'return'
          ? await adapter.returnBill(action.code, { text: action.text, code: action.reasonCode })
          : action.kind === 'void'
            ? await adapter.voidBill(action.code, action.reason)
            : await adapter.setNeedImageScan(action.code, action.need);
      if (json) io.stdout(`${JSON.stringify(state)}\n`);
      else if (action.kind === 'return') {
        const reason = state.returned?.reason ?? action.text ?? '';
        const reasonCode = state.returned?.reasonCode ?? null;
        io.stdout(`${reasonCode ? t('cli.returnBill.doneCoded', { code: action.code, round: state.round, reason, reasonCode }) : t('cli.returnBill.done', { code: action.code, round: state.round, reason })}\n`);
      } else if (action.kind === 'void') io.stdout(`${t('cli.returnBill.voided', { code: action.code, reason: state.voided?.reason ?? action.reason })}\n`);
      else io.stdout(`${t(state.needImageScan ? 'cli.returnBill.imageNeeded' : 'cli.returnBill.noImageNeeded', { code: action.code })}\n`);
      return exitCodes.ok;
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      return reportCoreRefusal(io, json, { code: error.code, message: localizeError(t, error) });
    } finally {
      await core.close();
    }
  },
};

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../core/errors.js';
import { inputLimits, readBoundedText } from '../../core/fs/read-bounded.js';
import type { LookupResult } from '../../core/diagnose/support-service.js';
import { composeTicket, describeTimelineEntry, describeTrace } from '../../shared/diagnose/trace-text.js';
import { localizeError } from '../../shared/message-text.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';

const symptoms = ['no-image', 'no-image-needed'] as const;

/** Prints a look-up: per code the verdict, its evidence, the next step with its owner, and the timeline. */
function printLookup(result: LookupResult, t: (key: string, params?: Record<string, unknown>) => string, write: (text: string) => void): void {
  for (const entry of result.resolved) write(`${t('troubleshoot.resolved', { billNo: entry.billNo, codes: entry.codes.join(', ') })}\n`);
  if (result.unresolved.length) write(`${t('troubleshoot.unresolved', { entries: result.unresolved.join(', ') })}\n`);
  for (const trace of result.traces) {
    const text = describeTrace(t, trace);
    write(`\n${trace.verdict === 'delivered' ? '✔' : '✘'} ${trace.code}  ${text.title}\n`);
    write(`  ${t('troubleshoot.ticket.evidence', { evidence: text.evidence })}\n`);
    if (text.note) write(`  ${text.note}\n`);
    write(`  ${t('troubleshoot.ticket.next', { next: text.next, owner: text.owner })}\n`);
    if (trace.timeline.length) write(`  ${t('troubleshoot.ticket.timeline')}\n`);
    for (const entry of trace.timeline) {
      const line = describeTimelineEntry(t, entry);
      write(`    ${line.when}  ${line.what}${line.detail ? `  (${line.detail})` : ''}\n`);
    }
  }
  if (result.leftOut) write(`\n${t('troubleshoot.leftOut', { max: result.traces.length, count: result.leftOut })}\n`);
}

/** `scan-station doctor CODE…`: where did this bill's pages go ("no image" troubleshooting). */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  summaryKey: 'cli.doctor.summary',
  usage: '[CODE|BILL-NO …] [--from FILE] [--day YYYY-MM-DD] [--symptom no-image|no-image-needed] [--no-server] [--ticket]',
  options: [
    { name: 'from', type: 'string', valueName: 'FILE', helpKey: 'cli.doctor.fromOption' },
    { name: 'day', type: 'string', valueName: 'YYYY-MM-DD', helpKey: 'cli.doctor.dayOption' },
    { name: 'symptom', type: 'string', valueName: 'S', helpKey: 'cli.doctor.symptomOption' },
    { name: 'no-server', type: 'boolean', helpKey: 'cli.doctor.noServerOption' },
    { name: 'ticket', type: 'boolean', helpKey: 'cli.doctor.ticketOption' },
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
    const core = await openCore();
    try {
      const result = await core.support.lookup({ text, day, symptom: symptom as (typeof symptoms)[number], askServer: values['no-server'] !== true });
      if (json) {
        io.stdout(`${JSON.stringify({ codes: result.traces.map(({ code, verdict, owner, facts, station, server, serverError, timeline }) => ({ code, verdict, owner, facts, station, server, serverError, timeline })), resolved: result.resolved, unresolved: result.unresolved, leftOut: result.leftOut }, null, 2)}\n`);
      } else {
        printLookup(result, t, io.stdout);
        if (values['ticket'] === true) {
          const { settings } = await core.endpoint.readSettings();
          io.stdout(`\n${composeTicket(t, result.traces, { stationId: settings.stationId, version: core.app.describeStation().version })}\n`);
        }
      }
      if (result.traces.length === 0) return exitCodes.findings;
      return result.traces.every((trace) => trace.verdict === 'delivered') && result.unresolved.length === 0 ? exitCodes.ok : exitCodes.findings;
    } finally {
      await core.close();
    }
  },
};

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

/** `scan-station return-bill CODE --reason …`: a reviewer's return, on the reference server (training, tests). */
export const returnBillCommand: CliCommand = {
  name: 'return-bill',
  summaryKey: 'cli.returnBill.summary',
  usage: 'CODE --reason TEXT',
  options: [{ name: 'reason', type: 'string', valueName: 'TEXT', helpKey: 'cli.returnBill.reasonOption' }],
  async run({ values, positionals, json, io, t, openCore }) {
    const reason = stringOption(values, 'reason')?.trim() ?? '';
    const [code, ...rest] = positionals;
    if (!code || rest.length || !reason || reason.length > 500) return reportUsageError(io, json, t('cli.returnBill.usage'));
    const core = await openCore();
    try {
      const state = await (await core.endpoint.openAdapter('query')).returnBill(code, { text: reason });
      if (json) io.stdout(`${JSON.stringify(state)}\n`);
      else io.stdout(`${t('cli.returnBill.done', { code, round: state.round, reason })}\n`);
      return exitCodes.ok;
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      const message = localizeError(t, error);
      if (json) io.stdout(`${JSON.stringify({ error: { code: error.code, message } })}\n`);
      else io.stderr(`${message}\n`);
      return exitCodes.findings;
    } finally {
      await core.close();
    }
  },
};

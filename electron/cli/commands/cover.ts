import { localizeError } from '../../shared/message-text.js';
import path from 'node:path';
import { defaultCoverLayout, paperSizes, type CoverLayoutOptions, type PaperName } from '../../core/cover/cover-layout.js';
import { validateCoverFields } from '../../core/cover/cover-fields.js';
import { compileCodePattern, defaultCodeRules } from '../../core/codes/image-code-rules.js';
import { createInspectionPool } from '../../core/inspection/inspection-pool.js';
import type { CoverRequest } from '../../core/cover/write-covers.js';
import { CoreError } from '../../core/base/errors.js';
import { auditLogPath, createAuditLog } from '../../core/log/audit-log.js';
import { localizeCoverRejection, type CoverRejection } from '../../shared/cover-messages.js';
import type { CliCommand, StopSignal } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';
import { signalExitCodes } from '../process-io.js';

const fieldOptions = [
  ['bill-no', 'billNo'],
  ['bill-type', 'billType'],
  ['company', 'company'],
  ['submitter', 'submitter'],
  ['department', 'department'],
  ['date', 'date'],
  ['amount', 'amount'],
] as const;

/** `scan-station cover`: printable cover PDFs with the image-code QR, one or a CSV batch. */
export const coverCommand: CliCommand = {
  name: 'cover',
  summaryKey: 'cli.cover.summary',
  usage: '--code CODE [fields…] --out FILE.pdf | --from bills.csv (--out FILE.pdf | --out-dir DIR)',
  options: [
    { name: 'code', type: 'string', valueName: 'CODE', helpKey: 'cli.cover.codeOption' },
    ...fieldOptions.map(([flag]) => ({ name: flag, type: 'string' as const, valueName: 'TEXT', helpKey: 'cli.cover.fieldOption' })),
    { name: 'from', type: 'string', valueName: 'CSV', helpKey: 'cli.cover.fromOption' },
    { name: 'out', type: 'string', valueName: 'FILE.pdf', helpKey: 'cli.cover.outOption' },
    { name: 'out-dir', type: 'string', valueName: 'DIR', helpKey: 'cli.cover.outDirOption' },
    { name: 'corner', type: 'string', valueName: 'top-right|top-left', helpKey: 'cli.cover.cornerOption' },
    { name: 'size-mm', type: 'string', valueName: 'N', helpKey: 'cli.cover.sizeOption' },
    { name: 'paper', type: 'string', valueName: 'a4|a5|letter', helpKey: 'cli.cover.paperOption' },
    { name: 'ec', type: 'string', valueName: 'M|Q', helpKey: 'cli.cover.ecOption' },
    { name: 'pattern', type: 'string', valueName: 'RE', helpKey: 'cli.check.patternOption' },
  ],
  async run({ values, json, io, t, dataDir }) {
    const text = (name: string) => stringOption(values, name);
    const usage = (message: string) => reportUsageError(io, json, message);
    const from = text('from');
    const out = text('out');
    const outDir = text('out-dir');
    if (!from && text('code') === undefined) return usage(t('cli.cover.needCodeOrFrom'));
    if (from && text('code') !== undefined) return usage(t('cli.cover.codeAndFrom'));
    if ((out ? 1 : 0) + (outDir ? 1 : 0) !== 1 || (!from && outDir)) return usage(t('cli.cover.needOut'));
    const corner = text('corner') ?? defaultCoverLayout.corner;
    if (corner !== 'top-right' && corner !== 'top-left') return usage(t('cli.cover.badChoice', { option: '--corner', value: corner, choices: 'top-right, top-left' }));
    const paper = (text('paper') ?? defaultCoverLayout.paper).toLowerCase();
    if (!(paper in paperSizes)) return usage(t('cli.cover.badChoice', { option: '--paper', value: paper, choices: 'a4, a5, letter' }));
    const ec = (text('ec') ?? defaultCoverLayout.ecLevel).toUpperCase();
    if (ec !== 'M' && ec !== 'Q') return usage(t('cli.cover.badChoice', { option: '--ec', value: ec, choices: 'M, Q' }));
    const sizeMm = Number(text('size-mm') ?? defaultCoverLayout.sizeMm);
    if (!Number.isFinite(sizeMm) || sizeMm < 10 || sizeMm > 60) return usage(t('cli.check.badNumber', { option: '--size-mm', value: String(text('size-mm')), min: 10, max: 60 }));
    let rules = defaultCodeRules;
    if (text('pattern')) {
      const compiled = compileCodePattern(text('pattern') as string);
      if (!(compiled instanceof RegExp)) return usage(localizeError(t, { code: 'invalid-pattern', params: { reason: compiled.reason } }));
      rules = { ...rules, pattern: compiled };
    }
    const layout: CoverLayoutOptions = { paper: paper as PaperName, corner, sizeMm, ecLevel: ec };

    let requests: CoverRequest[];
    let readRejected: Array<{ line: number; code: string; problem: CoverRejection }> = [];
    let ignoredColumns: string[] = [];
    // Loaded here, not at start-up: the PDF and font code costs every other command ~50 MB of memory.
    const [{ readCoverCsv }, { loadCoverFonts }, { bilingualCoverLabels }, { writeCovers, coverMadeRecords }] = await Promise.all([
      import('../../core/cover/cover-csv.js'),
      import('../../core/cover/cover-fonts.js'),
      import('../../core/cover/cover-labels.js'),
      import('../../core/cover/write-covers.js'),
    ]);
    if (from) {
      try {
        const csv = await readCoverCsv(from);
        requests = csv.rows;
        readRejected = csv.rejected.map((entry) => ({ ...entry, problem: entry.problem as CoverRejection }));
        ignoredColumns = csv.ignoredColumns;
      } catch (error) {
        if (error instanceof CoreError) return usage(localizeError(t, error));
        throw error;
      }
    } else {
      const fields = { code: text('code') ?? '' } as CoverRequest['fields'];
      for (const [flag, field] of fieldOptions) if (text(flag) !== undefined) fields[field] = text(flag);
      // One cover asked for by hand: a code the ERP could never hold (over 50 characters, against the rule) is a usage error, said before anything is made.
      const checked = validateCoverFields(fields, rules);
      if (!checked.ok) return usage(localizeCoverRejection(t, checked.problem as CoverRejection));
      requests = [{ line: 0, fields }];
    }

    // A batch of thousands takes minutes: the first Ctrl+C or SIGTERM ends it at the next cover,
    // with its scratch file removed and no output file half-written (each is written whole, then renamed).
    const stop = new AbortController();
    let stoppedBy: StopSignal = 'SIGINT';
    void io.waitForStop().then((signal) => {
      stoppedBy = signal ?? stoppedBy;
      stop.abort();
    });
    const pool = createInspectionPool({ size: 2 });
    let result;
    try {
      result = await writeCovers(requests, { out: out && path.resolve(out), outDir: outDir && path.resolve(outDir), layout, rules, labels: bilingualCoverLabels(), fonts: await loadCoverFonts(), pool, stop: stop.signal });
    } catch (error) {
      if (stop.signal.aborted) return signalExitCodes[stoppedBy];
      if (error instanceof CoreError) return usage(localizeError(t, error));
      throw error;
    } finally {
      await pool.close();
    }
    // Covers made here show on the troubleshooter's timeline (and are found by their bill number).
    if (result.written.length) createAuditLog(auditLogPath(dataDir), () => new Date()).writeMany(coverMadeRecords(requests, result.written, true));
    const rejected = [...readRejected, ...result.rejected.map((entry) => ({ ...entry, problem: entry.problem as CoverRejection }))]
      .sort((a, b) => a.line - b.line)
      .map((entry) => ({ line: entry.line, code: entry.code, reason: entry.problem.reason, message: localizeCoverRejection(t, entry.problem) }));
    if (json) {
      io.stdout(`${JSON.stringify({ written: result.written, rejected, ignoredColumns, timings: { buildMs: Math.round(result.timings.buildMs), selfCheckMs: Math.round(result.timings.checkMs) } }, null, 2)}\n`);
    } else {
      const files = [...new Set(result.written.map((entry) => entry.file))];
      io.stdout(`${t('cli.cover.written', { count: result.written.length, files: files.length })}\n`);
      for (const file of files.slice(0, 5)) io.stdout(`  ${file}\n`);
      if (files.length > 5) io.stdout(`  … (+${files.length - 5})\n`);
      if (ignoredColumns.length) io.stdout(`${t('cli.cover.ignoredColumns', { columns: ignoredColumns.join(', ') })}\n`);
      for (const entry of rejected) io.stdout(`  ✘ ${entry.line ? t('cli.cover.line', { line: entry.line }) : ''}${entry.code || '—'}: ${entry.message}\n`);
    }
    return rejected.length > 0 ? exitCodes.findings : exitCodes.ok;
  },
};

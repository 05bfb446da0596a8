import { localizeError } from '../../shared/message-text.js';
import { readExpectedCodes } from '../../core/codes/expected-codes.js';
import { compileCodePattern, defaultCodeRules, describePayload, type ImageCodeRules } from '../../core/codes/image-code-rules.js';
import { CoreError } from '../../core/base/errors.js';
import type { SplitReport } from '../../core/split/split-file.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';

/** The dry run's JSON for one stack: page numbers 1-based within the file (or folder). */
function toJson(report: SplitReport) {
  return {
    file: report.file,
    pages: report.pageCount,
    bills: report.bills.map((bill) => ({ code: bill.code, cover: bill.cover, pages: bill.pages, held: bill.held, ...(bill.turned ? { turned: true } : {}), ...(bill.suspect ? { suspect: bill.suspect } : {}), ...(bill.damaged ? { damaged: bill.damaged } : {}) })),
    orphans: report.orphans,
    blank: report.blank,
    ...(report.damaged.length ? { damaged: report.damaged } : {}),
    error: report.error ? { code: report.error.code, message: report.error.message } : null,
  };
}

/** `scan-station split`: a dry run that reads and splits stacks into bills without touching the spool. */
export const splitCommand: CliCommand = {
  name: 'split',
  summaryKey: 'cli.split.summary',
  usage: '<files or folders...>',
  options: [
    { name: 'pattern', type: 'string', valueName: 'RE', helpKey: 'cli.check.patternOption' },
    { name: 'codes', type: 'string', valueName: 'FILE', helpKey: 'cli.check.codesOption' },
  ],
  async run({ values, positionals, json, io, t }) {
    if (positionals.length === 0) return reportUsageError(io, json, t('cli.check.noPaths'));
    let rules: ImageCodeRules = defaultCodeRules;
    const patternText = stringOption(values, 'pattern');
    if (patternText !== undefined) {
      const compiled = compileCodePattern(patternText);
      if (!(compiled instanceof RegExp)) return reportUsageError(io, json, localizeError(t, { code: 'invalid-pattern', params: { reason: compiled.reason } }));
      rules = { ...rules, pattern: compiled };
    }
    const codesFile = stringOption(values, 'codes');
    if (codesFile !== undefined) {
      try {
        rules = { ...rules, expected: await readExpectedCodes(codesFile) };
      } catch (error) {
        if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
        throw error;
      }
    }
    // Loaded here, not at start-up: `--help` and `--version` stay light.
    // The page readers start first: they boot on the other core while this thread loads the rest.
    const { createPageReaderPool } = await import('../../core/split/page-reader-pool.js');
    const pool = createPageReaderPool({ prestart: true });
    const { splitFile } = await import('../../core/split/split-file.js');
    const reports: SplitReport[] = [];
    try {
      for (const input of positionals) reports.push(await splitFile(input, { rules, pool }));
    } finally {
      await pool.close();
    }
    if (json) io.stdout(`${JSON.stringify({ stacks: reports.map(toJson) }, null, 2)}\n`);
    else {
      for (const report of reports) {
        io.stdout(`${describePayload(report.file)} · ${t('units.pages', { count: report.pageCount })}\n`);
        if (report.error) io.stdout(`  ✘ ${localizeError(t, report.error)}\n`);
        if (report.orphans.length) io.stdout(`  ! ${t('cli.split.orphans', { pages: report.orphans.join(', ') })}\n`);
        for (const bill of report.bills) {
          const name = bill.code ?? (bill.suspect ? `(${bill.suspect.payload})` : '—');
          const held = bill.held ? ` · ${bill.suspect?.reason === 'code-too-long' ? t('split.suspect.code-too-long') : t(`split.held.${bill.held}`)}` : '';
          io.stdout(`  ${bill.held ? '!' : '✔'} ${name} · ${t('cli.split.pages', { pages: bill.pages.join(', ') })}${bill.turned ? ` · ${t('cli.split.turned')}` : ''}${held}\n`);
        }
        if (report.blank.length) io.stdout(`  · ${t('cli.split.blank', { pages: report.blank.join(', ') })}\n`);
        if (report.damaged.length) io.stdout(`  ✘ ${t('cli.split.damaged', { pages: report.damaged.join(', ') })}\n`);
      }
    }
    if (reports.some((report) => report.error)) return exitCodes.usage;
    return reports.some((report) => report.orphans.length > 0 || report.bills.some((bill) => bill.held)) ? exitCodes.findings : exitCodes.ok;
  },
};

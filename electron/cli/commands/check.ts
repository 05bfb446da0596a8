import { localizeError } from '../../shared/message-text.js';
import path from 'node:path';
import { collectInputFiles } from '../../core/inspection/collect-files.js';
import { readExpectedCodes } from '../../core/codes/expected-codes.js';
import { compileCodePattern, describePayload } from '../../core/codes/image-code-rules.js';
import type { DocumentReport } from '../../core/inspection/inspect-document.js';
import type { PageReport } from '../../core/inspection/inspect-page.js';
import { createInspectionPool, inspectInParts } from '../../core/inspection/inspection-pool.js';
import { defaultInspectionSettings, type InspectionSettings } from '../../core/inspection/inspection-task.js';
import { CoreError, formatErrorEnglish } from '../../core/base/errors.js';
import { writeFileAtomic } from '../../core/fs/atomic-write.js';
import { localizeProblem } from '../../shared/check-messages.js';
import { claimFileName } from '../../shared/file-names.js';
import type { CliCommand, CommandContext } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';

const verdictMarks = { ok: '✔', warn: '!', fail: '✘' } as const;

/** `scan-station check`: find, place, measure and validate every QR in templates and scans. */
export const checkCommand: CliCommand = {
  name: 'check',
  summaryKey: 'cli.check.summary',
  usage: '<paths...>',
  options: [
    { name: 'dpi', type: 'string', valueName: 'N', helpKey: 'cli.check.dpiOption' },
    { name: 'pattern', type: 'string', valueName: 'RE', helpKey: 'cli.check.patternOption' },
    { name: 'prefix', type: 'string', valueName: 'P,…', helpKey: 'cli.check.prefixOption' },
    { name: 'codes', type: 'string', valueName: 'FILE', helpKey: 'cli.check.codesOption' },
    { name: 'annotate', type: 'string', valueName: 'DIR', helpKey: 'cli.check.annotateOption' },
    { name: 'fast', type: 'boolean', helpKey: 'cli.check.fastOption' },
    { name: 'workers', type: 'string', valueName: 'N', helpKey: 'cli.check.workersOption' },
  ],
  async run(ctx) {
    const { values, positionals, json, io, t } = ctx;
    if (positionals.length === 0) return reportUsageError(io, json, t('cli.check.noPaths'));
    const dpi = parseWhole(values['dpi'], 200);
    if (dpi === null || dpi < 50 || dpi > 1200) return reportUsageError(io, json, t('cli.check.badNumber', { option: '--dpi', value: String(values['dpi']), min: 50, max: 1200 }));
    const workers = parseWhole(values['workers'], 2);
    if (workers === null || workers < 1 || workers > 16) return reportUsageError(io, json, t('cli.check.badNumber', { option: '--workers', value: String(values['workers']), min: 1, max: 16 }));
    let pattern = defaultInspectionSettings.pattern;
    const patternText = stringOption(values, 'pattern');
    if (patternText !== undefined) {
      const compiled = compileCodePattern(patternText);
      if (!(compiled instanceof RegExp)) return reportUsageError(io, json, localizeError(t, { code: 'invalid-pattern', params: { reason: compiled.reason } }));
      pattern = compiled.source;
    }
    let expected: string[] | null = null;
    const codesFile = stringOption(values, 'codes');
    if (codesFile !== undefined) {
      try {
        expected = [...(await readExpectedCodes(codesFile))];
      } catch (error) {
        if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
        throw error;
      }
    }
    const annotateOption = stringOption(values, 'annotate');
    const annotateDir = annotateOption !== undefined ? path.resolve(annotateOption) : null;
    const settings: InspectionSettings = {
      ...defaultInspectionSettings,
      stationDpi: dpi,
      mode: values['fast'] ? 'fast' : 'thorough',
      annotate: annotateDir !== null,
      pattern,
      prefixes: (stringOption(values, 'prefix') ?? '').split(',').map((prefix) => prefix.trim()).filter(Boolean),
      expected,
    };
    const inputs = await collectInputFiles(positionals);
    // Fewer files than workers (one long PDF or TIFF): each such file's pages are shared out, so both
    // cores work on it; single-image files have nothing to share.
    const shareable = inputs.filter((input) => !input.missing && /\.(pdf|tiff?)$/i.test(input.path)).length;
    const parts = inputs.length < workers && shareable > 0 ? Math.max(1, Math.floor(workers / inputs.length)) : 1;
    const pool = createInspectionPool({ size: Math.min(workers, Math.max(1, inputs.length * parts)) });
    const usedNames = new Set<string>();
    const writes: Array<Promise<void>> = [];
    let reports: DocumentReport[];
    try {
      reports = await Promise.all(
        inputs.map((input) => {
          if (input.missing) {
            const params = { name: input.path, reason: 'ENOENT' };
            return Promise.resolve<DocumentReport>({ name: input.path, pageCount: 0, pages: [], error: { code: 'file-unreadable', message: formatErrorEnglish('file-unreadable', params), params } });
          }
          return inspectInParts(pool, input.path, settings, /\.(pdf|tiff?)$/i.test(input.path) ? parts : 1, ({ report, annotation }) => {
            if (annotateDir && annotation) writes.push(writeFileAtomic(path.join(annotateDir, annotationName(input.path, report.page, usedNames)), annotation));
          });
        }),
      );
      await Promise.all(writes);
    } finally {
      await pool.close();
    }
    const files = reports.map((report, index) => toJsonFile(inputs[index]?.path ?? report.name, report, ctx));
    const pages = files.flatMap((file) => file.pages);
    const summary = {
      files: files.length,
      pages: pages.length,
      ok: pages.filter((page) => page.verdict === 'ok').length,
      warn: pages.filter((page) => page.verdict === 'warn').length,
      fail: pages.filter((page) => page.verdict === 'fail').length,
      errors: files.filter((file) => file.error !== null).length,
    };
    if (json) io.stdout(`${JSON.stringify({ files, summary }, null, 2)}\n`);
    else printHuman(files, summary, ctx);
    if (files.some((file) => file.error !== null && file.pages.length === 0)) return exitCodes.usage;
    return summary.fail > 0 || summary.errors > 0 ? exitCodes.findings : exitCodes.ok;
  },
};

function parseWhole(value: string | boolean | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  return typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : null;
}

/** `<base>-p<page>.png`, safe on every system and made unique (regardless of case) when two inputs share a base name. */
function annotationName(file: string, page: number, used: Set<string>): string {
  return claimFileName(path.basename(file), `-p${page}.png`, used, 100);
}

type JsonPage = ReturnType<typeof toJsonPage>;

function toJsonPage(page: PageReport, { t }: CommandContext) {
  return {
    page: page.page,
    widthMm: page.widthMm,
    heightMm: page.heightMm,
    dpi: page.dpi,
    source: page.source,
    verdict: page.verdict,
    problems: page.problems.map((problem) => ({ code: problem.code, severity: problem.severity, ...localizeProblem(t, problem) })),
    codes: page.codes.map((code) => ({
      value: code.value,
      corner: code.corner,
      box: code.box,
      moduleMm: code.moduleMm,
      modulePx: code.modulePx,
      quietZoneModules: code.quietZoneModules,
      kind: code.kind,
      valid: code.valid,
      contrast: code.contrast,
      version: code.version,
    })),
  };
}

function toJsonFile(file: string, report: DocumentReport, ctx: CommandContext) {
  return {
    path: file,
    error: report.error ? { code: report.error.code, message: localizeError(ctx.t, report.error) } : null,
    pages: report.pages.map((page) => toJsonPage(page, ctx)),
  };
}

function printHuman(files: Array<{ path: string; error: { code: string; message: string } | null; pages: JsonPage[] }>, summary: Record<string, number>, { io, t }: CommandContext): void {
  for (const file of files) {
    // A file name is untrusted text: escape control characters so it cannot drive the terminal.
    io.stdout(`${describePayload(file.path)}\n`);
    if (file.error) io.stdout(`  ✘ ${file.error.message}\n`);
    for (const page of file.pages) {
      const codes = page.codes.map((code) => `${describePayload(code.value)} @ ${t(`check.corners.${code.corner}`)}`).join('; ') || t('templateCheck.noCodes');
      io.stdout(`  ${verdictMarks[page.verdict]} ${t('templateCheck.pageLabel', { page: page.page })} · ${t(`check.verdict.${page.verdict}`)} · ${codes}\n`);
      for (const problem of page.problems) io.stdout(`      - ${problem.message}\n        ${t('templateCheck.fix')} ${problem.fix}\n`);
    }
  }
  io.stdout(`${t('templateCheck.summary', { ...summary, files: t('units.files', { count: summary['files'] ?? 0 }), pages: t('units.pages', { count: summary['pages'] ?? 0 }) })}\n`);
}

// The template check's results as a CSV file for Excel, in the app's language.
import type { TFunction } from 'i18next';
import { localizeProblem } from '../../../../electron/shared/check-messages.js';
import { buildCsv } from '../../../../electron/shared/csv.js';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import { describeError } from '../../api/error-text.js';
import type { CheckRow } from './check-rows.js';

/** One line per row: file, page, verdict, the first code with its corner, sizes and quiet zone, the problems. */
export function composeCheckCsv(t: TFunction, rows: readonly CheckRow[]): string {
  const header = ['file', 'page', 'verdict', 'code', 'corner', 'moduleMm', 'modulePx', 'quietZone', 'problems'].map((column) => t(`templateCheck.csv.${column}`));
  const lines: Array<Array<string | number>> = [header];
  for (const row of rows) {
    const problems = row.page ? row.page.problems.map((problem) => localizeProblem(t, problem).message).join(' | ') : row.error ? describeError(t, row.error as AppErrorInfo) : '';
    const code = row.page?.codes[0];
    lines.push([row.file, row.page?.page ?? '', row.page ? t(`check.verdict.${row.page.verdict}`) : t('templateCheck.unreadable'), code?.value ?? '', code ? t(`check.corners.${code.corner}`) : '', code?.moduleMm ?? '', code?.modulePx ?? '', code?.quietZoneModules ?? '', problems]);
  }
  return buildCsv(lines);
}

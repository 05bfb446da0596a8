// The template check's results: one row per page judged, or per file that could not be read, and their counts.
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';

type FileReport = ValueOf<'templateCheck:inspect'>;
/** One page's report: its verdict, the codes found, the problems with their fixes, the annotated picture. */
export type PageReport = FileReport['pages'][number];

/** One result row: a page's report, or (no page) a file that could not be read and why. */
export interface CheckRow {
  key: string;
  file: string;
  page: PageReport | null;
  /** The dpi this page was judged at (the field may have changed since). */
  dpi: number;
  error: AppErrorInfo | { code: string; message: string; params?: Record<string, string | number> } | null;
}

/** The results in figures: pages by verdict, unreadable files, how many files and pages. */
export function summarizeRows(rows: readonly CheckRow[]) {
  const counts = { ok: 0, warn: 0, fail: 0, errors: 0 };
  for (const row of rows) {
    if (row.page) counts[row.page.verdict] += 1;
    else counts.errors += 1;
  }
  const fileCount = new Set(rows.map((row) => row.file)).size;
  const pageCount = rows.filter((row) => row.page).length;
  return { counts, fileCount, pageCount };
}

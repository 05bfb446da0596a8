import { CoreError } from '../base/errors.js';
import type { Logger } from '../log/logger.js';
import type { AuditLog } from '../log/audit-log.js';
import { compileCodePattern } from '../codes/image-code-rules.js';
import type { DocumentReport } from './inspect-document.js';
import { createInspectionPool, type InspectionPool } from './inspection-pool.js';
import { defaultInspectionSettings } from './inspection-task.js';
import type { PageReport } from './inspect-page.js';

/** A page report with its annotated PNG. */
export interface AnnotatedPage extends PageReport {
  annotation: Uint8Array | null;
}

/** A file's report with annotated pages. */
export interface AnnotatedReport extends Omit<DocumentReport, 'pages'> {
  pages: AnnotatedPage[];
}

/** One upload to check. */
export interface TemplateUpload {
  name: string;
  bytes: Uint8Array;
  stationDpi: number;
  pattern?: string;
  /** Who asked (one page's batch): the pool gives one owner one worker while others wait. */
  owner?: string;
}

/** Template checks for the UI: always thorough, always annotated, on the shared worker pool. */
export interface TemplateService {
  inspectUpload(upload: TemplateUpload, onPage?: (page: number, pageCount: number) => void, signal?: AbortSignal): Promise<AnnotatedReport>;
  /** The shared worker pool (started on first use); the cover self-check runs on it too. */
  pool(): InspectionPool;
  close(): Promise<void>;
}

/** Creates the service; the worker pool starts on first use, so start-up stays fast. */
export function createTemplateService(log: Logger, audit?: AuditLog): TemplateService {
  let pool: InspectionPool | undefined;
  const sharedPool = () => (pool ??= createInspectionPool({ size: 2, log }));
  return {
    pool: sharedPool,
    async inspectUpload(upload, onPage = () => undefined, signal) {
      let pattern = defaultInspectionSettings.pattern;
      if (upload.pattern && upload.pattern.trim() !== '') {
        const compiled = compileCodePattern(upload.pattern.trim());
        if (!(compiled instanceof RegExp)) throw new CoreError('invalid-pattern', { reason: compiled.reason, detail: compiled.detail });
        pattern = compiled.source;
      }
      const annotations = new Map<number, Uint8Array>();
      const report = await sharedPool().inspect(
        { name: upload.name, bytes: upload.bytes },
        { ...defaultInspectionSettings, stationDpi: upload.stationDpi, pattern, annotate: true },
        ({ report: page, annotation, pageCount }) => {
          if (annotation) annotations.set(page.page, annotation);
          onPage(page.page, pageCount);
        },
        signal,
        upload.owner,
      );
      log.info('template.checked', { name: upload.name, pages: report.pages.length, error: report.error?.code ?? null });
      // The troubleshooter's timeline shows that a code's template was checked here, and how it fared.
      audit?.writeMany(report.pages.flatMap((page) => page.codes.filter((code) => code.kind === 'cover').map((code) => ({ event: 'template-checked' as const, code: code.value, source: upload.name, reason: page.verdict, detail: `page ${page.page}, ${code.corner}, module ${code.modulePx} px at ${upload.stationDpi} dpi` }))));
      return { ...report, pages: report.pages.map((page) => ({ ...page, annotation: annotations.get(page.page) ?? null })) };
    },
    async close() {
      await pool?.close();
      pool = undefined;
    },
  };
}

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sharp } from '../base/sharp.js';
import { loadPdfium } from '../document/pdfium.js';
import type { Logger } from '../log/logger.js';
import type { AuditLog } from '../log/audit-log.js';
import { parseCoverCsv, type CoverCsv } from './cover-csv.js';
import { validateCoverFields, type CoverFields, type CoverRowProblem } from './cover-fields.js';
import { loadCoverFonts } from './cover-fonts.js';
import { bilingualCoverLabels } from './cover-labels.js';
import type { CoverLayoutOptions } from './cover-layout.js';
import { buildCoverPdf } from './cover-writer.js';
import { defaultCodeRules } from '../codes/image-code-rules.js';
import type { InspectionPool } from '../inspection/inspection-pool.js';
import { coverMadeRecords, writeCovers, type CoverBatchResult, type CoverRequest } from './write-covers.js';
import { buildStoredZip } from '../archive/zip-store.js';

/** A CSV row with what validation says about it, for the import table. */
export interface CoverImportRow {
  line: number;
  fields: CoverFields;
  problem: CoverRowProblem | null;
}

/** Covers for the UI: preview, CSV import, and self-checked PDF bytes. */
export interface CoverService {
  preview(fields: CoverFields, layout: CoverLayoutOptions): Promise<{ png: Uint8Array; cut: string[] } | { problem: CoverRowProblem }>;
  importCsv(name: string, bytes: Uint8Array): { encoding: CoverCsv['encoding']; rows: CoverImportRow[]; ignoredColumns: string[] };
  /** One merged PDF, or (`perBill`) a ZIP holding one PDF per bill named by its image code. */
  generate(requests: CoverRequest[], layout: CoverLayoutOptions, onProgress: (done: number, total: number) => void, perBill?: boolean, signal?: AbortSignal): Promise<CoverBatchResult & { pdf: Uint8Array | null; zip: Uint8Array | null }>;
  /** Renders every page of a cover PDF to a gray PNG (for printing), with its paper size. */
  renderPages(pdf: Uint8Array, dpi: number): Promise<PrintPage[]>;
}

/** One page ready to print: its picture and its paper size. */
export interface PrintPage {
  png: Uint8Array;
  widthMm: number;
  heightMm: number;
}

/** Creates the service; `tmpDir` holds the scratch PDF while it is checked. */
export function createCoverService(options: { tmpDir: string; pool: () => InspectionPool; log: Logger; audit?: AuditLog }): CoverService {
  return {
    async preview(fields, layout) {
      const checked = validateCoverFields(fields, defaultCodeRules);
      if (!checked.ok) return { problem: checked.problem };
      let cut: string[] = [];
      const pdf = await buildCoverPdf([checked.fields], await loadCoverFonts(), layout, bilingualCoverLabels(), (_index, fields) => (cut = fields));
      const pdfium = await loadPdfium();
      const document = await pdfium.loadDocument(pdf);
      try {
        // 110 dpi: sharp enough to read on screen, small enough to refresh as the clerk types.
        const rendered = await document.getPage(0).render({ scale: 110 / 72, colorSpace: 'Gray', render: 'bitmap' });
        const png = await sharp(rendered.data, { raw: { width: rendered.width, height: rendered.height, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
        return { png, cut };
      } finally {
        document.destroy();
      }
    },
    importCsv(name, bytes) {
      const csv = parseCoverCsv(bytes, name);
      const seen = new Map<string, number>();
      const rows: CoverImportRow[] = csv.rejected.map((entry) => ({ line: entry.line, fields: { code: entry.code }, problem: entry.problem }));
      for (const row of csv.rows) {
        const checked = validateCoverFields(row.fields, defaultCodeRules);
        let problem: CoverRowProblem | null = checked.ok ? null : checked.problem;
        const code = checked.ok ? checked.fields.code : row.fields.code;
        if (!problem && seen.has(code)) problem = { reason: 'duplicate-code', firstLine: seen.get(code) ?? 0 };
        if (!problem) seen.set(code, row.line);
        rows.push({ line: row.line, fields: checked.ok ? checked.fields : row.fields, problem });
      }
      rows.sort((a, b) => a.line - b.line);
      return { encoding: csv.encoding, rows, ignoredColumns: csv.ignoredColumns };
    },
    async renderPages(pdf, dpi) {
      const pdfium = await loadPdfium();
      const document = await pdfium.loadDocument(pdf);
      try {
        const pages: PrintPage[] = [];
        for (let index = 0; index < document.getPageCount(); index += 1) {
          const page = document.getPage(index);
          const { originalWidth, originalHeight } = page.getOriginalSize();
          const rendered = await page.render({ scale: dpi / 72, colorSpace: 'Gray', render: 'bitmap' });
          const png = await sharp(rendered.data, { raw: { width: rendered.width, height: rendered.height, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
          pages.push({ png, widthMm: (originalWidth / 72) * 25.4, heightMm: (originalHeight / 72) * 25.4 });
        }
        return pages;
      } finally {
        document.destroy();
      }
    },
    async generate(requests, layout, onProgress, perBill = false, signal) {
      await fs.mkdir(options.tmpDir, { recursive: true });
      const scratch = path.join(options.tmpDir, `covers-${randomBytes(6).toString('hex')}`);
      const out = `${scratch}.pdf`;
      try {
        const common = { layout, rules: defaultCodeRules, labels: bilingualCoverLabels(), fonts: await loadCoverFonts(), pool: options.pool(), onProgress, signal };
        const result = await writeCovers(requests, perBill ? { ...common, outDir: scratch } : { ...common, out });
        let pdf: Uint8Array | null = null;
        let zip: Uint8Array | null = null;
        if (result.written.length > 0 && !perBill) pdf = await fs.readFile(out);
        if (result.written.length > 0 && perBill) {
          // The same self-checked files the CLI's --out-dir writes, packed for one download.
          const entries = await Promise.all(result.written.map(async (entry) => ({ name: path.basename(entry.file), data: new Uint8Array(await fs.readFile(entry.file)), modified: new Date() })));
          zip = buildStoredZip(entries);
        }
        options.log.info('covers.generated', { written: result.written.length, rejected: result.rejected.length, perBill });
        options.audit?.writeMany(coverMadeRecords(requests, result.written, perBill));
        return { ...result, pdf, zip };
      } finally {
        await fs.rm(out, { force: true });
        await fs.rm(scratch, { recursive: true, force: true });
      }
    },
  };
}

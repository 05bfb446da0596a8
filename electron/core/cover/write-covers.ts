import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { claimFileName } from '../../shared/file-names.js';
import type { AuditRecord } from '../log/audit-log.js';
import { causeParams, CoreError } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { validateCoverFields, type CoverFields, type CoverRowProblem } from './cover-fields.js';
import type { CoverFonts } from './cover-fonts.js';
import { selfCheckClipMm, type CoverLayoutOptions } from './cover-layout.js';
import { buildCoverPdf, type CoverLabels } from './cover-writer.js';
import type { ImageCodeRules } from '../codes/image-code-rules.js';
import { inspectInParts, type InspectionPool } from '../inspection/inspection-pool.js';
import { defaultInspectionSettings } from '../inspection/inspection-task.js';
import type { DocumentReport } from '../inspection/inspect-document.js';
import { quietZoneCap } from '../qr/measure-symbol.js';

/** A cover to make, with the CSV line it came from (0 for a single cover from the command line). */
export interface CoverRequest {
  line: number;
  fields: CoverFields;
}

/** What a batch produced. */
export interface CoverBatchResult {
  written: Array<{ code: string; file: string; pages: number }>;
  rejected: Array<{ line: number; code: string; problem: CoverRowProblem }>;
  /** Milliseconds spent building PDFs and spent self-checking them, reported separately. */
  timings: { buildMs: number; checkMs: number };
}

/** Where and how to write covers. */
export interface WriteCoversOptions {
  /** One merged PDF… */
  out?: string;
  /** …or one PDF per bill in this folder, named by the image code. */
  outDir?: string;
  layout: CoverLayoutOptions;
  rules: ImageCodeRules;
  labels: CoverLabels;
  fonts: CoverFonts;
  /** The inspection pool that self-checks every cover at 200 dpi. */
  pool: InspectionPool;
  onProgress?: (done: number, total: number) => void;
  /** Stops the self-check (time budget, or the person cancelled): covers checked by then are kept, the rest refused. */
  signal?: AbortSignal;
  /**
   * Ends the whole batch (Ctrl+C): `inspection-cancelled` is thrown at the next cover, the scratch
   * file is removed, and no further file is written (those already written are complete).
   */
  stop?: AbortSignal;
}

/** A file name from an image code, safe on every system (shared rules: file-names.ts) and unique in `used` regardless of case. */
export function coverFileName(code: string, used: Set<string>): string {
  return claimFileName(code, '.pdf', used);
}

/**
 * Validates, de-duplicates, builds and self-checks covers. A cover is written only if its page,
 * rendered at 200 dpi by the inspection engine, gets the verdict `ok` with exactly its own code;
 * otherwise it is rejected with the reason. Files appear complete or not at all (temp + rename).
 */
export async function writeCovers(requests: CoverRequest[], options: WriteCoversOptions): Promise<CoverBatchResult> {
  try {
    return await writeCoverBatch(requests, options);
  } catch (error) {
    if (options.stop?.aborted) throw new CoreError('inspection-cancelled', { name: path.basename(options.out ?? options.outDir ?? '') }, { cause: error });
    throw error;
  }
}

async function writeCoverBatch(requests: CoverRequest[], options: WriteCoversOptions): Promise<CoverBatchResult> {
  const rejected: CoverBatchResult['rejected'] = [];
  const accepted: CoverRequest[] = [];
  const firstLine = new Map<string, number>();
  for (const request of requests) {
    const checked = validateCoverFields(request.fields, options.rules);
    if (!checked.ok) {
      rejected.push({ line: request.line, code: request.fields.code ?? '', problem: checked.problem });
      continue;
    }
    const seen = firstLine.get(checked.fields.code);
    if (seen !== undefined) {
      rejected.push({ line: request.line, code: checked.fields.code, problem: { reason: 'duplicate-code', firstLine: seen } });
      continue;
    }
    firstLine.set(checked.fields.code, request.line);
    accepted.push({ line: request.line, fields: checked.fields });
  }
  const timings = { buildMs: 0, checkMs: 0 };
  const written: CoverBatchResult['written'] = [];
  if (accepted.length === 0) return { written, rejected, timings };
  if (options.out) {
    const { kept, bytes: checkedBytes } = await buildChecked(accepted, options, timings, rejected);
    if (kept.length > 0) {
      // The checked PDF is the final one unless some covers were refused.
      const bytes = kept.length === accepted.length ? checkedBytes : await timed(timings, 'buildMs', () => buildCoverPdf(kept.map((request) => request.fields), options.fonts, options.layout, options.labels, undefined, options.stop));
      options.stop?.throwIfAborted();
      await writeOut(options.out, bytes);
      for (const request of kept) written.push({ code: request.fields.code, file: options.out, pages: 1 });
    }
  } else if (options.outDir) {
    await fs.mkdir(options.outDir, { recursive: true }).catch((error: unknown) => {
      throw new CoreError('output-unwritable', { path: options.outDir ?? '', ...causeParams(error) }, { cause: error });
    });
    const used = new Set<string>();
    const { kept } = await buildChecked(accepted, options, timings, rejected);
    let done = 0;
    for (const request of kept) {
      const file = path.join(options.outDir, coverFileName(request.fields.code, used));
      const bytes = await timed(timings, 'buildMs', () => buildCoverPdf([request.fields], options.fonts, options.layout, options.labels, undefined, options.stop));
      options.stop?.throwIfAborted();
      await writeOut(file, bytes);
      written.push({ code: request.fields.code, file, pages: 1 });
      options.onProgress?.((done += 1), kept.length);
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  return { written, rejected, timings };
}

async function timed<T>(timings: CoverBatchResult['timings'], key: keyof CoverBatchResult['timings'], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[key] += performance.now() - started;
  }
}

async function writeOut(file: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
    throw new CoreError('output-unwritable', { path: file, ...causeParams(error) }, { cause: error });
  }
}

/**
 * Builds all accepted covers into one scratch PDF, has the inspection engine check every page,
 * and returns the requests whose page passed; the others join `rejected`.
 */
async function buildChecked(
  accepted: CoverRequest[],
  options: WriteCoversOptions,
  timings: CoverBatchResult['timings'],
  rejected: CoverBatchResult['rejected'],
): Promise<{ kept: CoverRequest[]; bytes: Uint8Array }> {
  const bytes = await timed(timings, 'buildMs', () => buildCoverPdf(accepted.map((request) => request.fields), options.fonts, options.layout, options.labels, undefined, options.stop));
  const scratch = path.join(path.dirname(options.out ?? path.join(options.outDir ?? '.', 'x')), `.scan-station-selfcheck-${randomBytes(6).toString('hex')}.pdf`);
  await writeOut(scratch, bytes);
  try {
    const signals = [options.signal, options.stop].filter((signal) => signal !== undefined);
    const report = await timed(timings, 'checkMs', () => selfCheckPdf(scratch, accepted.length, { ...options, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] }));
    options.stop?.throwIfAborted();
    const kept: CoverRequest[] = [];
    accepted.forEach((request, index) => {
      const page = report.pages.find((candidate) => candidate.page === index + 1);
      const codes = page?.codes.map((code) => code.value) ?? [];
      if (page && page.verdict === 'ok' && codes.length === 1 && codes[0] === request.fields.code && page.codes[0]?.corner === options.layout.corner) {
        kept.push(request);
        return;
      }
      if (!page && report.error?.code === 'inspection-cancelled') {
        rejected.push({ line: request.line, code: request.fields.code, problem: { reason: 'not-checked-in-time' } });
        return;
      }
      const detail = report.error ? report.error.code : page ? [page.verdict, ...page.problems.map((problem) => problem.code)].join(',') : 'page not checked';
      rejected.push({ line: request.line, code: request.fields.code, problem: { reason: 'self-check-failed', detail } });
    });
    return { kept, bytes };
  } finally {
    await fs.rm(scratch, { force: true });
  }
}

/** Below this many covers one worker checks them all (splitting costs a second document load). */
const splitCheckFrom = 40;

/**
 * Self-checks a cover PDF: only the corner where the layout puts the symbol is rendered, at 200 dpi,
 * and judged by the inspection engine exactly as a whole page would be (placement, module size,
 * quiet zone, contrast, the code). Large batches are shared between the pool's workers by page range.
 */
export async function selfCheckPdf(file: string, pageCount: number, options: Pick<WriteCoversOptions, 'pool' | 'layout' | 'rules' | 'onProgress' | 'signal'>): Promise<DocumentReport> {
  const settings = { ...defaultInspectionSettings, stationDpi: 200, renderDpi: 200, pattern: options.rules.pattern.source, prefixes: options.rules.prefixes, clipMm: selfCheckClipMm(options.layout, quietZoneCap) };
  const parts = pageCount >= splitCheckFrom ? Math.max(1, options.pool.size) : 1;
  let done = 0;
  return inspectInParts(options.pool, file, settings, parts, () => options.onProgress?.((done += 1), pageCount), options.signal);
}

/** The audit lines of a written batch: one per cover, with its bill number (support searches by it). */
export function coverMadeRecords(requests: CoverRequest[], written: CoverBatchResult['written'], perFile: boolean): AuditRecord[] {
  const billNos = new Map(requests.map((request) => [request.fields.code, request.fields.billNo]));
  return written.map((entry) => ({ event: 'cover-made', code: entry.code, ...(billNos.get(entry.code) ? { billNo: billNos.get(entry.code) } : {}), ...(perFile ? { source: path.basename(entry.file) } : {}) }));
}

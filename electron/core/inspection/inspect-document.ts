import { causeParams, CoreError } from '../base/errors.js';
import type { DocumentLimits } from '../document/document-limits.js';
import { readPageRegion } from '../document/crop-page.js';
import { openDocument } from '../document/read-document.js';
import type { ClipMm, OpenedDocument, PageRaster, PixelScratch } from '../document/opened-document.js';
import { findTopCornerCodes } from '../qr/find-qr-codes.js';
import { classifyPayload } from '../codes/image-code-rules.js';
import type { AppErrorInfo } from '../../shared/error-codes.js';
import { formatErrorEnglish } from '../base/errors.js';
import { annotatePage } from './annotate-page.js';
import { inspectPage, type InspectOptions, type PageReport } from './inspect-page.js';

/** Options for checking one file. */
export interface InspectDocumentOptions extends InspectOptions {
  limits?: DocumentLimits;
  renderDpi?: number;
  /** Produce an annotated PNG per page. */
  annotate?: boolean;
  /** Check only this rectangle of every page (rendered alone where the format allows). */
  clipMm?: ClipMm;
  /** Check only these pages (1-based, inclusive; every `step`-th from `first`: workers sharing a file). */
  pages?: { first: number; last?: number; step?: number };
  /** A reused buffer for decoded pages (a worker checks one page at a time). */
  scratch?: PixelScratch;
}

/** A page's report with its annotated image when asked for. */
export interface InspectedPage {
  report: PageReport;
  annotation?: Buffer;
}

/** The check of one file: its pages, or the error that stopped it (earlier pages are kept). */
export interface DocumentReport {
  name: string;
  pageCount: number;
  error: AppErrorInfo | null;
  pages: PageReport[];
}

/** Share of the page height decoded first in fast mode. */
const fastBandShare = 0.3;

/**
 * Fast mode decodes only the top band and stops there when a cover code sits in a top corner;
 * anything else (no code, an invoice QR, an annotation request) falls back to the whole page.
 */
async function inspectOnePage(document: OpenedDocument, index: number, options: InspectDocumentOptions): Promise<{ raster: PageRaster; report: PageReport }> {
  if (options.clipMm) {
    const region = await readPageRegion(document, index, options.clipMm);
    return { raster: region, report: await inspectPage(region, options) };
  }
  if (options.mode === 'fast' && !options.annotate) {
    const band = await document.readPage(index, { topShare: fastBandShare });
    const found = await findTopCornerCodes(band.image);
    if (found.some((symbol) => classifyPayload(symbol.text, options.rules).kind === 'cover')) {
      return { raster: band, report: await inspectPage(band, options, found) };
    }
    if (band.coverage >= 1) return { raster: band, report: await inspectPage(band, options) };
  }
  const raster = await document.readPage(index);
  return { raster, report: await inspectPage(raster, options) };
}

/**
 * Checks every page of a file, one page in memory at a time, calling `onPage` as each finishes.
 * A bad file becomes a report with an error, never a throw: a batch always completes.
 */
export async function inspectDocument(
  source: string | { name: string; bytes: Uint8Array },
  options: InspectDocumentOptions,
  onPage: (page: InspectedPage, pageCount: number) => void | Promise<void> = () => undefined,
): Promise<DocumentReport> {
  const name = typeof source === 'string' ? source : source.name;
  const pages: PageReport[] = [];
  let pageCount = 0;
  try {
    const document = await openDocument(source, { limits: options.limits, renderDpi: options.renderDpi, fallbackDpi: options.stationDpi, scratch: options.scratch });
    pageCount = document.pageCount;
    try {
      const first = Math.max(1, options.pages?.first ?? 1) - 1;
      const end = Math.min(document.pageCount, options.pages?.last ?? document.pageCount);
      const step = Math.max(1, options.pages?.step ?? 1);
      for (let index = first; index < end; index += step) {
        const { raster, report } = await inspectOnePage(document, index, options);
        pages.push(report);
        await onPage({ report, annotation: options.annotate ? await annotatePage(raster, report) : undefined }, pageCount);
      }
    } finally {
      document.close();
    }
    return { name, pageCount, error: null, pages };
  } catch (error) {
    if (error instanceof CoreError) return { name, pageCount, error: { code: error.code, message: error.message, params: error.params }, pages };
    // Not a typed error: a bug or an engine failure on this file. Report it; the batch goes on.
    const params = { name, ...causeParams(error) };
    return { name, pageCount, error: { code: 'inspection-crashed', message: formatErrorEnglish('inspection-crashed', params), params }, pages };
  }
}

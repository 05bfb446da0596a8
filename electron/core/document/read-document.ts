// The entry every reader of documents uses: openDocument checks a file, picks the reader for its kind and guards what it reads.
import path from 'node:path';
import { causeParams, CoreError } from '../base/errors.js';
import { checkDocumentFile, checkDocumentHead } from './check-document.js';
import { defaultDocumentLimits, type DocumentLimits } from './document-limits.js';
import type { GrayImage } from './gray-image.js';
import type { ClipMm, OpenContext, OpenedDocument, PixelScratch } from './opened-document.js';
import { openPdf } from './read-pdf.js';
import { openRaster } from './read-raster.js';
import { openSimpleScannerPdf } from './read-scanner-pdf.js';
import { openScannerPdf } from './scanner-pdf.js';

/** Options for opening a document. */
export interface OpenDocumentOptions {
  limits?: DocumentLimits;
  /** Rendering resolution for vector PDF pages. */
  renderDpi?: number;
  /** Resolution assumed for images that do not record one. */
  fallbackDpi?: number;
  /**
   * Decode JPEG pages into this reused buffer: a page read is then valid only until the next page
   * is read (one page at a time, as `check` reads). Without it every page gets its own pixels.
   */
  scratch?: PixelScratch;
}

/** Opens a file or an in-memory buffer (named `name` in messages) for page-by-page reading. */
export async function openDocument(source: string | { name: string; bytes: Uint8Array }, options: OpenDocumentOptions = {}): Promise<OpenedDocument> {
  const limits = options.limits ?? defaultDocumentLimits;
  const name = typeof source === 'string' ? path.basename(source) : source.name;
  const { size, format } = typeof source === 'string' ? await checkDocumentFile(source, limits) : { size: source.bytes.length, format: checkDocumentHead(name, source.bytes.length, source.bytes.subarray(0, 1024), limits) };
  const context = { name, limits, renderDpi: options.renderDpi ?? 200, fallbackDpi: options.fallbackDpi ?? 200, scratch: options.scratch };
  const input = typeof source === 'string' ? { file: source, size } : { bytes: source.bytes };
  if (format === 'pdf' && typeof source === 'string') {
    const simple = await openScannerPdf(source, size, limits.maxPages).catch((error: unknown) => {
      throw new CoreError('file-unreadable', { name, ...causeParams(error) }, { cause: error });
    });
    if (simple && simple.pages.length > limits.maxPages) {
      await simple.close();
      // Reading stopped one page past the limit: the count is the tree's own when it agrees, else unknown.
      const declared = simple.declaredPages;
      if (declared !== null && declared > limits.maxPages) throw new CoreError('too-many-pages', { name, pages: declared, limit: limits.maxPages });
      throw new CoreError('too-many-pages', { name, limit: limits.maxPages, context: 'uncounted' });
    }
    if (simple && simple.pages.every((page) => Math.abs(page.width / page.widthPt - page.height / page.heightPt) / (page.width / page.widthPt) <= 0.02)) return guardDocument(openSimpleScannerPdf(simple, context), context);
    await simple?.close();
  }
  const opened = await (format === 'pdf' ? openPdf(input, context) : openRaster(typeof source === 'string' ? source : source.bytes, format, context)).catch((error: unknown) => {
    throw error instanceof CoreError ? error : new CoreError(format === 'pdf' ? 'corrupt-pdf' : 'corrupt-image', { name, ...causeParams(error) }, { cause: error });
  });
  return guardDocument(opened, context);
}

/**
 * Holds every page reader of a document to two promises: whatever a library throws (PDFium,
 * libvips, libjpeg-turbo) leaves as a CoreError naming the file, and a page always has pixels. A
 * PDF whose page tree loops gave PDFium a page of 0 × 0 points, whose empty raster then made sharp
 * throw outside any file's job and stopped the whole intake.
 */
function guardDocument(document: OpenedDocument, context: OpenContext): OpenedDocument {
  const damaged = document.format === 'pdf' ? 'corrupt-pdf' : 'corrupt-image';
  const typed = (error: unknown): CoreError => (error instanceof CoreError ? error : new CoreError(damaged, { name: context.name, ...causeParams(error) }, { cause: error }));
  const guard = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw typed(error);
    }
  };
  const checked = <T extends { image: GrayImage }>(read: T): T => {
    const { width, height, data } = read.image;
    if (!(width > 0 && height > 0 && data.length >= width * height)) throw new CoreError(damaged, { name: context.name, reason: 'empty-page' });
    return read;
  };
  const { readEncoded, readRegion } = document;
  return {
    format: document.format,
    pageCount: document.pageCount,
    readPage: (index, region) => guard(async () => checked(await document.readPage(index, region))),
    readOverview: (index) => guard(async () => checked(await document.readOverview(index))),
    ...(readEncoded ? { readEncoded: (index: number) => guard(() => readEncoded.call(document, index)) } : {}),
    ...(readRegion ? { readRegion: (index: number, clipMm: ClipMm) => guard(async () => checked(await readRegion.call(document, index, clipMm))) } : {}),
    close() {
      try {
        document.close();
      } catch {
        // A document whose engine already failed cannot fail its reader a second time.
      }
    },
  };
}

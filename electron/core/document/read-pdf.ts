import type { PDFiumDocument, PDFiumLibrary, PDFiumPage } from '@hyzyla/pdfium';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { causeParams, CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import type { GrayImage } from './gray-image.js';
import { defaultDocumentLimits, type DocumentLimits } from './document-limits.js';
import { checkDocumentFile, checkDocumentHead, checkPixels } from './check-document.js';
import { clipPixels, cropRaster, topRows } from './crop-page.js';
import { decodeGray, decodeJpegGray, decodeJpegLumaChecked, jpegFailOn } from './decode-gray.js';
import type { DocumentFormat } from './detect-format.js';
import { jpegSourceOfBytes, type JpegSource } from './jpeg-compact.js';
import { jpegOverview, overviewOf, overviewOfImage } from './page-overview.js';
import { closeUnrenderedPage, loadPdfium, markPdfiumFailed, pageQuarterTurns, pdfiumHeapLimit, pdfiumRanOutOfHeap, pdfiumWorkingHeap, readPdfIntoPdfium, renderPageRegion, type PdfiumFileBuffer } from './pdfium.js';
import { readPageJpeg, withFileSource } from './read-page-jpeg.js';
import { openScannerPdf, type ScannerPdf } from './scanner-pdf.js';
import type { ClipMm, OpenContext, OpenedDocument, PageRaster } from './opened-document.js';

/** Options for opening a document. */
export interface OpenDocumentOptions {
  limits?: DocumentLimits;
  /** Rendering resolution for vector PDF pages. */
  renderDpi?: number;
  /** Resolution assumed for images that do not record one. */
  fallbackDpi?: number;
}

/** Opens a file or an in-memory buffer (named `name` in messages) for page-by-page reading. */
export async function openDocument(source: string | { name: string; bytes: Uint8Array }, options: OpenDocumentOptions = {}): Promise<OpenedDocument> {
  const limits = options.limits ?? defaultDocumentLimits;
  const name = typeof source === 'string' ? path.basename(source) : source.name;
  const { size, format } = typeof source === 'string' ? await checkDocumentFile(source, limits) : { size: source.bytes.length, format: checkDocumentHead(name, source.bytes.length, source.bytes.subarray(0, 1024), limits) };
  const context = { name, limits, renderDpi: options.renderDpi ?? 200, fallbackDpi: options.fallbackDpi ?? 200 };
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

/**
 * A scanner PDF whose pages are each one JPEG over the whole page: pages are read straight from
 * the file, one at a time, without PDFium (which would hold the whole file in its heap).
 */
function openSimpleScannerPdf(pdf: ScannerPdf, context: OpenContext): OpenedDocument {
  // The last page's bytes and luma are kept: a split reads the band, then the overview (and
  // sometimes the whole) of the same page, and libjpeg-turbo decodes the luma once for all three.
  let last: { index: number; bytes: Uint8Array } | null = null;
  let lastLuma: { index: number; luma: Promise<GrayImage | null> } | null = null;
  const lumaOf = (index: number, bytes: Uint8Array): Promise<GrayImage | null> => {
    if (lastLuma?.index !== index) {
      const page = pdf.pages[index] as ScannerPdf['pages'][number];
      lastLuma = { index, luma: decodeJpegLumaChecked(bytes, page.width, page.height, context) };
    }
    return lastLuma.luma;
  };
  const readJpeg = async (index: number): Promise<Uint8Array> => {
    if (last?.index === index) return last.bytes;
    const page = pdf.pages[index] as ScannerPdf['pages'][number];
    checkPixels(context, index + 1, page.width, page.height);
    const fileError = (error: unknown) => {
      throw error instanceof CoreError ? error : new CoreError('corrupt-pdf', { name: context.name, ...causeParams(error) }, { cause: error });
    };
    // A usual page is read in one piece and trimmed in memory; a large one piece by piece, only what is kept.
    const source: JpegSource = page.length <= wholeReadBytes ? jpegSourceOfBytes(await pdf.readJpeg(index).catch(fileError)) : { size: page.length, read: (offset, length) => pdf.readJpegRange(index, offset, length) };
    const bytes = await readPageJpeg(source, { name: context.name, page: index + 1, width: page.width, height: page.height }).catch(fileError);
    last = { index, bytes };
    return bytes;
  };
  return {
    format: 'pdf',
    pageCount: pdf.pages.length,
    async readPage(index, region) {
      const page = pdf.pages[index] as ScannerPdf['pages'][number];
      const bytes = await readJpeg(index);
      const widthMm = (page.widthPt / 72) * 25.4;
      const heightMm = (page.heightPt / 72) * 25.4;
      const base = { page: index + 1, dpi: page.width / (widthMm / 25.4), widthMm, heightMm, dpiAssumed: false };
      const luma = region?.exact ? null : await lumaOf(index, bytes);
      const image = luma ? (region && region.topShare < 1 ? topRows(luma, region.topShare) : luma) : await decodeJpegGray(bytes, page.width, page.height, context, region);
      return { ...base, image, source: 'pdf-embedded-jpeg', coverage: image.height / page.height, ...(region ? {} : { encoded: { format: 'jpeg' as const, bytes } }) };
    },
    async readEncoded(index) {
      const page = pdf.pages[index] as ScannerPdf['pages'][number];
      return { bytes: await readJpeg(index), width: page.width, height: page.height, dpi: page.width / (page.widthPt / 72) };
    },
    async readOverview(index) {
      const page = pdf.pages[index] as ScannerPdf['pages'][number];
      const bytes = await readJpeg(index);
      const dpi = page.width / (page.widthPt / 72);
      const luma = await lumaOf(index, bytes);
      return luma ? overviewOfImage(luma, dpi) : jpegOverview(bytes, page.width, page.height, dpi, context);
    },
    close() {
      void pdf.close();
    },
  };
}

/** A scanner PDF's page JPEG up to this size is read in one piece (one read instead of one per segment). */
const wholeReadBytes = 8 * 1024 * 1024;

/** Raster files: libvips reads the file itself (sequentially), so no JavaScript copy is held. */
async function openRaster(input: string | Uint8Array, format: DocumentFormat, context: OpenContext): Promise<OpenedDocument> {
  // A JPEG is trimmed of its padding before libvips sees it: libjpeg holds the APP segments libvips
  // asks for in memory (a JPEG with 900 MB of APP padding peaked at 1 GB in metadata() alone).
  const page = { name: context.name, page: 1 };
  const bytes = format !== 'jpeg' ? input : typeof input === 'string' ? await withFileSource(input, (source) => readPageJpeg(source, page)) : await readPageJpeg(jpegSourceOfBytes(input), page);
  let meta: Metadata;
  try {
    // Header only: a PNG declaring 60,000 × 60,000 pixels is refused before a byte is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new CoreError('corrupt-image', { name: context.name, ...causeParams(error) }, { cause: error });
  }
  const pageCount = meta.pages ?? 1;
  if (pageCount > context.limits.maxPages) throw new CoreError('too-many-pages', { name: context.name, pages: pageCount, limit: context.limits.maxPages });
  const dpiAssumed = !meta.density || meta.density < 50;
  const dpi = dpiAssumed ? context.fallbackDpi : (meta.density as number);
  const jpegBytes = async (): Promise<Uint8Array> => (typeof bytes === 'string' ? new Uint8Array(await fs.readFile(bytes)) : bytes);
  const document: OpenedDocument = {
    format,
    pageCount,
    async readPage(index, region) {
      const page = index + 1;
      let image: GrayImage;
      let fullHeight: number;
      try {
        if (format === 'jpeg' && (meta.orientation ?? 1) === 1) {
          // An upright JPEG: libjpeg-turbo decodes its luma only (libvips when it cannot).
          checkPixels(context, page, meta.width ?? 0, meta.height ?? 0);
          const jpeg = await jpegBytes();
          fullHeight = meta.height ?? 0;
          image = await decodeJpegGray(jpeg, meta.width ?? 0, fullHeight, context, region);
          return { page, image, dpi, widthMm: (image.width / dpi) * 25.4, heightMm: (fullHeight / dpi) * 25.4, source: 'image', dpiAssumed, coverage: image.height / fullHeight, ...(region ? {} : { encoded: { format: 'jpeg' as const, bytes: jpeg } }) };
        }
        const input = sharp(bytes, { page: index, pages: 1, limitInputPixels: context.limits.maxPixels, failOn: 'error' });
        const pageMeta = index === 0 ? meta : await input.metadata();
        const storedWidth = pageMeta.width ?? 0;
        const storedHeight = pageMeta.pageHeight ?? pageMeta.height ?? 0;
        checkPixels(context, page, storedWidth, storedHeight);
        // EXIF/TIFF orientation (a phone photo of a printed template): read the page as it is shown.
        const orientation = pageMeta.orientation ?? 1;
        if (orientation > 1) input.rotate();
        const quarterTurned = orientation >= 5;
        fullHeight = quarterTurned ? storedWidth : storedHeight;
        image = await decodeGray(input, quarterTurned ? storedHeight : storedWidth, fullHeight, pageMeta.channels ?? 1, region);
      } catch (error) {
        if (error instanceof CoreError) throw error;
        throw new CoreError('corrupt-image', { name: context.name, ...causeParams(error) }, { cause: error });
      }
      return {
        page,
        image,
        dpi,
        widthMm: (image.width / dpi) * 25.4,
        heightMm: (fullHeight / dpi) * 25.4,
        source: 'image',
        dpiAssumed,
        coverage: image.height / fullHeight,
        ...(format === 'jpeg' && !region ? { encoded: { format: 'jpeg' as const, bytes: await jpegBytes() } } : {}),
      };
    },
    ...(format === 'jpeg' && (meta.orientation ?? 1) === 1
      ? {
          readEncoded: async () => ({ bytes: await jpegBytes(), width: meta.width ?? 0, height: meta.height ?? 0, dpi }),
          readOverview: async () => {
            checkPixels(context, 1, meta.width ?? 0, meta.height ?? 0);
            return jpegOverview(bytes, meta.width ?? 0, meta.height ?? 0, dpi, context);
          },
        }
      : { readOverview: async (index: number) => overviewOf(await document.readPage(index)) }),
    close() {},
  };
  return document;
}

/**
 * PDFium keeps every stream it has read (each page's image) until the document is closed, about
 * one page's bytes per page; closing and reopening every this-many pages keeps a 1,000-page scan
 * from carrying all of them at once.
 */
export const pdfRecycleInterval = 64;

/**
 * Opens a PDF on a PDFium instance whose heap is capped (the file plus `pdfiumWorkingHeap`, at
 * least `pdfiumHeapFloor`). A read that ran into the cap is refused as `pdf-memory` even when PDFium
 * returned something (it may have left out what it could not allocate); after any failure the
 * instance is retired, so the next file gets a fresh one.
 */
async function openPdf(input: { file: string; size: number } | { bytes: Uint8Array }, context: OpenContext): Promise<OpenedDocument> {
  const size = 'file' in input ? input.size : input.bytes.length;
  const pdfium = await loadPdfium({ heapLimit: size + pdfiumWorkingHeap });
  const outOfHeap = (error?: unknown) => new CoreError('corrupt-pdf', { name: context.name, reason: 'pdf-memory', limit: formatBytes(pdfiumHeapLimit(pdfium)) }, { cause: error });
  const watched = async <T>(call: () => Promise<T>): Promise<T> => {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      // A throw inside PDFium (an abort among them) may leave its state half-changed: never reused.
      markPdfiumFailed(pdfium);
      throw pdfiumRanOutOfHeap(pdfium) ? outOfHeap(error) : error;
    }
    if (pdfiumRanOutOfHeap(pdfium)) {
      markPdfiumFailed(pdfium);
      throw outOfHeap();
    }
    return result;
  };
  const opened = await watched(() => openPdfOn(pdfium, input, context));
  return {
    format: opened.format,
    pageCount: opened.pageCount,
    readPage: (index, region) => watched(() => opened.readPage(index, region)),
    readOverview: (index) => watched(() => opened.readOverview(index)),
    readRegion: (index, clipMm) => watched(() => (opened.readRegion as NonNullable<OpenedDocument['readRegion']>)(index, clipMm)),
    close: () => opened.close(),
  };
}

async function openPdfOn(pdfium: PDFiumLibrary, input: { file: string; size: number } | { bytes: Uint8Array }, context: OpenContext): Promise<OpenedDocument> {
  const failure = (error: unknown) => {
    const params = causeParams(error);
    if (/password/i.test(params.detail)) return new CoreError('pdf-encrypted', { name: context.name }, { cause: error });
    // PDFium says "File not in PDF format or corrupted" for both; to a clerk that is one case.
    return new CoreError('corrupt-pdf', { name: context.name, ...params, reason: params.reason === 'unrecognised' ? 'not-pdf' : params.reason }, { cause: error });
  };
  let buffer: PdfiumFileBuffer | null = null;
  if ('file' in input) {
    try {
      buffer = await readPdfIntoPdfium(pdfium, input.file, input.size);
    } catch (error) {
      throw failure(error);
    }
  }
  const load = async (): Promise<PDFiumDocument> => {
    try {
      return buffer ? buffer.open() : await pdfium.loadDocument((input as { bytes: Uint8Array }).bytes);
    } catch (error) {
      throw failure(error);
    }
  };
  let document: PDFiumDocument;
  try {
    document = await load();
  } catch (error) {
    buffer?.free();
    throw error;
  }
  let pagesSinceLoad = 0;
  const closeAll = () => {
    document.destroy();
    buffer?.free();
  };
  const pageCount = document.getPageCount();
  if (pageCount > context.limits.maxPages) {
    closeAll();
    throw new CoreError('too-many-pages', { name: context.name, pages: pageCount, limit: context.limits.maxPages });
  }
  if (pageCount === 0) {
    closeAll();
    throw new CoreError('corrupt-pdf', { name: context.name, reason: 'no-pages' });
  }
  /** Loads one page, reopening the document every `pdfRecycleInterval` pages (PDFium keeps what it read). */
  const loadPage = async (index: number): Promise<PDFiumPage> => {
    if (pagesSinceLoad >= pdfRecycleInterval) {
      document.destroy();
      document = await load();
      pagesSinceLoad = 0;
    }
    pagesSinceLoad += 1;
    try {
      return document.getPage(index);
    } catch (error) {
      throw new CoreError('corrupt-pdf', { name: context.name, ...causeParams(error) }, { cause: error });
    }
  };
  const opened: OpenedDocument = {
    format: 'pdf',
    pageCount,
    async readPage(index, region) {
      const page = await loadPage(index);
      const { originalWidth, originalHeight } = page.getOriginalSize();
      const widthMm = (originalWidth / 72) * 25.4;
      const heightMm = (originalHeight / 72) * 25.4;
      let embedded: PageRaster | null;
      try {
        // A rotated page (/Rotate) shows its image turned: only PDFium's renderer draws it the way a person sees it.
        embedded = pageQuarterTurns(page) === 0 ? await readEmbeddedScan(page, widthMm, heightMm, context, index + 1, region) : null;
      } catch (error) {
        closeUnrenderedPage(page);
        throw error;
      }
      if (embedded) {
        closeUnrenderedPage(page);
        return embedded;
      }
      // render() closes the page itself.
      const scale = context.renderDpi / 72;
      checkPixels(context, index + 1, Math.round(originalWidth * scale), Math.round(originalHeight * scale));
      try {
        const rendered = await page.render({ scale, colorSpace: 'Gray', render: 'bitmap' });
        return {
          page: index + 1,
          image: { data: toGray(rendered.data, rendered.width, rendered.height), width: rendered.width, height: rendered.height },
          dpi: rendered.width / (widthMm / 25.4),
          widthMm,
          heightMm,
          source: 'pdf-render',
          dpiAssumed: false,
          coverage: 1,
        };
      } catch (error) {
        if (error instanceof CoreError) throw error;
        throw new CoreError('corrupt-pdf', { name: context.name, ...causeParams(error) }, { cause: error });
      }
    },
    readOverview: async (index) => overviewOf(await opened.readPage(index)),
    async readRegion(index, clipMm) {
      const page = await loadPage(index);
      // A scanned or rotated page is read whole (its image is the page), then cut.
      if (pageQuarterTurns(page) !== 0 || (page.getObjectCount() === 1 && page.getObject(0).type === 'image')) {
        closeUnrenderedPage(page);
        return cropRaster(await opened.readPage(index), clipMm);
      }
      const { originalWidth, originalHeight } = page.getOriginalSize();
      const widthMm = (originalWidth / 72) * 25.4;
      const heightMm = (originalHeight / 72) * 25.4;
      const scale = context.renderDpi / 72;
      const clip = clipPixels(clipMm, context.renderDpi, Math.round(originalWidth * scale), Math.round(originalHeight * scale));
      checkPixels(context, index + 1, clip.width, clip.height);
      try {
        const data = renderPageRegion(page, scale, clip);
        return { page: index + 1, image: { data, width: clip.width, height: clip.height }, dpi: context.renderDpi, widthMm, heightMm, source: 'pdf-render', dpiAssumed: false, coverage: 1, origin: { x: clip.x, y: clip.y } };
      } catch (error) {
        throw new CoreError('corrupt-pdf', { name: context.name, ...causeParams(error) }, { cause: error });
      }
    },
    close() {
      closeAll();
    },
  };
  return opened;
}

/** PDFium's gray bitmaps are one byte per pixel; its BGRA ones are reduced to their green channel. */
function toGray(data: Uint8Array, width: number, height: number): Uint8Array {
  if (data.length === width * height) return data;
  const gray = new Uint8Array(width * height);
  const stride = data.length / (width * height);
  for (let i = 0; i < gray.length; i += 1) gray[i] = data[i * stride + 1] ?? 255;
  return gray;
}

/**
 * A scanner PDF page is one image covering the whole page. Taking that image's own pixels is exact
 * (no resampling) and several times faster than rendering; anything else is rendered.
 */
async function readEmbeddedScan(
  page: PDFiumPage,
  widthMm: number,
  heightMm: number,
  context: OpenContext,
  pageNumber: number,
  region?: { topShare: number },
): Promise<PageRaster | null> {
  if (page.getObjectCount() !== 1) return null;
  const object = page.getObject(0);
  if (object.type !== 'image') return null;
  const raw = await object.getImageDataRaw().catch(() => null);
  if (!raw || raw.width <= 0 || raw.height <= 0) return null;
  // The image must fill the page at one resolution in both directions (no crop, no rotation).
  const dpiX = raw.width / (widthMm / 25.4);
  const dpiY = raw.height / (heightMm / 25.4);
  if (Math.abs(dpiX - dpiY) / dpiX > 0.02) return null;
  checkPixels(context, pageNumber, raw.width, raw.height);
  const base = { page: pageNumber, dpi: dpiX, widthMm, heightMm, dpiAssumed: false };
  if (raw.filters.length === 1 && raw.filters[0] === 'DCTDecode') {
    const jpeg = await readPageJpeg(jpegSourceOfBytes(raw.data), { name: context.name, page: pageNumber, width: raw.width, height: raw.height });
    try {
      const meta = await sharp(jpeg, { limitInputPixels: context.limits.maxPixels }).metadata();
      const input = sharp(jpeg, { limitInputPixels: context.limits.maxPixels, failOn: jpegFailOn });
      const image = await decodeGray(input, raw.width, raw.height, meta.channels ?? 1, region);
      return { ...base, image, source: 'pdf-embedded-jpeg', coverage: image.height / raw.height, ...(region ? {} : { encoded: { format: 'jpeg' as const, bytes: jpeg } }) };
    } catch (error) {
      throw new CoreError('corrupt-image', { name: context.name, ...causeParams(error) }, { cause: error });
    }
  }
  const rendered = await object.render({ render: 'bitmap' }).catch(() => null);
  if (!rendered || rendered.width !== raw.width || rendered.height !== raw.height) return null;
  return { ...base, image: { data: toGray(rendered.data, rendered.width, rendered.height), width: rendered.width, height: rendered.height }, source: 'pdf-embedded-image', coverage: 1 };
}

// Reading any PDF through PDFium (WebAssembly, heap-capped): a scanned page's own image when it is one, a rendering otherwise.
import type { PDFiumDocument, PDFiumLibrary, PDFiumPage } from '@hyzyla/pdfium';
import { sharp } from '../base/sharp.js';
import { causeParams, CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import { checkPixels } from './check-document.js';
import { clipPixels, cropRaster } from './crop-page.js';
import { decodeGray, jpegFailOn } from './decode-gray.js';
import { jpegSourceOfBytes } from './jpeg-compact.js';
import type { OpenContext, OpenedDocument, PageRaster } from './opened-document.js';
import { overviewOf } from './page-overview.js';
import { closeUnrenderedPage, loadPdfium, markPdfiumFailed, pageQuarterTurns, pdfiumHeapLimit, pdfiumRanOutOfHeap, pdfiumWorkingHeap, readPdfIntoPdfium, renderPageRegion, type PdfiumFileBuffer } from './pdfium.js';
import { readPageJpeg } from './read-page-jpeg.js';

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
export async function openPdf(input: { file: string; size: number } | { bytes: Uint8Array }, context: OpenContext): Promise<OpenedDocument> {
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

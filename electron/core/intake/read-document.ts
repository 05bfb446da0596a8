import type { PDFiumDocument, PDFiumPage } from '@hyzyla/pdfium';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { CoreError, describeCause } from '../errors.js';
import { formatBytes } from '../format.js';
import type { GrayImage } from '../qr/gray-image.js';
import { defaultDocumentLimits, type DocumentLimits } from './document-limits.js';
import { detectFormat, type DocumentFormat } from './detect-format.js';
import { loadPdfium } from './pdfium.js';

/** How a page's pixels were obtained. */
export type PageSource = 'image' | 'pdf-embedded-jpeg' | 'pdf-embedded-image' | 'pdf-render';

/** One page as gray pixels plus its physical size. */
export interface PageRaster {
  /** 1-based. */
  page: number;
  image: GrayImage;
  /** Pixels per inch of `image` (horizontal; scans are square-pixel). */
  dpi: number;
  widthMm: number;
  heightMm: number;
  source: PageSource;
  /** True when the file recorded no resolution and `fallbackDpi` was assumed. */
  dpiAssumed: boolean;
}

/** An opened input file whose pages are read one at a time (memory stays at one page). */
export interface OpenedDocument {
  format: DocumentFormat;
  pageCount: number;
  readPage(index: number): Promise<PageRaster>;
  close(): void;
}

/** Options for opening a document. */
export interface OpenDocumentOptions {
  limits?: DocumentLimits;
  /** Rendering resolution for vector PDF pages. */
  renderDpi?: number;
  /** Resolution assumed for images that do not record one. */
  fallbackDpi?: number;
}

sharp.concurrency(1);
sharp.cache(false);

/** Opens a file or an in-memory buffer (named `name` in messages) for page-by-page reading. */
export async function openDocument(source: string | { name: string; bytes: Uint8Array }, options: OpenDocumentOptions = {}): Promise<OpenedDocument> {
  const limits = options.limits ?? defaultDocumentLimits;
  const name = typeof source === 'string' ? path.basename(source) : source.name;
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    const stat = await fs.stat(source).catch((error: unknown) => {
      throw new CoreError('file-unreadable', { name, reason: describeCause(error) }, { cause: error });
    });
    if (!stat.isFile()) throw new CoreError('file-unreadable', { name, reason: 'not a regular file' });
    if (stat.size > limits.maxBytes) throw new CoreError('file-too-large', { name, size: formatBytes(stat.size), limit: formatBytes(limits.maxBytes) });
    bytes = await fs.readFile(source).catch((error: unknown) => {
      throw new CoreError('file-unreadable', { name, reason: describeCause(error) }, { cause: error });
    });
  } else {
    bytes = source.bytes;
    if (bytes.length > limits.maxBytes) throw new CoreError('file-too-large', { name, size: formatBytes(bytes.length), limit: formatBytes(limits.maxBytes) });
  }
  if (bytes.length === 0) throw new CoreError('file-empty', { name });
  const format = detectFormat(bytes.subarray(0, 1024));
  if (!format) throw new CoreError('unsupported-format', { name });
  const context = { name, limits, renderDpi: options.renderDpi ?? 200, fallbackDpi: options.fallbackDpi ?? 200 };
  return format === 'pdf' ? openPdf(bytes, context) : openRaster(bytes, format, context);
}

interface OpenContext {
  name: string;
  limits: DocumentLimits;
  renderDpi: number;
  fallbackDpi: number;
}

function checkPixels(context: OpenContext, page: number, width: number, height: number): void {
  if (width * height > context.limits.maxPixels) {
    throw new CoreError('image-too-large', { name: context.name, page, width, height, limit: Math.round(context.limits.maxPixels / 1e6) });
  }
}

async function openRaster(bytes: Uint8Array, format: DocumentFormat, context: OpenContext): Promise<OpenedDocument> {
  let meta: Metadata;
  try {
    // Header only: a PNG declaring 60,000 × 60,000 pixels is refused before a byte is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new CoreError('corrupt-image', { name: context.name, reason: describeCause(error) }, { cause: error });
  }
  const pageCount = meta.pages ?? 1;
  if (pageCount > context.limits.maxPages) throw new CoreError('too-many-pages', { name: context.name, pages: pageCount, limit: context.limits.maxPages });
  const dpiAssumed = !meta.density || meta.density < 50;
  const dpi = dpiAssumed ? context.fallbackDpi : (meta.density as number);
  return {
    format,
    pageCount,
    async readPage(index) {
      const page = index + 1;
      let decoded: { data: Buffer; info: OutputInfo };
      try {
        const input = sharp(bytes, { page: index, pages: 1, limitInputPixels: context.limits.maxPixels, failOn: 'error' });
        const pageMeta = index === 0 ? meta : await input.metadata();
        checkPixels(context, page, pageMeta.width ?? 0, pageMeta.pageHeight ?? pageMeta.height ?? 0);
        // "Fast gray": the green channel of colour scans, the only channel of gray and 1-bit ones.
        decoded = await input.extractChannel((pageMeta.channels ?? 1) >= 3 ? 1 : 0).raw().toBuffer({ resolveWithObject: true });
      } catch (error) {
        if (error instanceof CoreError) throw error;
        throw new CoreError('corrupt-image', { name: context.name, reason: describeCause(error) }, { cause: error });
      }
      const { width, height } = decoded.info;
      return {
        page,
        image: { data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length), width, height },
        dpi,
        widthMm: (width / dpi) * 25.4,
        heightMm: (height / dpi) * 25.4,
        source: 'image',
        dpiAssumed,
      };
    },
    close() {},
  };
}

async function openPdf(bytes: Uint8Array, context: OpenContext): Promise<OpenedDocument> {
  const pdfium = await loadPdfium();
  let document: PDFiumDocument;
  try {
    document = await pdfium.loadDocument(bytes);
  } catch (error) {
    const reason = describeCause(error);
    if (/password/i.test(reason)) throw new CoreError('pdf-encrypted', { name: context.name }, { cause: error });
    throw new CoreError('corrupt-pdf', { name: context.name, reason }, { cause: error });
  }
  const pageCount = document.getPageCount();
  if (pageCount > context.limits.maxPages) {
    document.destroy();
    throw new CoreError('too-many-pages', { name: context.name, pages: pageCount, limit: context.limits.maxPages });
  }
  if (pageCount === 0) {
    document.destroy();
    throw new CoreError('corrupt-pdf', { name: context.name, reason: 'no pages' });
  }
  return {
    format: 'pdf',
    pageCount,
    async readPage(index) {
      let page: PDFiumPage;
      try {
        page = document.getPage(index);
      } catch (error) {
        throw new CoreError('corrupt-pdf', { name: context.name, reason: describeCause(error) }, { cause: error });
      }
      const { originalWidth, originalHeight } = page.getOriginalSize();
      const widthMm = (originalWidth / 72) * 25.4;
      const heightMm = (originalHeight / 72) * 25.4;
      const embedded = await readEmbeddedScan(page, widthMm, heightMm, context, index + 1);
      if (embedded) return embedded;
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
        };
      } catch (error) {
        if (error instanceof CoreError) throw error;
        throw new CoreError('corrupt-pdf', { name: context.name, reason: describeCause(error) }, { cause: error });
      }
    },
    close() {
      document.destroy();
    },
  };
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
async function readEmbeddedScan(page: PDFiumPage, widthMm: number, heightMm: number, context: OpenContext, pageNumber: number): Promise<PageRaster | null> {
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
    try {
      const decoded = await sharp(raw.data, { limitInputPixels: context.limits.maxPixels, failOn: 'error' })
        .metadata()
        .then((meta) => sharp(raw.data, { failOn: 'error' }).extractChannel((meta.channels ?? 1) >= 3 ? 1 : 0).raw().toBuffer({ resolveWithObject: true }));
      return { ...base, image: { data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length), width: decoded.info.width, height: decoded.info.height }, source: 'pdf-embedded-jpeg' };
    } catch (error) {
      throw new CoreError('corrupt-image', { name: context.name, reason: describeCause(error) }, { cause: error });
    }
  }
  const rendered = await object.render({ render: 'bitmap' }).catch(() => null);
  if (!rendered || rendered.width !== raw.width || rendered.height !== raw.height) return null;
  return { ...base, image: { data: toGray(rendered.data, rendered.width, rendered.height), width: rendered.width, height: rendered.height }, source: 'pdf-embedded-image' };
}

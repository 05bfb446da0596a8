// Reading a simple scanner PDF (every page one JPEG over the whole page) page by page, straight from the file, without PDFium.
import { causeParams, CoreError } from '../base/errors.js';
import { checkPixels } from './check-document.js';
import { topRows } from './crop-page.js';
import { decodeJpegGray, decodeJpegLumaChecked } from './decode-gray.js';
import type { GrayImage } from './gray-image.js';
import { jpegSourceOfBytes, type JpegSource } from './jpeg-compact.js';
import type { OpenContext, OpenedDocument } from './opened-document.js';
import { jpegOverview, overviewOfImage } from './page-overview.js';
import { readPageJpeg } from './read-page-jpeg.js';
import type { ScannerPdf } from './scanner-pdf.js';

/**
 * A scanner PDF whose pages are each one JPEG over the whole page: pages are read straight from
 * the file, one at a time, without PDFium (which would hold the whole file in its heap).
 */
export function openSimpleScannerPdf(pdf: ScannerPdf, context: OpenContext): OpenedDocument {
  // The last page's bytes and luma are kept: a split reads the band, then the overview (and
  // sometimes the whole) of the same page, and libjpeg-turbo decodes the luma once for all three.
  let last: { index: number; bytes: Uint8Array } | null = null;
  let lastLuma: { index: number; luma: Promise<GrayImage | null> } | null = null;
  const lumaOf = (index: number, bytes: Uint8Array): Promise<GrayImage | null> => {
    if (lastLuma?.index !== index) {
      const page = pdf.pages[index] as ScannerPdf['pages'][number];
      lastLuma = { index, luma: decodeJpegLumaChecked(bytes, page.width, page.height, context, context.scratch?.take(page.width * page.height)) };
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
      const bytes = await readJpeg(index);
      // The bytes are handed over: a later read of this page reads the file again, never a buffer moved away.
      if (last?.index === index) last = null;
      return { bytes, owned: lastLuma?.index !== index, width: page.width, height: page.height, dpi: page.width / (page.widthPt / 72) };
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

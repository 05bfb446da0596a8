import sharp from 'sharp';
import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import type { DocumentLimits } from '../intake/document-limits.js';
import { defaultDocumentLimits } from '../intake/document-limits.js';
import { checkPixels, decodeJpegGray, overviewOfImage, topRows, type OpenContext, type OpenedDocument, type PageOverview, type PageRaster } from '../intake/read-document.js';
import { topBandShare } from '../qr/find-qr-codes.js';
import type { GrayImage } from '../qr/gray-image.js';
import { documentPageReads, gatherPageEvidence, judgeEvidenceWithQr, type ClassifyOptions, type PageEvidence, type PagePoint } from './classify-page.js';
import type { PageKind } from './split-stack.js';
import type { PageReaderPool } from './page-reader-pool.js';

/** A JPEG page sent to a page reader. */
export interface PageReadRequest {
  id: number;
  /** The file's name, for messages. */
  name: string;
  page: number;
  bytes: Uint8Array;
  width: number;
  height: number;
  dpi: number;
  limits: DocumentLimits;
}

/** What a page reader sends back: the evidence and the thumbnail. */
export interface JpegPageRead {
  evidence: PageEvidence;
  thumbPng: Uint8Array;
}

/** A page reader's answer. */
export type PageReadResponse = { id: number; read: JpegPageRead } | { id: number; error: { code: ErrorCode; params?: MessageParams } };

/** A small thumbnail for the Scan desk (the page as shown, 240 px high), from the page's overview. */
export async function thumbnailPng(overview: PageOverview): Promise<Uint8Array> {
  const { data, width, height } = overview.image;
  const png = await sharp(Buffer.from(data.buffer, data.byteOffset, data.length), { raw: { width, height, channels: 1 } }).resize({ height: 240 }).png({ compressionLevel: 2 }).toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

/**
 * Gathers a JPEG page's evidence and thumbnail from its bytes (what a worker does). `scratch`, when
 * given, holds the decoded page (reused page after page); nothing refers to it after the return.
 */
export async function readJpegEvidence(request: Omit<PageReadRequest, 'id'>, scratch?: Buffer): Promise<JpegPageRead> {
  const context: OpenContext = { name: request.name, limits: request.limits, renderDpi: request.dpi, fallbackDpi: request.dpi };
  checkPixels(context, request.page, request.width, request.height);
  const widthMm = (request.width / request.dpi) * 25.4;
  const heightMm = (request.height / request.dpi) * 25.4;
  const rasterOf = (image: GrayImage): PageRaster => ({ page: request.page, image, dpi: request.dpi, widthMm, heightMm, source: 'pdf-embedded-jpeg', dpiAssumed: false, coverage: image.height / request.height });
  // One decode serves the band, the overview and (for a turned cover) the whole page.
  const whole = await decodeJpegGray(request.bytes, request.width, request.height, context, undefined, scratch);
  const { evidence, overview } = await gatherPageEvidence({
    band: async () => rasterOf(topRows(whole, topBandShare)),
    exactBand: async () => rasterOf(await decodeJpegGray(request.bytes, request.width, request.height, context, { topShare: topBandShare, exact: true })),
    whole: async () => rasterOf(whole),
    overview: async () => overviewOfImage(whole, request.dpi),
  });
  return { evidence, thumbPng: await thumbnailPng(overview) };
}

/** One page of a stack as read for the split (and, when asked, for storing). */
export interface StackPageRead {
  index: number;
  what: PageKind;
  /** The corners of the QR the judgement rests on, as shares of the page; null without one. */
  qr: PagePoint[] | null;
  thumbPng: Uint8Array;
  /** The page as it will be stored and sent: its own JPEG bytes, or lossless PNG (only with `store`). */
  stored: { format: 'jpeg' | 'png'; bytes: Uint8Array } | null;
}

/** How a stack's pages are read. */
export interface ReadStackOptions extends ClassifyOptions {
  name: string;
  limits?: DocumentLimits;
  /** Page readers on worker threads; without them pages are read on this thread. */
  pool?: PageReaderPool;
  /** Also hand back each page as it will be stored. */
  store?: boolean;
}

/** A page as the imaging system will receive it when it is not a JPEG: lossless PNG (1-bit when bilevel). */
export async function encodeLosslessPage(raster: PageRaster): Promise<{ format: 'png'; bytes: Uint8Array }> {
  const { data, width, height } = raster.image;
  const bilevel = data.every((value) => value === 0 || value === 255);
  const png = sharp(Buffer.from(data.buffer, data.byteOffset, data.length), { raw: { width, height, channels: 1 } }).withMetadata({ density: raster.dpi });
  const bytes = bilevel ? await png.png({ palette: true, colours: 2, compressionLevel: 9 }).toBuffer() : await png.png({ compressionLevel: 6 }).toBuffer();
  return { format: 'png', bytes: new Uint8Array(bytes) };
}

/**
 * Reads every page of a document in order, a few pages ahead on the page readers when the pages
 * are JPEGs (a scanner PDF, a JPEG file): the main thread only reads bytes, the workers decode and
 * search, and pages still come out in order. Memory: at most `3 × pool size` pages in flight.
 */
export async function* readStackPages(document: OpenedDocument, options: ReadStackOptions): AsyncGenerator<StackPageRead> {
  const pool = document.readEncoded ? options.pool : undefined;
  if (!pool || !document.readEncoded) {
    for (let index = 0; index < document.pageCount; index += 1) {
      const { evidence, overview, whole } = await gatherPageEvidence(documentPageReads(document, index));
      let stored: StackPageRead['stored'] = null;
      if (options.store) {
        const encoded = document.readEncoded ? await document.readEncoded(index) : null;
        stored = whole?.encoded ?? (encoded ? { format: 'jpeg', bytes: encoded.bytes } : await encodeLosslessPage(whole ?? (await document.readPage(index))));
      }
      yield { index, ...judgeEvidenceWithQr(evidence, options), thumbPng: await thumbnailPng(overview), stored };
    }
    return;
  }
  const readEncoded = document.readEncoded.bind(document);
  // Every reader busy with its pages, and one more page read from disk per reader, waiting.
  const ahead = pool.size * (pool.pagesPerReader + 1);
  const inFlight: Array<Promise<{ index: number; bytes: Uint8Array; read: JpegPageRead }>> = [];
  let next = 0;
  const launch = () => {
    const index = next++;
    const read = readEncoded(index).then(async (encoded) => ({
        index,
        bytes: encoded.bytes,
        // The worker gets a copy; the bytes stay here to be stored.
        read: await pool.read({ name: options.name, page: index + 1, bytes: encoded.bytes.slice(), width: encoded.width, height: encoded.height, dpi: encoded.dpi, limits: options.limits ?? defaultDocumentLimits }),
      }));
    // Awaited in order below; a later page failing first must not count as unhandled meanwhile.
    read.catch(() => undefined);
    inFlight.push(read);
  };
  try {
    while (next < document.pageCount && inFlight.length < ahead) launch();
    while (inFlight.length > 0) {
      const { index, bytes, read } = await (inFlight.shift() as (typeof inFlight)[number]);
      if (next < document.pageCount) launch();
      yield { index, ...judgeEvidenceWithQr(read.evidence, options), thumbPng: read.thumbPng, stored: options.store ? { format: 'jpeg', bytes } : null };
    }
  } finally {
    // A failure or an early stop: let what is still running finish (its errors are not ours any more).
    await Promise.allSettled(inFlight);
  }
}

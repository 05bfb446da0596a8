// The page reader's job: one scanned JPEG page's evidence and thumbnail, from its bytes (run on a worker).
import { causeParams, CoreError } from '../base/errors.js';
import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import type { DocumentLimits } from '../document/document-limits.js';
import { checkPixels } from '../document/check-document.js';
import { topRows } from '../document/crop-page.js';
import { decodeJpegGray } from '../document/decode-gray.js';
import { overviewOfImage } from '../document/page-overview.js';
import type { OpenContext, PageOverview, PageRaster } from '../document/opened-document.js';
import { topBandShare } from '../qr/find-qr-codes.js';
import { resizeGrayToHeight, type GrayImage } from '../document/gray-image.js';
import { encodeGrayPng } from '../document/gray-png.js';
import { gatherPageEvidence, type PageEvidence } from './classify-page.js';

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
  /** Make the thumbnail (false: `thumbPng` comes back empty). */
  thumbnail?: boolean;
}

/** What a page reader sends back: the evidence and the thumbnail. */
export interface JpegPageRead {
  evidence: PageEvidence;
  thumbPng: Uint8Array;
}

/** A page reader's answer. */
export type PageReadResponse = { id: number; read: JpegPageRead } | { id: number; error: { code: ErrorCode; params?: MessageParams } };

/** A small thumbnail for the Scan desk (the page as shown, 240 px high), from the page's overview. */
export function thumbnailPng(overview: PageOverview): Uint8Array {
  return encodeGrayPng(resizeGrayToHeight(overview.image, thumbnailHeight));
}

/** Thumbnails are this many pixels high. */
export const thumbnailHeight = 240;

/** Runs one libvips encode; what it throws becomes the page's CoreError (never an untyped throw out of a file's job). */
export async function encodeOrRefuse(name: string, encode: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await encode();
  } catch (error) {
    throw new CoreError('corrupt-image', { name, ...causeParams(error) }, { cause: error });
  }
}

/**
 * Gathers a JPEG page's evidence and thumbnail from its bytes (what a worker does). `scratch`, when
 * given, holds the decoded page (reused page after page); nothing refers to it after the return.
 * `shrinkBy8`, when given, makes the 1/8 overview of a page decoded into that scratch (the SIMD
 * shrink whose memory it is), else the JavaScript shrink does.
 */
export async function readJpegEvidence(request: Omit<PageReadRequest, 'id'>, scratch?: Buffer, shrinkBy8?: (image: GrayImage) => GrayImage | null): Promise<JpegPageRead> {
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
    overview: async () => overviewOfImage(whole, request.dpi, shrinkBy8),
  });
  return { evidence, thumbPng: request.thumbnail === false ? new Uint8Array(0) : thumbnailPng(overview) };
}

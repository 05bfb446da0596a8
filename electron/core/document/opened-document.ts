// What an opened document offers its readers: pages as gray rasters, overviews and regions, and the types they come in.
import type { DocumentFormat } from './detect-format.js';
import type { DocumentLimits } from './document-limits.js';
import type { GrayImage } from './gray-image.js';

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
  /** Share of the page height the image covers, from the top (1 = the whole page). */
  coverage: number;
  /** Where the image's top-left sits on the page, in its pixels (a region read); absent: the page's top-left. */
  origin?: { x: number; y: number };
  /**
   * The page's own JPEG bytes, untouched, when it is one (a scanner PDF's embedded JPEG, a JPEG
   * file): the spool stores exactly these instead of re-encoding. Only on whole-page reads.
   */
  encoded?: { format: 'jpeg'; bytes: Uint8Array };
}

/** A page's own JPEG bytes with its pixel size and resolution. */
export interface EncodedPage {
  bytes: Uint8Array;
  /** The bytes are the caller's alone (the document keeps and reads no reference to them): they may be moved to another thread. */
  owned?: boolean;
  width: number;
  height: number;
  dpi: number;
}

/** A page at small scale: its pixels and their resolution. */
export interface PageOverview {
  image: GrayImage;
  dpi: number;
}

/** The part of a page to decode: its top share, and how. */
export interface PageRegion {
  topShare: number;
  /**
   * Decode a JPEG with libvips' accurate IDCT instead of libjpeg-turbo's fast one, which turns whole
   * 8 × 8 blocks of a sharp, high-contrast QR to their negative now and then: slower, for a second look.
   */
  exact?: boolean;
}

/** An opened input file whose pages are read one at a time (memory stays at one page). */
export interface OpenedDocument {
  format: DocumentFormat;
  pageCount: number;
  /**
   * Reads one page. With `topShare` only that top share of the page is decoded (JPEG and TIFF
   * decoding is sequential, so the rest is never touched): the fast path for top-corner covers.
   */
  readPage(index: number, region?: PageRegion): Promise<PageRaster>;
  /**
   * The page's own JPEG bytes without decoding them, when the page is exactly one JPEG (a simple
   * scanner PDF): the split classifies them on a worker thread. Absent for other documents.
   */
  readEncoded?(index: number): Promise<EncodedPage>;
  /**
   * The whole page small (about 1/8 of the scan, never under `overviewHeight` px high), for
   * thumbnails and blank-page and layout checks: JPEG pages are decoded at that scale directly
   * (libjpeg's DCT scaling), several times faster than a full decode.
   */
  readOverview(index: number): Promise<PageOverview>;
  /** Reads one rectangle of a page (mm from its top-left), where the format can do it cheaper than the whole page. */
  readRegion?(index: number, clipMm: ClipMm): Promise<PageRaster>;
  close(): void;
}

/** A rectangle on a page, in mm from its top-left. */
export interface ClipMm {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What page readers need to know about the file: its name (for messages), limits and resolutions. */
export interface OpenContext {
  name: string;
  limits: DocumentLimits;
  renderDpi: number;
  fallbackDpi: number;
  /** Where decoded JPEG pages may land (see `OpenDocumentOptions.scratch`). */
  scratch?: PixelScratch;
  /** Decode JPEG pages on the calling thread (see `OpenDocumentOptions.decodeOnThisThread`). */
  decodeOnThisThread?: boolean;
}

/**
 * Buffers for decoded pages, reused page after page: a 300-dpi page is about 9 MB, and a fresh one
 * per page kept the garbage collector and the kernel (page faults on fresh mappings) busy for a third
 * of a `check` worker's time.
 */
export interface PixelScratch {
  /** A buffer of at least `bytes` (the previous page's pixels are gone). */
  take(bytes: number): Buffer;
  /** Lets go of the buffer when it is larger than `bytes` (after an unusually large page). */
  trim(bytes: number): void;
}

/** A scratch that keeps one buffer and grows it when a larger page comes. */
export function createPixelScratch(): PixelScratch {
  let buffer = Buffer.alloc(0);
  return {
    take(bytes) {
      if (buffer.length < bytes) buffer = Buffer.allocUnsafe(bytes);
      return buffer;
    },
    trim(bytes) {
      if (buffer.length > bytes) buffer = Buffer.alloc(0);
    },
  };
}

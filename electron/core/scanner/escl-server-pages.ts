// The reference eSCL scanner's paper: pages read one at a time from a PDF (or any document the station reads) or a folder of page images, sent as JPEG in the colour and resolution asked.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sharp } from '../base/sharp.js';
import { causeParams, CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import { detectFormat, isIgnoredName } from '../document/detect-format.js';
import { defaultDocumentLimits } from '../document/document-limits.js';
import type { OpenedDocument } from '../document/opened-document.js';
import { openDocument } from '../document/read-document.js';
import { compareNatural } from '../text/natural-order.js';

/** What a page is asked as: grey or colour, at this resolution. */
export interface PageRequest {
  color: 'gray' | 'color';
  dpi: number;
}

/** The given pages, read one at a time (memory stays at one page). */
export interface PageSupply {
  /** How many pages there are. */
  readonly count: number;
  /** What the pages came from (for the log and the CLI). */
  readonly label: string;
  /** Page `index` (0-based) as a JPEG in the colour and resolution asked. */
  readJpeg(index: number, request: PageRequest): Promise<Buffer>;
  close(): Promise<void>;
}

/** A page image in a folder may not be larger than this (a 600-dpi A3 colour PNG is under it). */
const maxImageFileBytes = 200 * 1024 * 1024;

/** File names a folder of pages offers. */
const pageImageName = /\.(jpe?g|png)$/i;

/**
 * Opens the pages to serve: a folder's JPEG and PNG files in natural name order, or a document
 * file (a scanner PDF's pages are its embedded JPEGs, sent as they are when grey/colour and
 * resolution match). Nothing is decoded until a page is asked for.
 */
export async function openPageSupply(pages: string): Promise<PageSupply> {
  const stat = await fs.stat(pages).catch((error: unknown) => {
    throw new CoreError('file-unreadable', { name: pages, ...causeParams(error) }, { cause: error });
  });
  return stat.isDirectory() ? openFolderSupply(pages) : openDocumentSupply(pages);
}

async function openFolderSupply(dir: string): Promise<PageSupply> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new CoreError('file-unreadable', { name: dir, ...causeParams(error) }, { cause: error });
  });
  const names = entries
    .filter((entry) => entry.isFile() && pageImageName.test(entry.name) && !isIgnoredName(entry.name))
    .map((entry) => entry.name)
    .sort(compareNatural);
  if (names.length === 0) throw new CoreError('file-empty', { name: dir });
  if (names.length > defaultDocumentLimits.maxPages) throw new CoreError('too-many-pages', { name: dir, pages: names.length, limit: defaultDocumentLimits.maxPages });
  return {
    count: names.length,
    label: dir,
    async readJpeg(index, request) {
      const name = names[index] as string;
      const file = path.join(dir, name);
      const size = (await fs.stat(file)).size;
      if (size > maxImageFileBytes) throw new CoreError('file-too-large', { name, size: formatBytes(size), limit: formatBytes(maxImageFileBytes) });
      const bytes = await fs.readFile(file);
      const format = detectFormat(bytes.subarray(0, 1024));
      if (format !== 'jpeg' && format !== 'png') throw new CoreError('unsupported-format', { name });
      return fitPage(bytes, null, request, name);
    },
    close: async () => undefined,
  };
}

async function openDocumentSupply(file: string): Promise<PageSupply> {
  const document: OpenedDocument = await openDocument(file);
  const name = path.basename(file);
  // One reader at a time: a document's reader keeps its last page and is not made for overlapping reads.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(read: () => Promise<T>): Promise<T> => {
    const next = queue.then(read, read);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    count: document.pageCount,
    label: file,
    readJpeg: (index, request) =>
      serial(async () => {
        if (document.readEncoded) {
          const encoded = await document.readEncoded(index);
          return fitPage(Buffer.from(encoded.bytes), encoded.dpi, request, name);
        }
        const raster = await document.readPage(index);
        if (raster.encoded) return fitPage(Buffer.from(raster.encoded.bytes), raster.dpiAssumed ? null : raster.dpi, request, name);
        // A rendered or decoded page: the station's readers give grey pixels, so a colour request gets grey in RGB.
        const { width, height, data } = raster.image;
        const gray = sharp(Buffer.from(data.buffer, data.byteOffset, width * height), { raw: { width, height, channels: 1 } });
        return fitPage(await gray.png({ compressionLevel: 0 }).toBuffer(), raster.dpi, request, name);
      }),
    close: () => serial(async () => document.close()),
  };
}

/**
 * The page as the job asked it: the bytes untouched when they already are a JPEG of the right kind
 * (3 channels for colour, 1 for grey, the resolution within 1 %), else converted by libvips:
 * resampled to the asked resolution when the page's own is known, turned grey or to RGB (a
 * colour job's client may refuse a one-channel JPEG: sane-airscan does), re-encoded as JPEG.
 */
async function fitPage(bytes: Buffer, knownDpi: number | null, request: PageRequest, name: string): Promise<Buffer> {
  const image = sharp(bytes, { limitInputPixels: defaultDocumentLimits.maxPixels, failOn: 'error' });
  const meta = await image.metadata().catch((error: unknown) => {
    throw new CoreError('corrupt-image', { name, ...causeParams(error) }, { cause: error });
  });
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const dpi = knownDpi ?? (meta.density && meta.density > 20 ? meta.density : null);
  const channels = meta.channels ?? 3;
  const isGray = channels <= 2 || meta.space === 'b-w';
  const scale = dpi !== null && Math.abs(dpi - request.dpi) / request.dpi > 0.01 ? request.dpi / dpi : 1;
  const wantGray = request.color === 'gray';
  if (meta.format === 'jpeg' && scale === 1 && isGray === wantGray && (meta.space === 'srgb' || meta.space === 'b-w')) return bytes;
  let pipeline = image.flatten({ background: '#ffffff' });
  if (scale !== 1) pipeline = pipeline.resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { kernel: 'lanczos3' });
  pipeline = wantGray ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  return pipeline
    .withDensity(request.dpi)
    .jpeg({ quality: 85, chromaSubsampling: '4:2:0' })
    .toBuffer()
    .catch((error: unknown) => {
      throw new CoreError('corrupt-image', { name, ...causeParams(error) }, { cause: error });
    });
}

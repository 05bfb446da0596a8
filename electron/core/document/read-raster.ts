// Reading image files (JPEG, PNG, TIFF) page by page: JPEG luma through libjpeg-turbo, everything else through libvips.
import { promises as fs } from 'node:fs';
import type { Metadata } from 'sharp';
import { sharp } from '../base/sharp.js';
import { causeParams, CoreError } from '../base/errors.js';
import { checkPixels } from './check-document.js';
import { topRows } from './crop-page.js';
import { decodeGray, decodeJpegGray, decodeJpegLumaChecked } from './decode-gray.js';
import { readJpegHeader } from './jpeg-turbo.js';
import type { DocumentFormat } from './detect-format.js';
import type { GrayImage } from './gray-image.js';
import { jpegSourceOfBytes } from './jpeg-compact.js';
import type { OpenContext, OpenedDocument } from './opened-document.js';
import { jpegOverview, overviewOf } from './page-overview.js';
import { readPageJpeg, withFileSource } from './read-page-jpeg.js';

/** Raster files: libvips reads the file itself (sequentially), so no JavaScript copy is held. */
export async function openRaster(input: string | Uint8Array, format: DocumentFormat, context: OpenContext): Promise<OpenedDocument> {
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
  // The page's luma, decoded once: `check --fast` reads the band, then (no cover there) the whole page.
  let lastLuma: Promise<GrayImage | null> | null = null;
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
          const width = meta.width ?? 0;
          fullHeight = meta.height ?? 0;
          // A gray JPEG's band is left to libvips, which stops after its rows; an exact band too.
          const grayBand = region !== undefined && region.topShare < 1 && readJpegHeader(jpeg)?.components === 1;
          const luma = region?.exact || grayBand ? null : await (lastLuma ??= decodeJpegLumaChecked(jpeg, width, fullHeight, context, context.scratch?.take(width * fullHeight)));
          // (Where libjpeg-turbo could not read it, libvips decodes: no second libjpeg-turbo attempt.)
          image = luma ? (region && region.topShare < 1 ? topRows(luma, region.topShare) : luma) : await decodeJpegGray(jpeg, width, fullHeight, context, { topShare: region?.topShare ?? 1, exact: true });
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
          // (A file's bytes are read afresh for each call: the caller's alone.)
          readEncoded: async () => ({ bytes: await jpegBytes(), owned: typeof bytes === 'string', width: meta.width ?? 0, height: meta.height ?? 0, dpi }),
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

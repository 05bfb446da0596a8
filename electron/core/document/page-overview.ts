// Overviews: a whole page at small scale (about 1/8), for thumbnails and blank-page and layout checks.
import { sharp } from '../base/sharp.js';
import { causeParams, CoreError } from '../base/errors.js';
import { decodeJpegLumaChecked, jpegFailOn } from './decode-gray.js';
import { shrinkGray, type GrayImage } from './gray-image.js';
import type { OpenContext, PageOverview, PageRaster } from './opened-document.js';

/** Overviews are never smaller than this (thumbnails are 240 px high). */
export const overviewHeight = 240;

/** The overview of a page image decoded whole: block means at 1/8 (less for a small image: never under `overviewHeight`). */
export function overviewOfImage(image: GrayImage, dpi: number, shrinkBy8?: (image: GrayImage) => GrayImage | null): PageOverview {
  const factor = Math.max(1, Math.min(8, Math.floor(image.height / overviewHeight)));
  const faster = factor === 8 ? (shrinkBy8?.(image) ?? null) : null;
  const small = faster ?? (factor > 1 ? shrinkGray(image, factor) : image);
  return { image: small, dpi: (dpi * small.height) / image.height };
}

/** The overview of a page already decoded whole. */
export async function overviewOf(page: PageRaster): Promise<PageOverview> {
  return overviewOfImage(page.image, page.dpi);
}

/**
 * The overview of a JPEG: from its luma decoded whole by libjpeg-turbo when that is available
 * (faster than libvips' DCT-scaled decode), else decoded small by libvips (DCT scaling).
 */
export async function jpegOverview(bytes: Uint8Array | string, width: number, height: number, dpi: number, context: OpenContext): Promise<PageOverview> {
  const inMemory = typeof bytes === 'string' ? null : bytes;
  const luma = inMemory ? await decodeJpegLumaChecked(inMemory, width, height, context) : null;
  if (luma) return overviewOfImage(luma, dpi);
  const targetHeight = Math.min(height, Math.max(overviewHeight, Math.round(height / 8)));
  try {
    const input = sharp(bytes, { limitInputPixels: context.limits.maxPixels, failOn: jpegFailOn }).resize({ height: targetHeight });
    const meta = await sharp(bytes, { limitInputPixels: context.limits.maxPixels }).metadata();
    const { data, info } = await input.extractChannel((meta.channels ?? 1) >= 3 ? 1 : 0).raw().toBuffer({ resolveWithObject: true });
    return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, dpi: (dpi * info.height) / height };
  } catch (error) {
    throw new CoreError('corrupt-image', { name: context.name, ...causeParams(error) }, { cause: error });
  }
}

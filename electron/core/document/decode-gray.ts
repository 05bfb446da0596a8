// Decoding page images to one gray channel: JPEGs through libjpeg-turbo (libvips when it cannot), anything else through libvips.
import type { Sharp } from 'sharp';
import { sharp } from '../base/sharp.js';
import { causeParams, CoreError } from '../base/errors.js';
import { topRows } from './crop-page.js';
import type { GrayImage } from './gray-image.js';
import { decodeJpegLuma, readJpegHeader } from './jpeg-turbo.js';
import type { OpenContext, PageRegion } from './opened-document.js';

/**
 * How strictly libvips decodes JPEG pages: a warning fails. libjpeg calls overwritten entropy data
 * ("Corrupt JPEG data: premature end of data segment", "bad Huffman code") a warning and fills
 * the rest of the page flat gray, which then read as a blank back: a half-overwritten stack lost
 * its middle bills without a word. libjpeg-turbo (the fast path) already refuses on any warning and
 * hands such pages here. (Extraneous bytes before a marker, which some scanners leave, pass.)
 */
export const jpegFailOn = 'warning' as const;

/**
 * A JPEG's luma through libjpeg-turbo, only when its frame header matches the size it should have
 * and is under the pixel limit; null otherwise (libvips then decodes, or refuses with the reason).
 */
export async function decodeJpegLumaChecked(bytes: Uint8Array, width: number, height: number, context: OpenContext, into?: Buffer): Promise<GrayImage | null> {
  const header = readJpegHeader(bytes);
  if (!header || header.width !== width || header.height !== height || header.precision !== 8 || width * height > context.limits.maxPixels) return null;
  const luma = await decodeJpegLuma(bytes, into);
  return luma && luma.width === width && luma.height === height ? luma : null;
}

/** Decodes a JPEG (all of it, or its top share) to gray, refusing one that is not what it claims. */
export async function decodeJpegGray(bytes: Uint8Array, width: number, height: number, context: OpenContext, region?: PageRegion, into?: Buffer): Promise<GrayImage> {
  // libjpeg-turbo decodes the whole luma faster than libvips decodes the top band in colour; a gray
  // JPEG has no colour to skip, and libvips stops after the band's rows: for a band, libvips.
  const grayBand = region !== undefined && region.topShare < 1 && readJpegHeader(bytes)?.components === 1;
  const luma = grayBand || region?.exact ? null : await decodeJpegLumaChecked(bytes, width, height, context, into);
  if (luma) return region && region.topShare < 1 ? topRows(luma, region.topShare) : luma;
  try {
    const meta = await sharp(bytes, { limitInputPixels: context.limits.maxPixels }).metadata();
    if (meta.width !== width || meta.height !== height) throw new Error(`the page image is ${meta.width}×${meta.height}, the PDF says ${width}×${height}`);
    return await decodeGray(sharp(bytes, { limitInputPixels: context.limits.maxPixels, failOn: jpegFailOn }), width, height, meta.channels ?? 1, region);
  } catch (error) {
    throw new CoreError('corrupt-image', { name: context.name, ...causeParams(error) }, { cause: error });
  }
}

/**
 * Decodes to one gray channel ("fast gray": the green channel of colour images, the only channel
 * of gray and 1-bit ones), optionally only the top share of the image.
 */
export async function decodeGray(input: Sharp, width: number, height: number, channels: number, region?: { topShare: number }): Promise<GrayImage> {
  if (region && region.topShare < 1) input.extract({ left: 0, top: 0, width, height: Math.max(1, Math.ceil(height * region.topShare)) });
  const { data, info } = await input.extractChannel(channels >= 3 ? 1 : 0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

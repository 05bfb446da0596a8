// Parts of a page: a rectangle in mm cut from its raster (or read alone), and the top rows of an image.
import type { GrayImage } from './gray-image.js';
import type { ClipMm, OpenedDocument, PageRaster } from './opened-document.js';

/** The pixel rectangle of a clip at `dpi`, inside an image of `width` × `height`. */
export function clipPixels(clipMm: ClipMm, dpi: number, width: number, height: number): { x: number; y: number; width: number; height: number } {
  const px = (mm: number) => Math.round((mm / 25.4) * dpi);
  const x = Math.min(Math.max(0, px(clipMm.x)), Math.max(0, width - 1));
  const y = Math.min(Math.max(0, px(clipMm.y)), Math.max(0, height - 1));
  return { x, y, width: Math.max(1, Math.min(width - x, px(clipMm.w))), height: Math.max(1, Math.min(height - y, px(clipMm.h))) };
}

/** Cuts a rectangle out of a page raster; the raster says where it came from (`origin`). */
export function cropRaster(raster: PageRaster, clipMm: ClipMm): PageRaster {
  const clip = clipPixels(clipMm, raster.dpi, raster.image.width, raster.image.height);
  const data = new Uint8Array(clip.width * clip.height);
  for (let row = 0; row < clip.height; row += 1) {
    const from = (clip.y + row) * raster.image.width + clip.x;
    data.set(raster.image.data.subarray(from, from + clip.width), row * clip.width);
  }
  const base = raster.origin ?? { x: 0, y: 0 };
  return { ...raster, image: { data, width: clip.width, height: clip.height }, encoded: undefined, origin: { x: base.x + clip.x, y: base.y + clip.y } };
}

/**
 * Reads one rectangle of a page: rendered alone where the format allows (vector PDF pages), cut from
 * the whole page otherwise. The cover self-check reads the symbol's corner this way.
 */
export async function readPageRegion(document: OpenedDocument, index: number, clipMm: ClipMm): Promise<PageRaster> {
  return document.readRegion ? document.readRegion(index, clipMm) : cropRaster(await document.readPage(index), clipMm);
}

/** The top share of an image's rows, as a view (rows are contiguous: nothing is copied). */
export function topRows(image: GrayImage, share: number): GrayImage {
  const height = Math.max(1, Math.min(image.height, Math.ceil(image.height * share)));
  return { data: image.data.subarray(0, height * image.width), width: image.width, height };
}

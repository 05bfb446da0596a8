/** An 8-bit grayscale raster, row-major, one byte per pixel (0 = black, 255 = white). */
export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A rectangle in pixels. */
export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Copies a rectangle out of an image (clamped to its bounds). */
export function cropGray(image: GrayImage, rect: PixelRect): GrayImage {
  const x = Math.max(0, Math.floor(rect.x));
  const y = Math.max(0, Math.floor(rect.y));
  const w = Math.max(0, Math.min(image.width - x, Math.floor(rect.w)));
  const h = Math.max(0, Math.min(image.height - y, Math.floor(rect.h)));
  const data = new Uint8Array(w * h);
  for (let row = 0; row < h; row += 1) {
    const start = (y + row) * image.width + x;
    data.set(image.data.subarray(start, start + w), row * w);
  }
  return { data, width: w, height: h };
}

let rgbaScratch = new Uint8ClampedArray(0);

/**
 * Expands gray to RGBA (what jsQR takes). The result is a view of
 * one per-thread scratch buffer, reused by the next call: page-sized allocations on every call
 * otherwise pile up faster than the garbage collector returns them.
 */
export function grayToRgba(image: GrayImage): Uint8ClampedArray {
  const size = image.width * image.height * 4;
  if (rgbaScratch.length < size) rgbaScratch = new Uint8ClampedArray(Math.ceil(size * 1.1));
  const out = rgbaScratch.subarray(0, size);
  const src = image.data;
  for (let i = 0, j = 0; i < src.length; i += 1, j += 4) {
    const v = src[i] ?? 255;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return out;
}

/** Otsu's threshold of an image region: the gray level that best separates ink from paper. */
export function otsuThreshold(image: GrayImage, rect: PixelRect = { x: 0, y: 0, w: image.width, h: image.height }): number {
  const histogram = new Uint32Array(256);
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(image.width, Math.ceil(rect.x + rect.w));
  const y1 = Math.min(image.height, Math.ceil(rect.y + rect.h));
  let total = 0;
  for (let y = y0; y < y1; y += 1) {
    const row = y * image.width;
    for (let x = x0; x < x1; x += 1) {
      const value = image.data[row + x] ?? 255;
      histogram[value] = (histogram[value] ?? 0) + 1;
      total += 1;
    }
  }
  let sum = 0;
  for (let i = 0; i < 256; i += 1) sum += i * (histogram[i] ?? 0);
  let sumBackground = 0;
  let weightBackground = 0;
  let best = 0;
  let threshold = 128;
  for (let i = 0; i < 256; i += 1) {
    weightBackground += histogram[i] ?? 0;
    if (weightBackground === 0) continue;
    const weightForeground = total - weightBackground;
    if (weightForeground === 0) break;
    sumBackground += i * (histogram[i] ?? 0);
    const meanBackground = sumBackground / weightBackground;
    const meanForeground = (sum - sumBackground) / weightForeground;
    const between = weightBackground * weightForeground * (meanBackground - meanForeground) ** 2;
    if (between > best) {
      best = between;
      threshold = i;
    }
  }
  return threshold;
}

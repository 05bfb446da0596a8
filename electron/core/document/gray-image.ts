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

/**
 * Shrinks a gray image by a whole factor, each output pixel the mean of its `factor × factor` block:
 * what libjpeg's 1/8 DCT scaling gives (the DC coefficient is the block mean), from a page already
 * decoded whole. Blocks are sampled on every other row and column above factor 4: the mean of a
 * quarter of a block's pixels is as good for ink and thumbnails, at a quarter of the reads.
 */
export function shrinkGray(image: GrayImage, factor: number): GrayImage {
  if (factor === 8 && image.data.byteOffset % 4 === 0 && image.width % 4 === 0) return shrinkGrayBy8(image);
  if (factor === 2) return shrinkGrayBy2(image);
  const width = Math.max(1, Math.floor(image.width / factor));
  const height = Math.max(1, Math.floor(image.height / factor));
  const data = new Uint8Array(width * height);
  const step = factor > 4 ? 2 : 1;
  const samples = Math.ceil(factor / step) ** 2;
  const sums = new Uint32Array(width);
  for (let y = 0; y < height; y += 1) {
    sums.fill(0);
    for (let dy = 0; dy < factor; dy += step) {
      const row = (y * factor + dy) * image.width;
      for (let x = 0; x < width; x += 1) {
        let at = row + x * factor;
        let sum = 0;
        for (let dx = 0; dx < factor; dx += step, at += step) sum += image.data[at] as number;
        sums[x] = (sums[x] as number) + sum;
      }
    }
    for (let x = 0; x < width; x += 1) data[y * width + x] = Math.round((sums[x] as number) / samples);
  }
  return { data, width, height };
}

/**
 * The 1/8 shrink of a page whose rows are whole 32-bit words (the common case): every pixel of a
 * block counted, four at a time, two bytes summed per 16-bit lane. Exact block means, faster than
 * sampling a quarter of them byte by byte. A block's eight rows are summed in one step, in
 * registers: a running sum per column in memory cost a load and a store per row.
 */
function shrinkGrayBy8(image: GrayImage): GrayImage {
  const width = Math.max(1, Math.floor(image.width / 8));
  const height = Math.max(1, Math.floor(image.height / 8));
  const data = new Uint8Array(width * height);
  const words = new Uint32Array(image.data.buffer, image.data.byteOffset, (image.width * image.height) >> 2);
  const rowWords = image.width >> 2;
  const lanes = 0x00ff00ff;
  for (let y = 0; y < height; y += 1) {
    const r0 = y * 8 * rowWords;
    const r1 = r0 + rowWords;
    const r2 = r1 + rowWords;
    const r3 = r2 + rowWords;
    const r4 = r3 + rowWords;
    const r5 = r4 + rowWords;
    const r6 = r5 + rowWords;
    const r7 = r6 + rowWords;
    const out = y * width;
    for (let x = 0, k = 0; x < width; x += 1, k += 2) {
      // Two 16-bit lanes, each summing four bytes a row for eight rows (≤ 8,160): no carry into
      // the other lane, so the lanes are added up once per block.
      let a = words[r0 + k] as number;
      let b = words[r0 + k + 1] as number;
      let sum = (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      a = words[r1 + k] as number;
      b = words[r1 + k + 1] as number;
      sum += (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      a = words[r2 + k] as number;
      b = words[r2 + k + 1] as number;
      sum += (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      a = words[r3 + k] as number;
      b = words[r3 + k + 1] as number;
      sum += (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      a = words[r4 + k] as number;
      b = words[r4 + k + 1] as number;
      sum += (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      a = words[r5 + k] as number;
      b = words[r5 + k + 1] as number;
      sum += (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      a = words[r6 + k] as number;
      b = words[r6 + k + 1] as number;
      sum += (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      a = words[r7 + k] as number;
      b = words[r7 + k + 1] as number;
      sum += (a & lanes) + ((a >>> 8) & lanes) + (b & lanes) + ((b >>> 8) & lanes);
      data[out + x] = ((sum & 0xffff) + (sum >>> 16) + 32) >> 6;
    }
  }
  return { data, width, height };
}

/** The half-size page (the whole-page QR search of a 300-dpi scan): each pixel the rounded mean of its 2 × 2 block. */
function shrinkGrayBy2(image: GrayImage): GrayImage {
  const width = Math.max(1, image.width >> 1);
  const height = Math.max(1, image.height >> 1);
  const data = new Uint8Array(width * height);
  const source = image.data;
  const stride = image.width;
  for (let y = 0; y < height; y += 1) {
    let top = 2 * y * stride;
    let bottom = top + stride;
    const row = y * width;
    for (let x = 0; x < width; x += 1, top += 2, bottom += 2) {
      data[row + x] = ((source[top] as number) + (source[top + 1] as number) + (source[bottom] as number) + (source[bottom + 1] as number) + 2) >> 2;
    }
  }
  return { data, width, height };
}

/**
 * Resizes a gray image down to `height` rows (width in proportion) by area averaging: every source
 * pixel counts with the share of it each output pixel covers. For thumbnails of overviews (a 1/8
 * page to 240 rows): smooth, without the ringing of a sharper kernel, and cheap.
 */
export function resizeGrayToHeight(image: GrayImage, height: number): GrayImage {
  if (height >= image.height) return image;
  const width = Math.max(1, Math.round((image.width * height) / image.height));
  const columns = areaWeights(image.width, width);
  const rows = areaWeights(image.height, height);
  // Columns first (one row of output width per source row), then rows; weights in 1/65536ths.
  // (Typed arrays in locals: the hot loops never look anything up on an object.)
  const pixels = image.data;
  const { first: columnFirst, source: columnSource, weight: columnWeight } = columns;
  const scaleBack = 1 / (65536 * 65536);
  const across = new Float32Array(width * image.height);
  for (let y = 0; y < image.height; y += 1) {
    const row = y * image.width;
    const out = y * width;
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      const end = columnFirst[x + 1] as number;
      for (let k = columnFirst[x] as number; k < end; k += 1) sum += (pixels[row + (columnSource[k] as number)] as number) * (columnWeight[k] as number);
      across[out + x] = sum;
    }
  }
  const { first: rowFirst, source: rowSource, weight: rowWeight } = rows;
  const data = new Uint8Array(width * height);
  const sums = new Float64Array(width);
  for (let y = 0; y < height; y += 1) {
    sums.fill(0);
    const end = rowFirst[y + 1] as number;
    for (let k = rowFirst[y] as number; k < end; k += 1) {
      const from = (rowSource[k] as number) * width;
      const weight = rowWeight[k] as number;
      for (let x = 0; x < width; x += 1) sums[x] = (sums[x] as number) + (across[from + x] as number) * weight;
    }
    for (let x = 0; x < width; x += 1) {
      const level = Math.round((sums[x] as number) * scaleBack);
      data[y * width + x] = level > 255 ? 255 : level;
    }
  }
  return { data, width, height };
}

/** A 1-D area resample: for output cell i, the source cells `source[first[i]..first[i+1])` and their weights (in 1/65536ths, summing to 65536). */
function areaWeights(from: number, to: number): { first: Int32Array; source: Int32Array; weight: Int32Array } {
  const scale = from / to;
  const first = new Int32Array(to + 1);
  const source: number[] = [];
  const weight: number[] = [];
  for (let target = 0; target < to; target += 1) {
    first[target] = source.length;
    const start = target * scale;
    const end = start + scale;
    let left = 65536;
    for (let cell = Math.floor(start); cell < Math.min(from, Math.ceil(end)); cell += 1) {
      const covered = Math.min(end, cell + 1) - Math.max(start, cell);
      if (covered <= 1e-9) continue;
      const share = Math.round((covered / scale) * 65536);
      left -= share;
      source.push(cell);
      weight.push(share);
    }
    // The last cell takes what rounding left, so each cell's weights sum to exactly 65536.
    weight[weight.length - 1] = (weight[weight.length - 1] as number) + left;
  }
  first[to] = source.length;
  return { first, source: Int32Array.from(source), weight: Int32Array.from(weight) };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeJpegLuma, readJpegHeader } from '../../../../electron/core/document/jpeg-turbo.js';
import { shrinkGray } from '../../../../electron/core/document/gray-image.js';
import { decodeJpegGray } from '../../../../electron/core/document/decode-gray.js';
import { overviewOfImage } from '../../../../electron/core/document/page-overview.js';
import { defaultDocumentLimits } from '../../../../electron/core/document/document-limits.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import type { GrayImage } from '../../../../electron/core/document/gray-image.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage } from '../../../fixtures/stacks.js';

/** A colour test card: gray ramps, a dark block, a red and a blue bar (luma differs from green there). */
async function colourJpeg(width: number, height: number, options: { exif?: boolean } = {}): Promise<Uint8Array> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      const ramp = Math.round((x / width) * 255);
      const block = x > width * 0.6 && y < height * 0.3;
      rgb[at] = block ? 20 : y > height * 0.7 ? 220 : ramp;
      rgb[at + 1] = block ? 20 : y > height * 0.7 ? 30 : ramp;
      rgb[at + 2] = block ? 20 : y > height * 0.85 ? 240 : ramp;
    }
  }
  let pipeline = sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 });
  if (options.exif) pipeline = pipeline.withMetadata({ density: 300, exif: { IFD0: { Copyright: 'x'.repeat(2000) } } });
  return new Uint8Array(await pipeline.toBuffer());
}

const context = { name: 'page.jpg', limits: defaultDocumentLimits, renderDpi: 300, fallbackDpi: 300 };

test('the frame header gives size and components before decoding, past EXIF segments; not-JPEG and cut headers give null', async () => {
  const jpeg = await colourJpeg(123, 77, { exif: true });
  assert.deepEqual(readJpegHeader(jpeg), { precision: 8, width: 123, height: 77, components: 3 });
  const gray = new Uint8Array(await sharp(Buffer.alloc(40 * 30, 128), { raw: { width: 40, height: 30, channels: 1 } }).toColourspace('b-w').jpeg().toBuffer());
  assert.equal(readJpegHeader(gray)?.components, 1);
  assert.equal(readJpegHeader(new Uint8Array([0x89, 0x50, 0x4e, 0x47])), null);
  assert.equal(readJpegHeader(jpeg.subarray(0, 30)), null);
  // A segment length that points past the end is not read past it.
  assert.equal(readJpegHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0, 0])), null);
});

test('libjpeg-turbo luma is the page\'s Y (BT.601) as libvips decodes it in colour, into a reused buffer when one is given', async () => {
  const jpeg = await colourJpeg(320, 240);
  const luma = await decodeJpegLuma(jpeg);
  assert.ok(luma, 'libjpeg-turbo is installed with a prebuilt binary for this platform');
  const rgb = await sharp(jpeg).raw().toBuffer();
  assert.equal(luma.width, 320);
  assert.equal(luma.height, 240);
  let total = 0;
  for (let i = 0; i < luma.width * luma.height; i += 1) {
    const y = 0.299 * (rgb[i * 3] as number) + 0.587 * (rgb[i * 3 + 1] as number) + 0.114 * (rgb[i * 3 + 2] as number);
    total += Math.abs((luma.data[i] as number) - y);
  }
  // Chroma upsampling (at colour edges) and the fast IDCT differ a little from libvips' colour decode.
  const mean = total / (luma.width * luma.height);
  assert.ok(mean < 1.5, `mean difference ${mean}`);

  const scratch = Buffer.alloc(320 * 240 + 100);
  const into = await decodeJpegLuma(jpeg, scratch);
  assert.ok(into);
  assert.equal(into.data.buffer, scratch.buffer, 'decoded into the buffer given');
  assert.deepEqual([...into.data.subarray(0, 500)], [...luma.data.subarray(0, 500)]);
  // Too small a buffer is not written past: a fresh one is used instead.
  const small = Buffer.alloc(10);
  const fresh = await decodeJpegLuma(jpeg, small);
  assert.notEqual(fresh?.data.buffer, small.buffer);
});

test('a JPEG libjpeg-turbo cannot read falls back to libvips, which refuses the broken one with a clear error', async () => {
  const cmyk = new Uint8Array(await sharp(Buffer.alloc(64 * 48 * 3, 200), { raw: { width: 64, height: 48, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer());
  assert.equal(readJpegHeader(cmyk)?.components, 4);
  const image = await decodeJpegGray(cmyk, 64, 48, context);
  assert.equal(image.width, 64);
  const jpeg = await colourJpeg(64, 48);
  const broken = jpeg.slice();
  broken.fill(0x00, 200, broken.length - 2);
  await assert.rejects(decodeJpegGray(broken.subarray(0, 180), 64, 48, context), (error: unknown) => error instanceof CoreError && error.code === 'corrupt-image');
  // Not the size the PDF says: refused, never decoded as something else.
  await assert.rejects(decodeJpegGray(jpeg, 65, 48, context), (error: unknown) => error instanceof CoreError && error.code === 'corrupt-image');
});

test('the top share of a page is a view of its first rows', async () => {
  const jpeg = await colourJpeg(200, 100);
  const band = await decodeJpegGray(jpeg, 200, 100, context, { topShare: 0.3 });
  const whole = await decodeJpegGray(jpeg, 200, 100, context);
  assert.equal(band.height, 30);
  assert.deepEqual([...band.data], [...whole.data.subarray(0, 200 * 30)]);
});

/** Block means computed the slow, obvious way. */
function naiveShrink(image: GrayImage, factor: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < Math.floor(image.height / factor); y += 1) {
    for (let x = 0; x < Math.floor(image.width / factor); x += 1) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy += 1) for (let dx = 0; dx < factor; dx += 1) sum += image.data[(y * factor + dy) * image.width + x * factor + dx] as number;
      out.push(Math.round(sum / factor / factor));
    }
  }
  return out;
}

test('shrinking by 8 gives the exact block means (word-wise path), other factors and odd widths the sampled means', () => {
  const noise = (width: number, height: number): GrayImage => {
    const data = new Uint8Array(width * height);
    let seed = 7;
    for (let i = 0; i < data.length; i += 1) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
    return { data, width, height };
  };
  // (252 is a multiple of 4 but not of 8, 355 not of 8: the partial blocks at the edges are left out.)
  for (const aligned of [noise(248, 350), noise(252, 355)]) {
    const fast = shrinkGray(aligned, 8);
    const naive = naiveShrink(aligned, 8);
    assert.equal(fast.data.length, naive.length);
    for (let i = 0; i < naive.length; i += 1) assert.ok(Math.abs((fast.data[i] as number) - (naive[i] as number)) <= 1, `block ${i}`);
  }
  // 250 is not a multiple of 4: the sampled path, means within noise of the exact ones.
  const odd = noise(250, 160);
  const sampled = shrinkGray(odd, 8);
  const exact = naiveShrink(odd, 8);
  const meanError = exact.reduce((sum, value, i) => sum + Math.abs(value - (sampled.data[i] as number)), 0) / exact.length;
  assert.ok(meanError < 20, `mean error ${meanError}`);
  // A flat page stays flat on every path.
  const flat: GrayImage = { data: new Uint8Array(96 * 64).fill(201), width: 96, height: 64 };
  for (const factor of [2, 3, 8]) assert.ok(shrinkGray(flat, factor).data.every((value) => value === 201), `factor ${factor}`);
});

test('the overview is 1/8 of a page, never under 240 px high, with its resolution', () => {
  const page: GrayImage = { data: new Uint8Array(2480 * 3508).fill(250), width: 2480, height: 3508 };
  const overview = overviewOfImage(page, 300);
  assert.deepEqual([overview.image.width, overview.image.height, overview.dpi], [310, 438, (300 * 438) / 3508]);
  const small: GrayImage = { data: new Uint8Array(800 * 1100).fill(250), width: 800, height: 1100 };
  const smallOverview = overviewOfImage(small, 100);
  assert.equal(smallOverview.image.height, 275);
  const tiny: GrayImage = { data: new Uint8Array(100 * 200).fill(250), width: 100, height: 200 };
  assert.equal(overviewOfImage(tiny, 50).image, tiny);
});

test('an exact band read decodes a sharp 100-dpi QR as it was scanned, where libjpeg-turbo\'s fast IDCT may turn 8 × 8 blocks to their negative', async () => {
  // Page 6 of the soak's stack 28: the cover whose pages once went up under the bill before it.
  const page = renderStackPage({ kind: 'cover', code: 'FY-UP-0086' }, 100, 6);
  const jpeg = new Uint8Array(await encodeJpeg(page, 100));
  const worst = (image: GrayImage) => {
    let most = 0;
    for (let i = 0; i < image.width * image.height; i += 1) most = Math.max(most, Math.abs((image.data[i] as number) - (page.data[i] as number)));
    return most;
  };
  for (const topShare of [0.3, 1]) {
    const exact = await decodeJpegGray(jpeg, page.width, page.height, context, { topShare, exact: true });
    assert.equal(exact.height, Math.ceil(page.height * topShare));
    // JPEG at quality 85 moves a pixel by a few dozen levels at most; an inverted block by ~250.
    assert.ok(worst(exact) < 64, `exact decode of ${topShare} of the page off by ${worst(exact)}`);
  }
  const fast = await decodeJpegLuma(jpeg);
  assert.ok(fast, 'libjpeg-turbo is installed');
  // What made the split miss this cover (if a binding update fixes it, the exact read is merely slower).
  assert.ok(worst(fast) > 128, `the fast decode is off by ${worst(fast)} only`);
});

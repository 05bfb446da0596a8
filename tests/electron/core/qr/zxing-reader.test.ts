import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import type { GrayImage } from '../../../../electron/core/document/gray-image.js';
import { readQrWithZxing, readQrWithZxingReportingFailures, type ReaderOverrides } from '../../../../electron/core/qr/zxing-reader.js';
import { addNoise, renderCoverRaster, seededRandom } from '../../../fixtures/cover-raster.js';
import { generateCovers, renderGeneratedCover, type GeneratedCover } from '../../../fixtures/generated-covers.js';

// The reader hands ZXing gray pixels through its pixmap entry point, not zxing-wasm's public
// encoded-image path: these tests hold the two to the same answers, so an upgrade of zxing-wasm that
// changes what the pixmap entry takes fails here, not on a clerk's stack.

const ourOptions: ReaderOptions = { formats: ['QRCode'], tryHarder: true, tryRotate: true, tryInvert: false, tryDownscale: true, maxNumberOfSymbols: 8, textMode: 'Plain' };

/** The same image through zxing-wasm's public path (a PGM file in memory). */
async function readThroughPublicPath(image: GrayImage, options: ReaderOptions) {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const pgm = new Uint8Array(header.length + image.width * image.height);
  pgm.set(header);
  pgm.set(image.data.subarray(0, image.width * image.height), header.length);
  return readBarcodes(pgm, options);
}

function corners(position: { topLeft: { x: number; y: number }; topRight: { x: number; y: number }; bottomRight: { x: number; y: number }; bottomLeft: { x: number; y: number } }) {
  return [position.topLeft, position.topRight, position.bottomRight, position.bottomLeft].map((point) => ({ x: point.x, y: point.y }));
}

/** Pages that exercise what the options change: two symbols, a light-on-dark one, noise, a blank page. */
function pages(): Array<{ name: string; image: GrayImage; overrides: ReaderOverrides }> {
  const two = renderCoverRaster({ dpi: 150, qrs: [{ text: 'FY-PIXMAP-1', placement: 'top-right', sizeMm: 22 }, { text: 'FY-PIXMAP-2', placement: 'bottom-left', sizeMm: 18 }] });
  const inverted = renderCoverRaster({ dpi: 150, qrs: [{ text: 'FY-PIXMAP-NEG', placement: 'top-left', sizeMm: 25 }] });
  inverted.data.forEach((value, at) => (inverted.data[at] = 255 - value));
  const noisy = addNoise(renderCoverRaster({ dpi: 200, qrs: [{ text: 'FY-PIXMAP-NOISE', placement: 'top-right', sizeMm: 20 }] }), 8, seededRandom(7));
  const blank = renderCoverRaster({ dpi: 100, qrs: [] });
  return [
    { name: 'two symbols', image: two, overrides: {} },
    { name: 'light on dark, inverted reading', image: inverted, overrides: { tryInvert: true } },
    { name: 'light on dark, global histogram', image: inverted, overrides: { binarizer: 'GlobalHistogram', tryInvert: true } },
    { name: 'light on dark, plain reading', image: inverted, overrides: {} },
    { name: 'noise, denoise and fine downscale', image: noisy, overrides: { binarizer: 'GlobalHistogram', tryDenoise: true, downscaleFactor: 2, downscaleThreshold: 300 } },
    { name: 'blank page', image: blank, overrides: {} },
  ];
}

test('the pixmap read finds what zxing-wasm’s public path finds, with the same corners, for every option we use', async () => {
  const seen: string[] = [];
  for (const { name, image, overrides } of pages()) {
    const ours = await readQrWithZxing(image, overrides);
    seen.push(...ours.map((symbol) => symbol.text));
    const theirs = (await readThroughPublicPath(image, { ...ourOptions, ...overrides })).filter((result) => result.isValid);
    assert.deepEqual(
      ours.map((symbol) => ({ text: symbol.text, corners: symbol.corners, version: symbol.version, ecLevel: symbol.ecLevel, bytes: [...symbol.bytes] })),
      theirs.map((result) => ({ text: result.text, corners: corners(result.position), version: Number.parseInt(result.version, 10) || 0, ecLevel: result.ecLevel, bytes: [...result.bytes] })),
      name,
    );
  }
  // (The pages are read, not all empty: a comparison of two empty lists would prove nothing.)
  assert.deepEqual([...new Set(seen)].sort(), ['FY-PIXMAP-1', 'FY-PIXMAP-2', 'FY-PIXMAP-NEG', 'FY-PIXMAP-NOISE']);
});

test('located but undecodable symbols are reported as by the public path (a scratched cover)', async () => {
  // Every other data row of the symbol wiped: the finder patterns stand, error correction gives up.
  const cover: GeneratedCover = { ...(generateCovers(1, 211, 200, 'gray-jpeg')[0] as GeneratedCover), corner: 'top-right' };
  const page = renderGeneratedCover(cover, (row, _col, size, dark) => (row >= 8 && row <= size - 9 && (row - 8) % 2 === 0 ? false : dark));
  const ours = await readQrWithZxingReportingFailures(page);
  const theirs = await readThroughPublicPath(page, { ...ourOptions, returnErrors: true });
  assert.equal(ours.unreadable.length, 1);
  assert.deepEqual(
    ours.unreadable.map((symbol) => ({ corners: symbol.corners, error: symbol.error })),
    theirs.filter((result) => !result.isValid && result.format === 'QRCode').map((result) => ({ corners: corners(result.position), error: result.error })),
  );
  assert.deepEqual(ours.symbols.map((symbol) => symbol.text), theirs.filter((result) => result.isValid).map((result) => result.text));
});

test('images of different sizes one after another reuse and grow the one buffer without mixing pixels', async () => {
  const small = renderCoverRaster({ dpi: 100, qrs: [{ text: 'FY-PIXMAP-S', placement: 'top-left', sizeMm: 25 }] });
  const large = renderCoverRaster({ dpi: 300, qrs: [{ text: 'FY-PIXMAP-L', placement: 'top-right', sizeMm: 20 }] });
  for (const [image, text] of [[small, 'FY-PIXMAP-S'], [large, 'FY-PIXMAP-L'], [small, 'FY-PIXMAP-S'], [large, 'FY-PIXMAP-L']] as const) {
    assert.deepEqual((await readQrWithZxing(image)).map((symbol) => symbol.text), [text]);
  }
});

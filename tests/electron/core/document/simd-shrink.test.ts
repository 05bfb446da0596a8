import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildShrinkModule, createSimdShrink } from '../../../../electron/core/document/simd-shrink.js';
import { shrinkGray, type GrayImage } from '../../../../electron/core/document/gray-image.js';

/** Fills `data` with reproducible noise over the whole 0–255 range (bytes above 127 catch a signed add). */
function fillNoise(data: Uint8Array, seed: number): void {
  for (let i = 0; i < data.length; i += 1) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = seed >>> 24;
  }
}

test('the module is valid WebAssembly built from its instruction list', () => {
  // (The project's TypeScript libraries do not declare the WebAssembly API.)
  const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  assert.equal(wasm.validate(buildShrinkModule()), true);
});

test('the SIMD shrink gives the JavaScript shrink’s block means bit for bit, even and odd numbers of blocks, pages up to A4 at 300 dpi', () => {
  const shrink = createSimdShrink();
  assert.ok(shrink, 'WebAssembly SIMD is there in Node 20 and in Electron');
  for (const [width, height] of [[8, 8], [16, 8], [24, 16], [40, 9], [252, 355], [2480, 3508], [2500, 3522], [1652, 2338]] as const) {
    const buffer = shrink.take(width * height);
    fillNoise(buffer, width * 31 + height);
    const image: GrayImage = { data: new Uint8Array(buffer.buffer, buffer.byteOffset, width * height), width, height };
    const fast = shrink.shrinkBy8(image);
    assert.ok(fast, `${width}×${height}`);
    const expected = shrinkGray(image, 8);
    assert.deepEqual([fast.width, fast.height], [expected.width, expected.height], `${width}×${height}`);
    assert.ok(Buffer.from(fast.data).equals(Buffer.from(expected.data)), `${width}×${height}: the same means`);
  }
  // Flat pages stay flat at both ends of the range.
  for (const level of [0, 255]) {
    const buffer = shrink.take(64 * 64);
    buffer.fill(level);
    const fast = shrink.shrinkBy8({ data: new Uint8Array(buffer.buffer, 0, 64 * 64), width: 64, height: 64 });
    assert.ok(fast?.data.every((value) => value === level));
  }
});

test('an image it does not hold, a row that is not whole words, or one under a block is left to the JavaScript shrink', () => {
  const shrink = createSimdShrink();
  assert.ok(shrink);
  const elsewhere: GrayImage = { data: new Uint8Array(64 * 64), width: 64, height: 64 };
  assert.equal(shrink.shrinkBy8(elsewhere), null);
  const odd = shrink.take(250 * 160);
  assert.equal(shrink.shrinkBy8({ data: new Uint8Array(odd.buffer, 0, 250 * 160), width: 250, height: 160 }), null);
  const tiny = shrink.take(4 * 4);
  assert.equal(shrink.shrinkBy8({ data: new Uint8Array(tiny.buffer, 0, 16), width: 4, height: 4 }), null);
  // A page larger than the last one taken is not read past the buffer's end.
  const small = shrink.take(64 * 64);
  assert.equal(shrink.shrinkBy8({ data: new Uint8Array(small.buffer, 0, 64 * 64), width: 64, height: 128 }), null);
});

test('the memory grows for a larger page and the overview is a copy, not a view that a later page overwrites', () => {
  const shrink = createSimdShrink();
  assert.ok(shrink);
  const first = shrink.take(64 * 64);
  first.fill(200);
  const overview = shrink.shrinkBy8({ data: new Uint8Array(first.buffer, 0, 64 * 64), width: 64, height: 64 });
  const large = shrink.take(2480 * 3508);
  large.fill(10);
  assert.ok(overview?.data.every((value) => value === 200));
  const again = shrink.shrinkBy8({ data: new Uint8Array(large.buffer, 0, 2480 * 3508), width: 2480, height: 3508 });
  assert.ok(again?.data.every((value) => value === 10));
});

// The 1/8 shrink of a page in WebAssembly SIMD: 16 pixels a load, where JavaScript reads 4. The
// module is written here, byte by byte, from the instruction list below (no toolchain, no binary in
// the repository): one function over a memory the page is decoded into.
import type { GrayImage } from './gray-image.js';

/** WebAssembly opcodes used below (core and SIMD; SIMD opcodes follow the 0xfd prefix as LEB128). */
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Store8: 0x3a,
  i32Const: 0x41,
  i32GtU: 0x4b,
  i32GeU: 0x4f,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32ShrU: 0x76,
  simd: 0xfd,
  v128Load: 0x00,
  v128Load64Zero: 0x5d,
  i32x4ExtractLane: 0x1b,
  i16x8ExtaddPairwiseI8x16U: 0x7d,
  i32x4ExtaddPairwiseI16x8U: 0x7f,
  i16x8Add: 0x8e,
} as const;

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function signedLeb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...unsignedLeb(body.length), ...body];
}

function name(text: string): number[] {
  return [...unsignedLeb(text.length), ...[...text].map((char) => char.charCodeAt(0))];
}

// Parameters: 0 src, 1 stride, 2 outWidth, 3 outHeight, 4 dst. Locals: 5 by, 6 bx, 7 p, 8 row (i32), 9 acc (v128).
const [src, stride, outWidth, outHeight, dst, by, bx, p, row, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const get = (local: number) => [op.localGet, local];
const set = (local: number) => [op.localSet, local];
const constant = (value: number) => [op.i32Const, ...signedLeb(value)];
const simd = (code: number, ...immediates: number[]) => [op.simd, ...unsignedLeb(code), ...immediates];
// memarg: alignment exponent 0 (pages are not 16-byte aligned row by row), offset 0.
const memarg = [0, 0];

/** Sums eight rows of 16 (or 8, `half`) pixels from address `p` into `acc` as eight 16-bit pair sums, advancing `p` by a row each time. */
function sumEightRows(half: boolean): number[] {
  const load = half ? simd(op.v128Load64Zero, ...memarg) : simd(op.v128Load, ...memarg);
  const code: number[] = [...get(p), ...load, ...simd(op.i16x8ExtaddPairwiseI8x16U), op.localSet, acc];
  for (let r = 1; r < 8; r += 1) {
    code.push(...get(p), ...get(stride), op.i32Add, op.localTee, p);
    code.push(...load, ...simd(op.i16x8ExtaddPairwiseI8x16U), ...get(acc), ...simd(op.i16x8Add), op.localSet, acc);
  }
  return code;
}

/** Widens `acc`'s eight 16-bit pair sums to four 32-bit sums of four pixels × eight rows, in place. */
const widenSums = [...get(acc), ...simd(op.i32x4ExtaddPairwiseI16x8U), op.localSet, acc];

/** Stores the mean of the 64 pixels in lanes `a` and `b` of the widened `acc` at `dst + by·outWidth + bx + k`. */
function storeMean(lanes: [number, number], k: number): number[] {
  return [
    // address
    ...get(dst), ...get(by), ...get(outWidth), op.i32Mul, op.i32Add, ...get(bx), op.i32Add, ...constant(k), op.i32Add,
    // (lane a + lane b + 32) >> 6
    ...get(acc), ...simd(op.i32x4ExtractLane, lanes[0]),
    ...get(acc), ...simd(op.i32x4ExtractLane, lanes[1]),
    op.i32Add, ...constant(32), op.i32Add, ...constant(6), op.i32ShrU,
    op.i32Store8, ...memarg,
  ];
}

/** The module's bytes: `shrink(src, stride, outWidth, outHeight, dst)` over the imported memory `m.mem`. */
export function buildShrinkModule(): Uint8Array {
  const body: number[] = [
    // locals: 4 × i32, 1 × v128
    2, 4, 0x7f, 1, 0x7b,
    ...constant(0), ...set(by),
    op.block, 0x40, op.loop, 0x40,
    ...get(by), ...get(outHeight), op.i32GeU, op.brIf, 1,
    // row = src + by · 8 · stride
    ...get(src), ...get(by), ...constant(8), op.i32Mul, ...get(stride), op.i32Mul, op.i32Add, ...set(row),
    ...constant(0), ...set(bx),
    // Two blocks (16 pixels) at a time while two fit.
    op.block, 0x40, op.loop, 0x40,
    ...get(bx), ...constant(2), op.i32Add, ...get(outWidth), op.i32GtU, op.brIf, 1,
    ...get(row), ...get(bx), ...constant(8), op.i32Mul, op.i32Add, ...set(p),
    ...sumEightRows(false),
    ...widenSums,
    ...storeMean([0, 1], 0),
    ...storeMean([2, 3], 1),
    ...get(bx), ...constant(2), op.i32Add, ...set(bx),
    op.br, 0,
    op.end, op.end,
    // The last block of an odd row of blocks: 8 pixels.
    ...get(bx), ...get(outWidth), op.i32LtU, op.if, 0x40,
    ...get(row), ...get(bx), ...constant(8), op.i32Mul, op.i32Add, ...set(p),
    ...sumEightRows(true),
    ...widenSums,
    ...storeMean([0, 1], 0),
    op.end,
    ...get(by), ...constant(1), op.i32Add, ...set(by),
    op.br, 0,
    op.end, op.end,
    op.end,
  ];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...name('m'), ...name('mem'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('shrink'), 0x00, 0]),
    ...section(10, [1, ...unsignedLeb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

/** A page-sized buffer in WebAssembly memory and the 1/8 shrink over it. */
export interface SimdShrink {
  /** A buffer of `size` bytes to decode a page into (valid until the next call). */
  take(size: number): Buffer;
  /** The 1/8 block means of an image that lies in the buffer `take` gave; null when it does not. */
  shrinkBy8(image: GrayImage): GrayImage | null;
}

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libraries do not declare it). */
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** Creates the shrink, or null where WebAssembly SIMD is not there (the JavaScript shrink then runs). */
export function createSimdShrink(): SimdShrink | null {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return null;
  const memory = new wasm.Memory({ initial: 1 });
  let instance: { exports: Record<string, unknown> };
  try {
    instance = new wasm.Instance(new wasm.Module(buildShrinkModule()), { m: { mem: memory } });
  } catch {
    return null;
  }
  const shrink = instance.exports['shrink'] as (src: number, stride: number, outWidth: number, outHeight: number, dst: number) => void;
  // Layout: the page from 0, then its overview. Grown (never shrunk) to the largest page seen.
  let pageBytes = 0;
  const ensure = (bytes: number) => {
    const pages = Math.ceil(bytes / 65536);
    const have = memory.buffer.byteLength / 65536;
    if (pages > have) memory.grow(pages - have);
  };
  return {
    take(size) {
      // Room for the page, its overview (a 64th) and a spare row of 16 bytes the last load may touch.
      ensure(size + Math.ceil(size / 64) + 64);
      pageBytes = size;
      return Buffer.from(memory.buffer, 0, size);
    },
    shrinkBy8(image) {
      // Where the JavaScript shrink would sample (rows that are not whole words) it is left to it: the
      // results stay what they were, bit for bit.
      if (image.data.buffer !== memory.buffer || image.data.byteOffset !== 0 || image.width * image.height > pageBytes) return null;
      if (image.width < 8 || image.height < 8 || image.width % 4 !== 0) return null;
      const width = Math.floor(image.width / 8);
      const height = Math.floor(image.height / 8);
      const out = pageBytes + 16;
      shrink(0, image.width, width, height, out);
      return { data: new Uint8Array(memory.buffer, out, width * height).slice(), width, height };
    },
  };
}

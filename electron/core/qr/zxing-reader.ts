import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  BINARIZERS,
  CHARACTER_SETS,
  defaultReaderOptions,
  EAN_ADD_ON_SYMBOLS,
  encodeFormats,
  prepareZXingModule,
  TEXT_MODES,
  type ReaderOptions,
  type ZXingReaderModule,
  type ZXingReaderOptions,
  type ZXingReadResult,
} from 'zxing-wasm/reader';
import type { GrayImage } from '../document/gray-image.js';

/** The reader module with the Emscripten memory calls it carries (typed by @types/emscripten, which we do not install). */
export type ZxingModule = ZXingReaderModule & { _malloc(size: number): number; _free(at: number): void; HEAPU8: Uint8Array };

let ready: Promise<ZxingModule> | undefined;

/** Where the reader's .wasm sits in the installed package (or beside a packaged app's bundle). */
export function resolveZxingWasmPath(): string {
  return createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
}

/**
 * Loads ZXing's WebAssembly from the installed package, once per thread. By default zxing-wasm
 * fetches it from a CDN, which must never happen: scanning desks are offline and CDNs leak data.
 */
export function loadZxing(wasmPath: string = resolveZxingWasmPath()): Promise<ZxingModule> {
  ready ??= readFile(wasmPath).then((bytes) => {
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true }) as Promise<ZxingModule>;
  });
  return ready;
}

/** A QR symbol as ZXing saw it, in the coordinates of the image it was given. */
export interface ZxingSymbol {
  text: string;
  bytes: Uint8Array;
  /** Corners: top-left, top-right, bottom-right, bottom-left of the symbol (finder-pattern order). */
  corners: Array<{ x: number; y: number }>;
  /** QR version 1–40 (size = 17 + 4·version modules), 0 when unknown. */
  version: number;
  ecLevel: string;
}

const readerOptions: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: true,
  maxNumberOfSymbols: 8,
  // Raw bytes are kept so hostile payloads (control characters, huge texts) can be judged exactly.
  textMode: 'Plain',
};

/** What a recall fallback may change: light-on-dark symbols, the binarizer, denoising, the downscale steps. */
export type ReaderOverrides = Pick<ReaderOptions, 'tryInvert' | 'binarizer' | 'tryDenoise' | 'tryDownscale' | 'downscaleFactor' | 'downscaleThreshold' | 'tryHarder'>;

let previous: Promise<unknown> = Promise.resolve();

/**
 * Reads every QR code in a gray image with ZXing-C++ (WebAssembly). Calls on one thread run one
 * after another: they share the thread's PGM scratch buffer.
 */
export function readQrWithZxing(image: GrayImage, overrides: ReaderOverrides = {}): Promise<ZxingSymbol[]> {
  const run = previous.then(() => decodeWithZxing(image, overrides));
  previous = run.catch(() => undefined);
  return run;
}

/** The thread's pixel buffer inside ZXing's WebAssembly memory: allocated once, grown when a larger image comes. */
let pixels = { at: 0, size: 0 };

/**
 * Reads an image with ZXing through its gray-pixmap entry point (the one zxing-wasm's own ImageData
 * path ends in): the gray bytes are copied once, into a buffer kept in ZXing's memory. zxing-wasm's
 * byte-array path wanted an encoded image (we built a PGM: a copy), copied it into a fresh
 * allocation, decoded it into another and never freed its result list: three copies of a 2.6 MB
 * band and a heap that kept growing, about 30 % of a read on a 300-dpi page. Same pixels, same
 * options, same results (tests/electron/core/qr/zxing-reader.test.ts compares both paths).
 */
function readPixels(zxing: ZxingModule, image: GrayImage, options: ReaderOptions): ZXingReadResult[] {
  const size = image.width * image.height;
  if (size > pixels.size) {
    if (pixels.at) zxing._free(pixels.at);
    const at = zxing._malloc(size);
    if (!at) throw new Error(`ZXing could not allocate ${size} bytes`);
    pixels = { at, size };
  }
  // (HEAPU8 is read after any call that may have grown the memory: growth replaces the view.)
  zxing.HEAPU8.set(image.data.subarray(0, size), pixels.at);
  const found = zxing.readBarcodesFromPixmap(pixels.at, image.width, image.height, toZxingOptions(options)) as ReturnType<ZXingReaderModule['readBarcodesFromPixmap']> & { delete?: () => void };
  try {
    const results: ZXingReadResult[] = [];
    for (let i = 0; i < found.size(); i += 1) {
      const result = found.get(i);
      if (result) results.push(result);
    }
    return results;
  } finally {
    found.delete?.();
  }
}

/** Reader options as the WebAssembly side takes them (enum names as indices, formats as one string), as zxing-wasm converts them. */
function toZxingOptions(options: ReaderOptions): ZXingReaderOptions {
  const all = { ...defaultReaderOptions, ...options };
  return {
    formats: encodeFormats(all.formats),
    tryHarder: all.tryHarder,
    tryRotate: all.tryRotate,
    tryInvert: all.tryInvert,
    tryDownscale: all.tryDownscale,
    tryDenoise: all.tryDenoise,
    binarizer: BINARIZERS.indexOf(all.binarizer),
    isPure: all.isPure,
    downscaleThreshold: all.downscaleThreshold,
    downscaleFactor: all.downscaleFactor,
    minLineCount: all.minLineCount,
    maxNumberOfSymbols: all.maxNumberOfSymbols,
    validateOptionalChecksum: all.validateOptionalChecksum,
    returnErrors: all.returnErrors,
    eanAddOnSymbol: EAN_ADD_ON_SYMBOLS.indexOf(all.eanAddOnSymbol),
    textMode: TEXT_MODES.indexOf(all.textMode),
    characterSet: CHARACTER_SETS.indexOf(all.characterSet),
    tryCode39ExtendedMode: all.tryCode39ExtendedMode ?? true,
  };
}

/** A QR symbol ZXing located (three finder patterns, a sampling grid) but could not decode. */
export interface UnreadableSymbol {
  corners: Array<{ x: number; y: number }>;
  /** ZXing's reason, e.g. a checksum error: more modules wrong than the error correction repairs. */
  error: string;
}

/** What one read saw: the symbols it decoded and the QR symbols it located but could not decode. */
export interface ZxingRead {
  symbols: ZxingSymbol[];
  unreadable: UnreadableSymbol[];
}

/**
 * Reads like `readQrWithZxing`, and also reports full-size QR symbols ZXing located but could not
 * decode (scratched, torn, smudged — or pixels a decoder got wrong): a cover's place holding one is
 * never judged by what else is on the page. Micro and rectangular QR candidates are not reported:
 * covers carry full QR codes, and ZXing proposes those on text and rules. A located symbol hides one
 * decoded at the same place from a smaller copy of the image, so a caller that sees any unreadable
 * symbol reads again without this report before judging.
 */
export function readQrWithZxingReportingFailures(image: GrayImage, overrides: ReaderOverrides = {}): Promise<ZxingRead> {
  const run = previous.then(() => decodeWithZxingAndFailures(image, overrides));
  previous = run.catch(() => undefined);
  return run;
}

async function decodeWithZxing(image: GrayImage, overrides: ReaderOverrides): Promise<ZxingSymbol[]> {
  if (image.width < 21 || image.height < 21) return [];
  const results = readPixels(await loadZxing(), image, { ...readerOptions, ...overrides });
  return results.filter((result) => result.isValid).map(toSymbol);
}

async function decodeWithZxingAndFailures(image: GrayImage, overrides: ReaderOverrides): Promise<ZxingRead> {
  if (image.width < 21 || image.height < 21) return { symbols: [], unreadable: [] };
  const results = readPixels(await loadZxing(), image, { ...readerOptions, ...overrides, returnErrors: true });
  const symbols = results.filter((result) => result.isValid).map(toSymbol);
  const unreadable = results.filter((result) => !result.isValid && result.format === 'QRCode').map((result) => ({ corners: toSymbol(result).corners, error: result.error }));
  return { symbols, unreadable };
}

function toSymbol(result: ZXingReadResult): ZxingSymbol {
  const { topLeft, topRight, bottomRight, bottomLeft } = result.position;
  return {
    text: result.text,
    bytes: result.bytes,
    corners: [topLeft, topRight, bottomRight, bottomLeft].map((point) => ({ x: point.x, y: point.y })),
    version: Number.parseInt(result.version, 10) || 0,
    ecLevel: result.ecLevel,
  };
}

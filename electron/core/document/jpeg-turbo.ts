import { createRequire } from 'node:module';
import type { GrayImage } from './gray-image.js';

/** What a JPEG's frame header says, read before a byte of image data is decoded. */
export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  precision: number;
}

/**
 * Reads the frame header (SOF marker) of a JPEG: its size and component count, so a page can be
 * refused above the pixel limit, or found to differ from what its PDF claims, before decoding.
 * Null when the bytes are not a JPEG or end before the frame header.
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] as number;
    // Fill bytes (0xFF 0xFF …) may pad between segments.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // Markers without a length: TEM and RSTn. Anything else before the frame is a segment to skip.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (length < 2) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 10 > bytes.length) return null;
      return {
        precision: bytes[at + 4] as number,
        height: ((bytes[at + 5] as number) << 8) | (bytes[at + 6] as number),
        width: ((bytes[at + 7] as number) << 8) | (bytes[at + 8] as number),
        components: bytes[at + 9] as number,
      };
    }
    at += 2 + length;
  }
  return null;
}

interface TurboDecoded {
  data: Buffer;
  width: number;
  height: number;
  size: number;
}

interface TurboBinding {
  FORMAT_GRAY: number;
  decompress(image: Buffer, out: Buffer, options: { format: number }): Promise<TurboDecoded>;
  decompress(image: Buffer, options: { format: number }): Promise<TurboDecoded>;
  decompressSync(image: Buffer, out: Buffer, options: { format: number }): TurboDecoded;
  decompressSync(image: Buffer, options: { format: number }): TurboDecoded;
}

let binding: TurboBinding | null | undefined;

/** libjpeg-turbo, loaded once; null where its prebuilt binary is missing (sharp then decodes). */
function loadTurbo(): TurboBinding | null {
  if (binding !== undefined) return binding;
  try {
    binding = createRequire(import.meta.url)('@julusian/jpeg-turbo') as TurboBinding;
  } catch {
    binding = null;
  }
  return binding;
}

/**
 * Decodes a JPEG's luma (Y) channel only with libjpeg-turbo: the chroma planes are entropy-decoded
 * but never transformed, upsampled or converted, which makes a 300-dpi colour page about seven times
 * faster to read than a full decode through libvips. Null when libjpeg-turbo is not available or
 * cannot read this JPEG (CMYK, 12-bit, damaged): the caller then decodes with sharp, which gives the
 * proper error. The header must already have been checked against the pixel limit. `into`, when
 * large enough, receives the pixels (a page reader reuses it for every page: no 9 MB allocation and
 * garbage collection per page); the image returned is then a view of it. `onThisThread` decodes on
 * the calling thread instead of libuv's pool (a worker with one page at a time has nothing else to
 * do meanwhile, and leaves the pool to file reads).
 */
export async function decodeJpegLuma(bytes: Uint8Array, into?: Buffer, onThisThread = false): Promise<GrayImage | null> {
  const turbo = loadTurbo();
  if (!turbo) return null;
  const header = readJpegHeader(bytes);
  const out = into && header && into.length >= header.width * header.height ? into : undefined;
  try {
    const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    // The binding reads its second argument as options unless it is a Buffer.
    const format = { format: turbo.FORMAT_GRAY };
    const decoded = onThisThread ? (out ? turbo.decompressSync(source, out, format) : turbo.decompressSync(source, format)) : await (out ? turbo.decompress(source, out, format) : turbo.decompress(source, format));
    if (decoded.size < decoded.width * decoded.height) return null;
    return { data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.width * decoded.height), width: decoded.width, height: decoded.height };
  } catch {
    return null;
  }
}


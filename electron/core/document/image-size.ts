import { open } from 'node:fs/promises';
import { detectFormat } from './detect-format.js';

/** How far into a JPEG its frame header is looked for (EXIF and ICC blocks come first). */
const jpegHeaderWindow = 256 * 1024;

/**
 * The pixel size of a single-image file (JPEG, PNG, TIFF's first page) read from its header alone,
 * or null for a PDF, an unknown format or a header that does not say. Reads at most 256 KB.
 */
export async function readImageSize(file: string): Promise<{ width: number; height: number } | null> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(jpegHeaderWindow);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    const format = detectFormat(bytes);
    switch (format) {
      case 'png':
        return bytes.length >= 24 ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : null;
      case 'jpeg':
        return jpegSize(bytes);
      case 'tiff':
        return tiffSize(bytes);
      case 'pdf':
      case null:
        return null;
    }
  } finally {
    await handle.close();
  }
}

function jpegSize(bytes: Buffer): { width: number; height: number } | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] as number;
    // Fill bytes, and markers without a length (RSTn, TEM).
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    if (marker === 0xda || marker === 0xd9) return null;
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return null;
}

function tiffSize(bytes: Buffer): { width: number; height: number } | null {
  const little = bytes[0] === 0x49;
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  if (bytes.length < 8) return null;
  const ifd = u32(4);
  if (ifd + 2 > bytes.length) return null;
  const count = u16(ifd);
  let width: number | null = null;
  let height: number | null = null;
  for (let i = 0; i < count && ifd + 2 + i * 12 + 12 <= bytes.length; i += 1) {
    const at = ifd + 2 + i * 12;
    const tag = u16(at);
    const value = u16(at + 2) === 3 ? u16(at + 8) : u32(at + 8);
    if (tag === 256) width = value;
    if (tag === 257) height = value;
  }
  return width !== null && height !== null ? { width, height } : null;
}

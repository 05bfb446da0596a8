import { CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';

// A JPEG may carry any amount of APPn/COM segments, fill bytes and bytes after its end: a valid
// page with 900 MB of APP padding was stored whole (a 901 MB page, 4.7 GB peak). A page is kept
// at what a scanner writes: the image, its frame and tables, and the metadata that changes how it
// is shown (JFIF density, EXIF orientation, an ICC profile, Adobe's colour transform flag).

/** Metadata kept from a JPEG at most (an ICC profile is the largest part; EXIF is one segment, under 64 KB). */
export const maxKeptJpegMetadata = 1024 * 1024;

/** Droppable bytes below this leave the scanner's own bytes untouched (the usual case: stored exactly as scanned). */
const compactThreshold = 64 * 1024;

/** The most bytes one page's JPEG may take: one byte per pixel per component, plus the metadata kept. */
export function maxJpegPageBytes(width: number, height: number, components: number): number {
  return width * height * Math.max(1, components) + maxKeptJpegMetadata + compactThreshold;
}

/** Where a JPEG's bytes are read from: memory, or a range of a file read piece by piece. */
export interface JpegSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A JPEG held in memory, as a source. */
export function jpegSourceOfBytes(bytes: Uint8Array): JpegSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) };
}

const ascii = new TextDecoder('latin1');

/** The end-of-image marker. */
const endOfImage = Buffer.of(0xff, 0xd9);

/** Whether an APPn/COM segment is metadata that changes how the page is shown (kept) or padding (dropped). */
function keeps(marker: number, head: string, kept: { jfif: boolean; exif: boolean; adobe: boolean }): 'jfif' | 'exif' | 'adobe' | 'icc' | null {
  if (marker === 0xe0 && head.startsWith('JFIF\0') && !kept.jfif) return 'jfif';
  if (marker === 0xe1 && head.startsWith('Exif\0') && !kept.exif) return 'exif';
  if (marker === 0xe2 && head.startsWith('ICC_PROFILE\0')) return 'icc';
  if (marker === 0xee && head.startsWith('Adobe') && !kept.adobe) return 'adobe';
  return null;
}

/**
 * A page's JPEG without padding: APPn/COM segments other than the first JFIF, EXIF and Adobe ones
 * and the ICC profile, fill bytes between segments and anything after the end marker are dropped,
 * reading only what is kept (a padded file is never read whole). Returns the source's own bytes
 * when less than 64 KB would go. Refuses the page (`page-too-large`) when what is left is still
 * larger than its pixels can need, or the image data does not end within that size. Null when the
 * structure is not what this reads (the decoder then judges the bytes, which must fit the bound).
 */
export async function readCompactJpeg(source: JpegSource, page: { name: string; page: number; width?: number; height?: number; components?: number }): Promise<Uint8Array | null> {
  // Without a size from the container (a JPEG file), the frame header's; before it, only tables and metadata can come.
  let bound = page.width !== undefined && page.height !== undefined ? maxJpegPageBytes(page.width, page.height, page.components ?? 3) : maxJpegPageBytes(0, 0, 1) + maxKeptJpegMetadata;
  const tooLarge = (size: number) => new CoreError('page-too-large', { name: page.name, page: page.page, size: formatBytes(size), limit: formatBytes(bound) });
  const head = await source.read(0, 2);
  if (head[0] !== 0xff || head[1] !== 0xd8) return null;
  const parts: Array<{ offset: number; length: number }> = [{ offset: 0, length: 2 }];
  const kept = { jfif: false, exif: false, adobe: false };
  // Where the ICC profile goes back: after the JFIF segment, which must come first.
  let iccAt = 1;
  const icc: Array<{ offset: number; length: number }> = [];
  let keptBytes = 2;
  let at = 2;
  for (;;) {
    const marker = await source.read(at, 4);
    if (marker.length < 4 || marker[0] !== 0xff) return null;
    const code = marker[1] as number;
    if (code === 0xff) {
      at += 1;
      continue;
    }
    if (code === 0xda) break;
    if (code === 0xd8 || code === 0xd9 || (code >= 0xd0 && code <= 0xd7) || code === 0x01) return null;
    const length = 2 + (((marker[2] as number) << 8) | (marker[3] as number));
    if (length < 4 || at + length > source.size) return null;
    if ((code >= 0xe0 && code <= 0xef) || code === 0xfe) {
      const what = code === 0xfe ? null : keeps(code, ascii.decode(await source.read(at + 4, 12)), kept);
      if (what === 'icc') icc.push({ offset: at, length });
      else if (what) {
        if (what === 'jfif' && parts.length === 1) iccAt = 2;
        kept[what] = true;
        parts.push({ offset: at, length });
        keptBytes += length;
      }
    } else {
      parts.push({ offset: at, length });
      keptBytes += length;
      const isFrame = code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc;
      if (isFrame && (page.width === undefined || page.height === undefined)) {
        const frame = await source.read(at + 4, 6);
        bound = maxJpegPageBytes(((frame[3] as number) << 8) | (frame[4] as number), ((frame[1] as number) << 8) | (frame[2] as number), frame[5] as number);
      }
    }
    if (keptBytes > bound) throw tooLarge(keptBytes);
    at += length;
  }
  // An ICC profile is kept whole or not at all (a part of one is worse than none).
  const iccBytes = icc.reduce((sum, part) => sum + part.length, 0);
  if (iccBytes <= maxKeptJpegMetadata) {
    parts.splice(iccAt, 0, ...icc);
    keptBytes += iccBytes;
  }
  // The image data runs from the first scan to the end marker (FF D9 never occurs inside entropy-coded data).
  const scanStart = at;
  let scanEnd = -1;
  const chunk = 1024 * 1024;
  for (let offset = scanStart; offset < source.size && scanEnd < 0; offset += chunk - 1) {
    const piece = await source.read(offset, Math.min(chunk, source.size - offset));
    // Buffer's native search: a byte-by-byte loop here took about 1 ms of the main thread per heavy page.
    const found = Buffer.from(piece.buffer, piece.byteOffset, piece.length).indexOf(endOfImage);
    if (found >= 0) scanEnd = offset + found + 2;
    if (scanEnd < 0 && keptBytes + (offset + piece.length - scanStart) > bound) throw tooLarge(source.size);
  }
  // No end marker (a truncated file): everything to the end, for the decoder to judge.
  const end = scanEnd < 0 ? source.size : scanEnd;
  parts.push({ offset: scanStart, length: end - scanStart });
  keptBytes += end - scanStart;
  if (keptBytes > bound) throw tooLarge(keptBytes);
  if (source.size - keptBytes < compactThreshold) return source.size > bound ? null : source.read(0, source.size);
  const out = new Uint8Array(keptBytes);
  let written = 0;
  for (const part of parts) {
    out.set(await source.read(part.offset, part.length), written);
    written += part.length;
  }
  return out;
}

// A page's JPEG bytes as they are stored, read from a file or a buffer: trimmed of padding, bounded, checked to be a JPEG.
import { promises as fs } from 'node:fs';
import { CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import { maxJpegPageBytes, readCompactJpeg, type JpegSource } from './jpeg-compact.js';

/** Runs `use` over a file opened as a JPEG source (positional reads), closing it after. */
export async function withFileSource<T>(file: string, use: (source: JpegSource) => Promise<T>): Promise<T> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    return await use({
      size,
      async read(offset, length) {
        const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        const { bytesRead } = await handle.read(out, 0, out.length, offset);
        return out.subarray(0, bytesRead);
      },
    });
  } finally {
    await handle.close();
  }
}

/**
 * A page's JPEG bytes as they are stored: without padding (see `readCompactJpeg`), refused above
 * what its pixels can need; a page whose bytes are not a JPEG at all is a damaged page.
 */
export async function readPageJpeg(source: JpegSource, page: { name: string; page: number; width?: number; height?: number }): Promise<Uint8Array> {
  const compact = await readCompactJpeg(source, page);
  if (compact) return compact;
  // A structure the trimmer does not read: bounded by the page's size when the container gives it (the file limit otherwise).
  const bound = page.width !== undefined && page.height !== undefined ? maxJpegPageBytes(page.width, page.height, 3) : Number.POSITIVE_INFINITY;
  if (source.size > bound) throw new CoreError('page-too-large', { name: page.name, page: page.page, size: formatBytes(source.size), limit: formatBytes(bound) });
  const bytes = await source.read(0, source.size);
  // The file's structure held (its page table was read), only this page's image is not one: a damaged page.
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new CoreError('corrupt-image', { name: page.name, page: page.page, reason: 'image-data' });
  return bytes;
}

import { open, type FileHandle } from 'node:fs/promises';
import { detectFormat } from '../document/detect-format.js';

/** Why a file is not (yet) complete, or null when it is. */
export type IncompleteReason = 'pdf-no-trailer' | 'tiff-ifd-past-end' | 'tiff-data-past-end' | 'jpeg-no-eoi' | 'png-no-iend' | null;

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.max(0, length));
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
  return buffer.subarray(0, bytesRead);
}

/**
 * Whether a scanner has finished writing `file`: it parses to its end. A PDF ends with `%%EOF`
 * after its cross-reference; a TIFF's chain of pages (IFDs) and every strip or tile lie inside the
 * file; a JPEG ends with its EOI marker; a PNG with IEND. Reads a few kilobytes, never the file.
 */
export async function checkFileComplete(file: string): Promise<IncompleteReason> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = await readAt(handle, 0, 1024);
    const tail = await readAt(handle, Math.max(0, size - 1024), Math.min(1024, size));
    switch (detectFormat(head)) {
      case 'pdf':
        return /%%EOF\s*$/.test(tail.toString('latin1')) ? null : 'pdf-no-trailer';
      case 'jpeg': {
        // Some writers pad after EOI; the marker must be among the last bytes.
        const end = tail.toString('latin1').replace(/\0+$/, '');
        return end.endsWith('\xff\xd9') ? null : 'jpeg-no-eoi';
      }
      case 'png':
        return tail.includes(Buffer.from('IEND')) ? null : 'png-no-iend';
      case 'tiff':
        return await checkTiff(handle, head, size);
      case null:
        return null;
    }
  } finally {
    await handle.close();
  }
}

async function checkTiff(handle: FileHandle, head: Buffer, size: number): Promise<IncompleteReason> {
  const little = head[0] === 0x49;
  const u16 = (buffer: Buffer, at: number) => (little ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
  const u32 = (buffer: Buffer, at: number) => (little ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
  let ifd = u32(head, 4);
  const visited = new Set<number>();
  while (ifd !== 0) {
    if (ifd + 2 > size || visited.has(ifd) || visited.size > 10_000) return 'tiff-ifd-past-end';
    visited.add(ifd);
    const count = u16(await readAt(handle, ifd, 2), 0);
    const entries = await readAt(handle, ifd + 2, count * 12 + 4);
    if (entries.length < count * 12 + 4) return 'tiff-ifd-past-end';
    const values = new Map<number, number[]>();
    for (let i = 0; i < count; i += 1) {
      const at = i * 12;
      const tag = u16(entries, at);
      if (tag !== 273 && tag !== 279 && tag !== 324 && tag !== 325) continue;
      const type = u16(entries, at + 2);
      const n = u32(entries, at + 4);
      const width = type === 3 ? 2 : 4;
      const inline = n * width <= 4;
      const data = inline ? entries.subarray(at + 8, at + 12) : await readAt(handle, u32(entries, at + 8), n * width);
      if (data.length < n * width) return 'tiff-ifd-past-end';
      values.set(tag, Array.from({ length: n }, (_, k) => (width === 2 ? u16(data, k * 2) : u32(data, k * 4))));
    }
    for (const [offsets, counts] of [[273, 279], [324, 325]] as const) {
      const starts = values.get(offsets) ?? [];
      const lengths = values.get(counts) ?? [];
      for (let k = 0; k < starts.length; k += 1) if ((starts[k] as number) + (lengths[k] ?? 0) > size) return 'tiff-data-past-end';
    }
    ifd = u32(entries, count * 12);
  }
  return null;
}

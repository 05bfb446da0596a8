import { crc32 } from 'node:zlib';
import { zipSync, type ZipOptions } from 'fflate';

/** One file to put in a ZIP. */
export interface ZipEntry {
  /** Path inside the archive (UTF-8; "/" separates folders). */
  name: string;
  data: Uint8Array;
  modified: Date;
}

/** The Info-ZIP Unicode Path field (0x7075): Info-ZIP's unzip reads names from it, Windows from the UTF-8 flag. */
function unicodePathField(name: string): Uint8Array {
  const bytes = Buffer.from(name, 'utf8');
  const field = Buffer.alloc(5 + bytes.length);
  field.writeUInt8(1, 0);
  field.writeUInt32LE(crc32(bytes), 1);
  bytes.copy(field, 5);
  return field;
}

/**
 * Builds a ZIP archive with fflate: every entry stored (`deflate: false`, for PDFs, which are
 * compressed already) or deflated (logs and JSON shrink tenfold). fflate flags non-ASCII names
 * UTF-8 (bit 11, for Windows Explorer); the Info-ZIP Unicode Path field is added too, so Chinese
 * names open right everywhere. Classic ZIP: under 65,535 entries and 4 GiB, far above any batch.
 */
export function buildZip(entries: ZipEntry[], options: { deflate: boolean }): Uint8Array {
  if (entries.length > 0xfffe) throw new RangeError('too many entries for a classic ZIP');
  const files: Record<string, [Uint8Array, ZipOptions & { extra?: Record<number, Uint8Array> }]> = {};
  let total = 0;
  for (const entry of entries) {
    total += entry.data.length;
    if (total > 0xffffffff) throw new RangeError('archive larger than 4 GiB');
    const ascii = /^[\x20-\x7e]*$/.test(entry.name);
    files[entry.name] = [entry.data, { level: options.deflate ? 6 : 0, mtime: entry.modified, ...(ascii ? {} : { extra: { 0x7075: unicodePathField(entry.name) } }) }];
  }
  return zipSync(files);
}

/** A ZIP with every entry stored, not deflated (what the covers' per-bill PDFs need). */
export function buildStoredZip(entries: ZipEntry[]): Uint8Array {
  return buildZip(entries, { deflate: false });
}

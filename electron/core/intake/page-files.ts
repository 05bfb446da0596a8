import { open } from 'node:fs/promises';
import path from 'node:path';
import { detectFormat } from '../document/detect-format.js';

/** A page file's name read as a scanner writes it: the text around its last number, and that number. */
export interface PageName {
  /** The name without its number (and without the extension), lower-cased: `scan_#` for `Scan_0012.jpg`. */
  pattern: string;
  /** The last number in the name (`12` for `scan_0012.jpg`); null when the name has none. */
  number: number | null;
}

/** Reads a page file's name: scanners number their pages, `scan_0001.jpg`, `IMG (12).png`, `page-3_front.tif`. */
export function parsePageName(name: string): PageName {
  const stem = path.parse(name).name;
  const found = /^(.*?)(\d+)(\D*)$/.exec(stem);
  if (!found) return { pattern: stem.toLowerCase(), number: null };
  const digits = found[2] as string;
  // A number too long to be a page number (a timestamp) still orders: the last 15 digits are exact.
  return { pattern: `${found[1] ?? ''}#${found[3] ?? ''}`.toLowerCase(), number: Number(digits.slice(-15)) };
}

/**
 * Whether a file is one page on its own (a scanner that writes one file per page): a JPEG, a PNG or
 * a TIFF with a single page, from its header and IFD chain (a few bytes; never decoded). PDFs and
 * multi-page TIFFs are documents: each is its own stack.
 */
export async function isLoosePageFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const format = detectFormat(head.subarray(0, bytesRead));
    if (format === 'jpeg' || format === 'png') return true;
    if (format !== 'tiff') return false;
    const little = head[0] === 0x49;
    const first = little ? head.readUInt32LE(4) : head.readUInt32BE(4);
    const count = Buffer.alloc(2);
    if ((await handle.read(count, 0, 2, first)).bytesRead < 2) return false;
    const entries = little ? count.readUInt16LE(0) : count.readUInt16BE(0);
    const next = Buffer.alloc(4);
    if ((await handle.read(next, 0, 4, first + 2 + entries * 12)).bytesRead < 4) return false;
    return (little ? next.readUInt32LE(0) : next.readUInt32BE(0)) === 0;
  } finally {
    await handle.close();
  }
}

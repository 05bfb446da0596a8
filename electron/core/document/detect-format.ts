/** Input formats the station reads. */
export type DocumentFormat = 'pdf' | 'jpeg' | 'png' | 'tiff';

/** Identifies a file by its first bytes (never by its extension, which may lie). */
export function detectFormat(head: Uint8Array): DocumentFormat | null {
  const starts = (...bytes: number[]) => bytes.every((byte, index) => head[index] === byte);
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  // PDF: "%PDF-" within the first 1 KB (some producers put junk before it).
  const text = Buffer.from(head.subarray(0, 1024)).toString('latin1');
  if (text.includes('%PDF-')) return 'pdf';
  return null;
}

/** File extensions a folder walk picks up. */
export const supportedExtensions = ['.pdf', '.tif', '.tiff', '.jpg', '.jpeg', '.png'] as const;

/**
 * Scanner temp names and our own folders' names, never taken: `~*`, `*.tmp`, `*.part`, dot files,
 * and `imported`/`refused` (a plain file of that name is no scan; the watch uses `imported-2` then).
 */
export function isIgnoredName(name: string): boolean {
  return /^[.~]/.test(name) || /\.(tmp|part|crdownload)$/i.test(name) || /^(imported|refused)(-\d+)?$/i.test(name);
}

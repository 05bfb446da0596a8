// The checks made before a document or a page is decoded: a regular file, its size, a known kind, a page's pixels.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { causeParams, CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import { detectFormat, type DocumentFormat } from './detect-format.js';
import { defaultDocumentLimits, type DocumentLimits } from './document-limits.js';
import type { OpenContext } from './opened-document.js';

/** Refuses, from its size and first kilobyte alone, a document that can never be read: too large, empty, of no known format. */
export function checkDocumentHead(name: string, size: number, head: Uint8Array, limits: DocumentLimits): DocumentFormat {
  if (size > limits.maxBytes) throw new CoreError('file-too-large', { name, size: formatBytes(size), limit: formatBytes(limits.maxBytes) });
  if (size === 0) throw new CoreError('file-empty', { name });
  const format = detectFormat(head);
  if (!format) throw new CoreError('unsupported-format', { name });
  return format;
}

/**
 * The checks made before a document file is read: a regular file, within the size limit, not
 * empty, of a known format. Only the first kilobyte is read, so callers that read the whole file
 * (the spool hashes it) run this first.
 */
export async function checkDocumentFile(file: string, limits: DocumentLimits = defaultDocumentLimits): Promise<{ size: number; format: DocumentFormat }> {
  const name = path.basename(file);
  const unreadable = (error: unknown) => new CoreError('file-unreadable', { name, ...causeParams(error) }, { cause: error });
  const stat = await fs.stat(file).catch((error: unknown) => {
    throw unreadable(error);
  });
  if (!stat.isFile()) throw new CoreError('file-unreadable', { name, reason: 'not-regular-file' });
  // Only the first kilobyte is read here: PDFs go straight into PDFium, images straight into libvips.
  const head = await readHead(file).catch((error: unknown) => {
    throw unreadable(error);
  });
  return { size: stat.size, format: checkDocumentHead(name, stat.size, head, limits) };
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = new Uint8Array(1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Refuses a page above the pixel limit before it is decoded. */
export function checkPixels(context: OpenContext, page: number, width: number, height: number): void {
  if (width * height > context.limits.maxPixels) {
    throw new CoreError('image-too-large', { name: context.name, page, width, height, limit: Math.round(context.limits.maxPixels / 1e6) });
  }
}

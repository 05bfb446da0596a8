import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { causeParams, CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';

/** Limits for the small text inputs people hand the CLI and the app (lists, profiles, secrets, certificates). */
export const inputLimits = {
  /** An ERP export of expected image codes: 100,000 codes are about 3 MB. */
  codeList: 16 * 1024 * 1024,
  /** A bills CSV for covers. */
  coverCsv: 16 * 1024 * 1024,
  /** An endpoint profile (a few KB). */
  profile: 256 * 1024,
  /** A client secret. */
  secret: 4 * 1024,
  /** A CA certificate chain in PEM. */
  certificate: 256 * 1024,
  /** A rescan reasons list (200 reasons of 50 characters fit). */
  rescanReasons: 64 * 1024,
} as const;

// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; the type check
// below then refuses it. (Windows has no FIFOs in the file system and no such flag.)
const openFlags = constants.O_RDONLY | (process.platform === 'win32' ? 0 : constants.O_NONBLOCK);

/**
 * Reads a file that a person named, with the limits every untrusted input gets: a regular file
 * only (never a FIFO, device, socket or folder), at most `maxBytes` (checked before reading and
 * again while reading, for a file that grows), and a clear error for each refusal.
 */
export async function readBoundedFile(file: string, maxBytes: number, displayName = path.basename(file)): Promise<Buffer> {
  const name = displayName;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, openFlags);
  } catch (error) {
    throw new CoreError('file-unreadable', { name, ...causeParams(error) }, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CoreError('file-unreadable', { name, reason: 'not-regular-file' });
    const tooLarge = (size: number) => new CoreError('file-too-large', { name, size: formatBytes(size), limit: formatBytes(maxBytes) });
    if (stat.size > maxBytes) throw tooLarge(stat.size);
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(stat.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw tooLarge(length);
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof CoreError) throw error;
    throw new CoreError('file-unreadable', { name, ...causeParams(error) }, { cause: error });
  } finally {
    await handle.close();
  }
}

/** A bounded text file (UTF-8, BOM dropped) that must not be empty. */
export async function readBoundedText(file: string, maxBytes: number, displayName = path.basename(file)): Promise<string> {
  const text = (await readBoundedFile(file, maxBytes, displayName)).toString('utf8').replace(/^\ufeff/, '');
  if (text.trim() === '') throw new CoreError('file-empty', { name: displayName });
  return text;
}

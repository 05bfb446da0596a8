import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';

/** Limits on one multipart/form-data body read by {@link receiveMultipart}. */
export interface MultipartLimits {
  /** Bytes of the one file part. */
  maxFileBytes: number;
  /** Bytes of the whole body, boundaries and small fields included. */
  maxBodyBytes: number;
  /** Bytes of one text field's value. */
  maxFieldBytes: number;
  /** Parts in the body, the file included. */
  maxParts: number;
  /** Bytes of one part's header block. */
  maxPartHeaderBytes: number;
}

/** The file part as it landed on disk: fsynced, hashed while it streamed. */
export interface ReceivedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** What a multipart body held, or why it was refused (`too-large`: over a byte limit). */
export type MultipartOutcome = { ok: true; fields: Map<string, string>; file: ReceivedFile | null } | { ok: false; reason: 'not-multipart' | 'malformed' | 'too-large' };

/** The boundary named by a multipart/form-data Content-Type (1–70 characters, RFC 2046), or null. */
export function readBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"\r\n]{1,70})"|([^\s;"]{1,70}))(?:\s*;|\s*$)/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

type Part = { name: string; isFile: boolean; chunks: Buffer[]; size: number };

/**
 * Reads a multipart/form-data body as it arrives: the part named `fileField` is written to
 * `tempFile` (created new, hashed as it streams, fsynced), small text fields are kept in memory.
 * At most one chunk plus a boundary's length is held at a time, so a body's size never becomes
 * memory. The temp file is removed on any refusal; on success the caller owns it.
 */
export async function receiveMultipart(body: AsyncIterable<Buffer>, contentType: string | undefined, options: { fileField: string; tempFile: string; limits: MultipartLimits }): Promise<MultipartOutcome> {
  const boundary = readBoundary(contentType);
  if (!boundary) return { ok: false, reason: 'not-multipart' };
  const { limits } = options;
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const headerEnd = Buffer.from('\r\n\r\n', 'latin1');
  const fields = new Map<string, string>();
  const hash = createHash('sha256');
  let file: { handle: fs.FileHandle; bytes: number } | null = null;
  let fileDone = false;
  let parts = 0;
  let total = 0;
  let part: Part | null = null;
  // The body's first boundary has no CRLF before it: one is supplied so every boundary looks alike.
  let pending: Buffer = Buffer.from('\r\n', 'latin1');
  let state: 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done' = 'preamble';

  const refuse = async (reason: 'malformed' | 'too-large'): Promise<MultipartOutcome> => {
    await file?.handle.close().catch(() => undefined);
    file = null;
    await fs.rm(options.tempFile, { force: true });
    return { ok: false, reason };
  };

  /** Hands body bytes of the current part on; a string for a refusal. */
  const take = async (bytes: Buffer): Promise<'malformed' | 'too-large' | null> => {
    if (!part || bytes.length === 0) return null;
    part.size += bytes.length;
    if (part.isFile) {
      if (part.size > limits.maxFileBytes) return 'too-large';
      hash.update(bytes);
      await (file as { handle: fs.FileHandle }).handle.write(bytes);
      return null;
    }
    if (part.size > limits.maxFieldBytes) return 'malformed';
    part.chunks.push(Buffer.from(bytes));
    return null;
  };

  const openPart = async (headers: string): Promise<'malformed' | null> => {
    parts += 1;
    if (parts > limits.maxParts) return 'malformed';
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers);
    const name = disposition ? /(?:^|;)\s*name="([^"]{1,100})"/i.exec(disposition[1] ?? '')?.[1] : undefined;
    if (!name) return 'malformed';
    const isFile = name === options.fileField;
    if (isFile) {
      if (file || fileDone) return 'malformed';
      file = { handle: await fs.open(options.tempFile, 'wx', 0o600), bytes: 0 };
    } else if (fields.has(name)) return 'malformed';
    part = { name, isFile, chunks: [], size: 0 };
    return null;
  };

  const closePart = async () => {
    if (!part) return;
    if (part.isFile && file) {
      file.bytes = part.size;
      await file.handle.sync();
      await file.handle.close();
      fileDone = true;
    } else fields.set(part.name, Buffer.concat(part.chunks).toString('utf8'));
    part = null;
  };

  try {
    for await (const chunk of body) {
      total += chunk.length;
      if (total > limits.maxBodyBytes) return await refuse('too-large');
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Each pass consumes what can be decided now; the rest waits for the next chunk.
      for (;;) {
        if (state === 'done') {
          pending = Buffer.alloc(0);
          break;
        }
        if (state === 'preamble' || state === 'body') {
          const at = pending.indexOf(delimiter);
          if (at < 0) {
            // Keep what could be the start of a boundary split across chunks.
            const safe = Math.max(0, pending.length - (delimiter.length - 1));
            if (state === 'body') {
              const problem = await take(pending.subarray(0, safe));
              if (problem) return await refuse(problem);
            }
            pending = pending.subarray(safe);
            break;
          }
          if (state === 'body') {
            const problem = await take(pending.subarray(0, at));
            if (problem) return await refuse(problem);
            await closePart();
          }
          pending = pending.subarray(at + delimiter.length);
          state = 'after-boundary';
          continue;
        }
        if (state === 'after-boundary') {
          if (pending.length < 2) break;
          const next = pending.subarray(0, 2).toString('latin1');
          pending = pending.subarray(2);
          if (next === '--') state = 'done';
          else if (next === '\r\n') state = 'headers';
          else return await refuse('malformed');
          continue;
        }
        // state === 'headers'
        const end = pending.indexOf(headerEnd);
        if (end < 0) {
          if (pending.length > limits.maxPartHeaderBytes) return await refuse('malformed');
          break;
        }
        if (end > limits.maxPartHeaderBytes) return await refuse('malformed');
        const problem = await openPart(pending.subarray(0, end).toString('utf8'));
        if (problem) return await refuse(problem);
        pending = pending.subarray(end + headerEnd.length);
        state = 'body';
      }
    }
  } catch (error) {
    await refuse('malformed');
    throw error;
  }
  if (state !== 'done') return refuse('malformed');
  const received: ReceivedFile | null = fileDone ? { path: options.tempFile, bytes: (file as { bytes: number } | null)?.bytes ?? 0, sha256: hash.digest('hex') } : null;
  return { ok: true, fields, file: received };
}

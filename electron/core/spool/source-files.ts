// Reading a source file once (its identity, and its bytes hashed into the work folder) and moving it out of the watch folder only while it is still that very file.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { causeParams, CoreError } from '../base/errors.js';
import { defaultDocumentLimits, type DocumentLimits } from '../document/document-limits.js';
import { checkDocumentHead } from '../document/check-document.js';
import { syncDirectory } from '../fs/atomic-write.js';
import type { Logger } from '../log/logger.js';
import type { SourceFate, SourceIdentity } from './stack-record.js';

/** Sources moved to `imported/` folders: kept in the spool, so nothing of ours sits in the clerk's folder. */
export function importedLedgerPath(spoolDir: string): string {
  return path.join(spoolDir, 'imported-sources.jsonl');
}

/** What moving a source needs from its spool: the spool folder (its ledger), the log and the clock. */
export interface MoveSourceDeps {
  dir: string;
  log: Logger;
  now: () => Date;
}

/** Appends a line to a file and flushes it. */
async function appendDurable(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, 'a');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** SHA-256 of a file, streamed (a 1 GB scan is never held in memory). */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Which file a path or handle is, and its size and mtime, exactly (bigint: Windows file ids exceed 2^53). */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/** An identity as stored and passed on (decimal strings: JSON has no bigint). */
export function toSourceIdentity(identity: FileIdentity, sha256: string): SourceIdentity {
  return { dev: String(identity.dev), ino: String(identity.ino), size: String(identity.size), mtimeNs: String(identity.mtimeNs), sha256 };
}

/** The identity back from its strings. */
export function fromSourceIdentity(identity: SourceIdentity): FileIdentity {
  return { dev: BigInt(identity.dev), ino: BigInt(identity.ino), size: BigInt(identity.size), mtimeNs: BigInt(identity.mtimeNs) };
}

/** Whether two looks saw the very same file, unchanged. */
export function isSameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** Reads `size` bytes through an open handle into `target`, hashing them on the way; returns the SHA-256 and the count read. */
async function copyThroughHandle(handle: FileHandle, size: number, target: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const out = await fs.open(target, 'wx');
  const chunk = Buffer.alloc(1024 * 1024);
  let at = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      await out.write(chunk, 0, bytesRead);
      at += bytesRead;
      // A file that grew while read is caught by the identity check after; never read past what it was.
      if (at >= size) break;
    }
  } finally {
    await out.close();
  }
  return { sha256: hash.digest('hex'), bytes: at };
}

/**
 * Moves the source to `target` only while it is still the very file that was read (same
 * device and inode, size and mtime): a file replaced meanwhile (same name, atomic rename — what
 * scanner software does when it rewrites a batch), rewritten or grown in place, renamed or removed
 * stays where it is, and a replacement is taken in on its own next. The ledger records the SHA-256
 * of the bytes that were read.
 */
export async function moveSource(file: string, name: string, target: string | undefined, read: FileIdentity, sha256: string, deps: MoveSourceDeps): Promise<SourceFate> {
  if (!target) return 'kept';
  const now = await fs.lstat(file, { bigint: true }).catch((error: NodeJS.ErrnoException) => error);
  if (now instanceof Error) {
    if (now.code === 'ENOENT') {
      deps.log.warn('spool.source-gone', { name });
      return 'gone';
    }
    throw new CoreError('source-not-moved', { name, folder: target, ...causeParams(now) }, { cause: now });
  }
  if (!now.isFile() || !isSameFile(now, read)) {
    deps.log.warn('spool.source-changed', { name });
    return 'changed';
  }
  const notMoved = (error: unknown) => new CoreError('source-not-moved', { name, folder: target, ...causeParams(error) }, { cause: error });
  await fs.mkdir(target, { recursive: true }).catch((error: unknown) => {
    throw notMoved(error);
  });
  let destination = path.join(target, name);
  for (let n = 2; await fs.lstat(destination).then(() => true, () => false); n += 1) destination = path.join(target, `${path.parse(name).name} (${n})${path.parse(name).ext}`);
  await fs.rename(file, destination).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return 'gone' as const;
    throw notMoved(error);
  });
  // Between the look above and the rename another file may have taken the name: put it back.
  const moved = await fs.lstat(destination, { bigint: true }).catch(() => null);
  if (!moved) {
    deps.log.warn('spool.source-gone', { name });
    return 'gone';
  }
  if (!isSameFile(moved, read)) {
    const back = await fs.lstat(file).then(() => false, () => true);
    if (back) await fs.rename(destination, file).catch(() => undefined);
    deps.log.warn('spool.source-changed', { name, putBack: back });
    return 'changed';
  }
  await syncDirectory(target);
  await syncDirectory(path.dirname(file));
  // The ledger says which files we moved there, when, and with what content: only those are ever
  // deleted by the retention sweep. A crash before this line leaves the file kept for ever.
  await appendDurable(importedLedgerPath(deps.dir), `${JSON.stringify({ dir: path.resolve(target), name: path.basename(destination), sha256, at: deps.now().toISOString() })}\n`);
  return 'moved';
}

/**
 * Opens `file` once and copies its bytes, hashed on the way, into `<work>/source/` (removing `work`
 * on any failure): everything after reads that copy, so what is stored is exactly what was hashed.
 */
export async function readSource(file: string, name: string, work: string, deps: { dir: string; limits?: DocumentLimits }): Promise<{ read: FileIdentity & { isFile(): boolean }; sha256: string; copy: string }> {
  const unreadable = (error: unknown) => new CoreError('file-unreadable', { name, ...causeParams(error) }, { cause: error });
  // The file is opened once; its bytes are read (and hashed) through that handle into the work
  // folder, and everything after reads that copy: what is stored is exactly what was hashed,
  // whatever happens to the path meanwhile.
  const linked = await fs.lstat(file).catch((error: unknown) => {
    throw unreadable(error);
  });
  if (!linked.isFile()) throw new CoreError('file-unreadable', { name, reason: 'not-regular-file' });
  const handle = await fs.open(file, 'r').catch((error: unknown) => {
    throw unreadable(error);
  });
  let read: FileIdentity & { isFile(): boolean };
  let sha256: string;
  let copy: string;
  try {
    read = await handle.stat({ bigint: true });
    // A link swapped in between the lstat and the open is never read.
    if (!read.isFile() || Number(read.ino) !== linked.ino) throw new CoreError('file-unreadable', { name, reason: 'not-regular-file' });
    // Size and format before anything is copied or hashed: a 2 GB file, or one that is no
    // document at all, is refused from its size and first kilobyte.
    const head = new Uint8Array(1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0).catch((error: unknown) => {
      throw unreadable(error);
    });
    checkDocumentHead(name, Number(read.size), head.subarray(0, bytesRead), deps.limits ?? defaultDocumentLimits);
    await fs.mkdir(path.join(work, 'source'), { recursive: true });
    copy = path.join(work, 'source', path.basename(name));
    const copied = await copyThroughHandle(handle, Number(read.size), copy).catch((error: unknown) => {
      if (error instanceof CoreError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new CoreError('disk-full', { name, dir: deps.dir }, { cause: error });
      throw unreadable(error);
    });
    sha256 = copied.sha256;
    // Written to while it was read (grown, rewritten in place): what was read is no stack.
    if (copied.bytes !== Number(read.size) || !isSameFile(await handle.stat({ bigint: true }), read)) throw new CoreError('file-changed', { name });
  } catch (error) {
    await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
  return { read, sha256, copy };
}

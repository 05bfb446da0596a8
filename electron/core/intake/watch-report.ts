// What a watch reports: where the watched folder stands (the Scan desk's status line) and what one look did, file by file.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CoreError } from '../base/errors.js';
import type { BatchSummary } from '../spool/batch-store.js';
import type { IngestOutcome } from '../spool/spool.js';
import type { StackRecord } from '../spool/stack-record.js';

/** A failure as the Scan desk and the CLI show it (the error's code, English text and params). */
export interface WatchFailure {
  code: CoreError['code'];
  message: string;
  params: CoreError['params'];
}

/** Where a watched scan folder stands, for the Scan desk's status line. */
export type WatchStatus =
  | { state: 'off' }
  /**
   * `waiting`: files still being written; `backlog`: complete files not reached in the last look
   * (each look has a time slice); `claimedElsewhere`: files another station sharing the folder is
   * taking in (left to it), by name.
   */
  | { state: 'watching'; folder: string; lastLookAt: string | null; waiting: number; backlog: number; claimedElsewhere: string[] }
  | { state: 'paused'; folder: string }
  /** The folder cannot be watched: gone (USB unplugged, share down), not a folder, or a link. */
  | { state: 'unavailable'; folder: string; reason: 'missing' | 'not-a-folder' | 'link' | 'unreadable'; detail: string }
  /** The look itself failed the same way twice in a row; the watch keeps trying and recovers by itself. */
  | { state: 'failing'; folder: string; since: string; error: WatchFailure };

/** What one look at the folder did, file by file. */
export type WatchEvent =
  | { kind: 'taken'; file: string; outcome: IngestOutcome }
  | { kind: 'failed'; file: string; error: CoreError }
  | { kind: 'refused'; file: string; error: CoreError }
  /** Something in the folder the clerk should know of that is no file's failure (a name taken by a file). */
  | { kind: 'notice'; file: string; error: CoreError }
  /** A page file joined the open batch (`already`: it was in before a crash, only moved now). */
  | { kind: 'batched'; file: string; status: 'added' | 'already'; batch: BatchSummary };

/** Checks the watched folder itself: present, a real folder (not a link or junction), readable; null when it can be watched. */
export async function checkWatchedFolder(folder: string): Promise<WatchStatus | null> {
  const stat = await fs.lstat(folder).catch((error: NodeJS.ErrnoException) => error);
  if (stat instanceof Error) return { state: 'unavailable', folder, reason: stat.code === 'ENOENT' ? 'missing' : 'unreadable', detail: stat.code ?? stat.message };
  if (stat.isSymbolicLink()) return { state: 'unavailable', folder, reason: 'link', detail: 'symlink' };
  if (!stat.isDirectory()) return { state: 'unavailable', folder, reason: 'not-a-folder', detail: '' };
  return null;
}

/** A stack made of a closed batch, as the event a taken file gives (the CLI and the desk report it alike). */
export function closedBatchEvent(folder: string, stack: StackRecord): WatchEvent {
  return {
    kind: 'taken',
    file: path.join(folder, stack.source.name),
    outcome: { status: 'ingested', stack, source: 'moved', read: { dev: '0', ino: '0', size: String(stack.source.size), mtimeNs: '0', sha256: stack.source.sha256 } },
  };
}

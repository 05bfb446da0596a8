import type { BookkeepingWaitReason } from '../../shared/station/station-state.js';

// The queue waits although nothing is wrong with the bills or the server when its own bookkeeping in
// the data folder (manifests, receipts journal, audit log, spool reads) fails: the disk is full (or
// the quota used up), the folder went read-only or lost its permissions, the disk reports errors, or
// something unforeseen went wrong in the queue's own code.

/** The first wait after a failure; later ones are a random time between this and twice it. */
export const bookkeepingRetryBaseMs = 15_000;

/** Reads the reason for waiting from an error the queue's bookkeeping threw. */
export function classifyBookkeepingFailure(error: unknown): BookkeepingWaitReason {
  const code = error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : null;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'data-disk-full';
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return 'data-folder-unwritable';
    case null:
      return 'queue-fault';
    default:
      // EIO, ENXIO, ESTALE (a network share gone), EMFILE…: the folder fails; try again later.
      return /^E[A-Z0-9]+$/.test(code) ? 'data-folder-failing' : 'queue-fault';
  }
}

/**
 * How long to wait before trying the bookkeeping again: the first time `baseMs`, then a random time
 * between `baseMs` and twice it (stations sharing one full file server do not all come back at once).
 */
export function bookkeepingRetryMs(failuresInARow: number, random: () => number, baseMs = bookkeepingRetryBaseMs): number {
  return failuresInARow <= 1 ? baseMs : baseMs + Math.floor(random() * baseMs);
}

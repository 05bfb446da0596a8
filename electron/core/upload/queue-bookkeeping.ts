// The queue's own records (each bill's manifest and receipts journal): a seam for their writes, reported to the spool index.
import type { SpoolIndex } from '../spool/spool-index.js';
import type { appendReceipts, writeManifest } from '../spool/upload-manifest.js';

/** Where the queue writes its own records: each bill's manifest and its receipts journal. */
export interface QueueBookkeeping {
  writeManifest: typeof writeManifest;
  appendReceipts: typeof appendReceipts;
}

/**
 * Writes through `written` and reports each write: written or not (a write may fail half-way), the
 * index reads that stack again on its next look; a record written is the proof that the data folder
 * takes writes again (`onWritten`).
 */
export function createIndexedBookkeeping(written: QueueBookkeeping, index: SpoolIndex, onWritten: () => void): QueueBookkeeping {
  return {
    writeManifest: async (stacksDir, manifest, writeOptions) => {
      try {
        await written.writeManifest(stacksDir, manifest, writeOptions);
      } finally {
        index.changed(manifest.stackId);
      }
      onWritten();
    },
    appendReceipts: async (stacksDir, stackId, billId, receipts) => {
      try {
        await written.appendReceipts(stacksDir, stackId, billId, receipts);
      } finally {
        index.changed(stackId);
      }
      onWritten();
    },
  };
}

// A person's actions on the queue: pause or resume it (its state file), hold a bill, send a held one again, retry a waiting one now.
import { promises as fs } from 'node:fs';
import { CoreError } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { AuditRecord } from '../log/audit-log.js';
import type { Spool } from '../spool/spool.js';
import { stackIdOfBill, type StackRecord } from '../spool/stack-record.js';
import { readManifest, type UploadManifest } from '../spool/upload-manifest.js';
import type { QueueBookkeeping } from './queue-bookkeeping.js';
import { planPages } from './send-bill.js';

/** A person's action on the queue or one bill. */
export type QueueAction = { action: 'pause' } | { action: 'resume' } | { action: 'retry-now'; billId: string } | { action: 'hold'; billId: string } | { action: 'resend'; billId: string };

/** Whether a person paused the queue: its state file says so (no file, or an unreadable one: not paused). */
export async function readPausedByPerson(stateFile: string): Promise<boolean> {
  return fs.readFile(stateFile, 'utf8').then(
    (text) => (JSON.parse(text) as { paused?: boolean }).paused === true,
    () => false,
  );
}

/** What a person's action needs from the queue. */
export interface QueueActionOptions {
  /** Where the queue keeps a person's pause. */
  stateFile: string;
  stacksDir: string;
  spool: Pick<Spool, 'findStack'>;
  /** This station's id (asked only for a bill whose upload has not started). */
  describe: () => Promise<{ stationId: string }>;
  now: () => Date;
  /** Where the bill's manifest is written. */
  store: QueueBookkeeping;
  audit: (record: AuditRecord) => void;
  /** The bill being sent now (it cannot be held), null between bills. */
  sendingBillId: () => string | null;
}

/** Carries out a person's action (writes the state file or the bill's manifest, and the audit line); a bill that cannot change is refused (`bill-not-changeable`). */
export async function applyQueueAction(action: QueueAction, options: QueueActionOptions): Promise<void> {
  switch (action.action) {
    case 'pause':
    case 'resume':
      await writeFileAtomic(options.stateFile, `${JSON.stringify({ paused: action.action === 'pause' })}\n`);
      options.audit({ event: action.action === 'pause' ? 'queue-paused' : 'queue-resumed', detail: `the upload queue was ${action.action === 'pause' ? 'paused' : 'resumed'} by a person` });
      break;
    case 'retry-now':
    case 'hold':
    case 'resend': {
      const stackId = stackIdOfBill(action.billId);
      const manifest = await readManifest(options.stacksDir, stackId, action.billId);
      const bill = (await options.spool.findStack(stackId))?.bills.find((candidate) => candidate.id === action.billId);
      if (!bill) throw new CoreError('bill-not-found', { bill: action.billId });
      // Messages name the bill by its image code, never its internal id.
      const named = bill.code ?? manifest?.code ?? action.billId;
      if (manifest?.state === 'done') throw new CoreError('bill-not-changeable', { bill: named, reason: 'uploaded' });
      if (action.action === 'hold' && options.sendingBillId() === action.billId) throw new CoreError('bill-not-changeable', { bill: named, reason: 'uploading' });
      if (action.action === 'resend' && manifest?.state !== 'held') throw new CoreError('bill-not-changeable', { bill: named, reason: 'not-held' });
      if (action.action === 'retry-now' && manifest?.state !== 'waiting') throw new CoreError('bill-not-changeable', { bill: named, reason: 'not-waiting' });
      if (bill.state !== 'ready' || !bill.code) throw new CoreError('bill-not-changeable', { bill: named, reason: 'not-ready' });
      const at = options.now().toISOString();
      const base: UploadManifest = manifest ?? {
        version: 1,
        billId: bill.id,
        stackId,
        code: bill.code,
        pages: planPages((await options.spool.findStack(stackId)) as StackRecord, bill, (await options.describe()).stationId),
        state: 'queued',
        attempts: 0,
        nextAttemptAt: null,
        lastError: null,
        held: null,
        startedAt: at,
        closedAt: null,
      };
      const next: UploadManifest =
        action.action === 'hold'
          ? { ...base, state: 'held', held: { code: 'held-by-person', params: {}, at }, nextAttemptAt: null }
          : action.action === 'resend'
            ? { ...base, state: 'queued', held: null, attempts: 0, nextAttemptAt: null }
            : { ...base, state: 'queued', nextAttemptAt: null };
      await options.store.writeManifest(options.stacksDir, next);
      options.audit({ event: action.action === 'hold' ? 'upload-held' : action.action === 'resend' ? 'upload-resent' : 'upload-retry-now', stack: stackId, bill: bill.id, code: bill.code, detail: `${action.action} by a person` });
      break;
    }
  }
}

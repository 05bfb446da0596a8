// What a failed attempt does to its bill, by the failure's advice: wait and retry (backoff), hold it for a person, or pause the queue.
import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { CoreError } from '../base/errors.js';
import { ImagingError, type ImagingAdapter } from '../imaging/imaging-adapter.js';
import type { AuditRecord } from '../log/audit-log.js';
import type { Logger } from '../log/logger.js';
import { noticeReturnedState, type ReturnedBills } from '../spool/returned-bills.js';
import { readManifest } from '../spool/upload-manifest.js';
import { computeBackoffMs } from './backoff.js';
import type { QueueBookkeeping } from './queue-bookkeeping.js';

/** An error's params as an audit line keeps them: short strings and numbers only. */
function auditParams(params: MessageParams): Record<string, string | number> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, typeof value === 'number' ? value : String(value).slice(0, 200)]));
}

/** What recording a failure needs from the queue. */
export interface FailureRecorderOptions {
  stacksDir: string;
  now: () => Date;
  random: () => number;
  log: Logger;
  audit: (record: AuditRecord) => void;
  /** Where the bill's manifest is written. */
  store: QueueBookkeeping;
  /** Bills that got a receipt since their last failure: their backoff starts over. */
  progressed: Set<string>;
  /** Bills returned for a rescan: a refusal as returned (errcode 2008) is learnt into it. */
  returned?: ReturnedBills;
  openAdapter: () => Promise<ImagingAdapter>;
  /** The server refused the station (fix the settings): the queue pauses, after the bill was queued again. */
  pauseForSettings: (code: ErrorCode, params: MessageParams) => Promise<void>;
}

/** Makes the queue's `recordFailure(billId, stackId, error)`: records a failed attempt by its advice (wait and retry, hold the bill, or pause the queue). */
export function createFailureRecorder(options: FailureRecorderOptions): (billId: string, stackId: string, error: unknown) => Promise<'retry' | 'held' | 'pause'> {
  /** Asks the server about a code and records a return it reports. */
  const noticeReturn = async (code: string) => {
    if (!options.returned) return;
    const adapter = await options.openAdapter();
    await noticeReturnedState(options.returned, await adapter.queryBill(code), options.now(), options.audit, () => adapter.listRescanReasons());
  };

  return async (billId: string, stackId: string, error: unknown): Promise<'retry' | 'held' | 'pause'> => {
    const manifest = await readManifest(options.stacksDir, stackId, billId);
    if (!manifest) throw error;
    const at = options.now().toISOString();
    const code: ErrorCode = error instanceof CoreError ? error.code : 'internal-error';
    const params: MessageParams = error instanceof CoreError ? error.params : { reason: String(error).slice(0, 200) };
    const advice = error instanceof ImagingError ? error.advice : code === 'upload-page-damaged' ? 'needs-person' : 'retry';
    switch (advice) {
      case 'retry': {
        // Receipts since the last failure show the way was clear: the backoff starts over.
        const attempts = (options.progressed.has(billId) ? 0 : manifest.attempts) + 1;
        options.progressed.delete(billId);
        const waitMs = computeBackoffMs(attempts, options.random, error instanceof ImagingError ? error.retryAfterMs : undefined);
        await options.store.writeManifest(options.stacksDir, { ...manifest, state: 'waiting', attempts, nextAttemptAt: new Date(options.now().getTime() + waitMs).toISOString(), lastError: { code, params, at } });
        options.log.warn('upload.retry', { bill: billId, code, attempts, waitMs });
        options.audit({ event: 'upload-failed', stack: stackId, bill: billId, code: manifest.code, reason: code, params: auditParams(params), detail: `attempt ${attempts}: ${JSON.stringify(params)}; retry in ${Math.ceil(waitMs / 1000)} s` });
        return 'retry';
      }
      case 'needs-person':
        await options.store.writeManifest(options.stacksDir, { ...manifest, state: 'held', held: { code, params, at }, lastError: { code, params, at }, nextAttemptAt: null });
        options.audit({ event: 'upload-held', stack: stackId, bill: billId, code: manifest.code, reason: code, params: auditParams(params), detail: `held: ${JSON.stringify(params)}` });
        // Refused because the bill was returned for a rescan the station had not heard of: learn it now,
        // so "send again" goes up as the next round.
        if (params.errcode === '2008') await noticeReturn(manifest.code).catch(() => undefined);
        return 'held';
      case 'fix-settings':
        // The bill itself is fine: it goes first again once the settings are.
        await options.store.writeManifest(options.stacksDir, { ...manifest, state: 'queued', lastError: { code, params, at }, nextAttemptAt: null });
        await options.pauseForSettings(code, params);
        return 'pause';
    }
  };
}

import type { TFunction } from 'i18next';
import type { Bill } from './desk-rows.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';

/** A bill's upload as the queue reports it (the type is named here, not taken from the .tsx that shows it, so Node tests can load this file). */
type Upload = ValueOf<'upload:status'>['bills'][number];

/**
 * Why a bill is held and what to do next, as a clerk reads them: one plain cause, one next step in
 * the buttons' own words. `empty-bill` is said as it happened (another cover next, only blank backs
 * after it, or pages added since), never "two covers in a row" of a cover with pages after it.
 */
export function heldText(t: TFunction, bill: Pick<Bill, 'held' | 'pages' | 'cover' | 'onlyBlank'> & { suspect?: Bill['suspect'] }, leftOut: readonly number[]): { cause: string; next: string } | null {
  if (!bill.held) return null;
  // A code longer than the ERP's 50 characters is no misread: the template binds the wrong field, so it is said as such.
  if (bill.held === 'suspect-cover' && bill.suspect?.reason === 'code-too-long') return { cause: t('split.suspect.code-too-long'), next: t('split.next.suspect-code-too-long') };
  if (bill.held === 'empty-bill') {
    if (bill.pages.some((page) => page !== bill.cover)) return { cause: t('split.heldEmpty.filled'), next: t('split.next.empty-bill-filled') };
    if (bill.onlyBlank === true || leftOut.length > 0) return { cause: t('split.heldEmpty.blank'), next: t('split.next.empty-bill-blank') };
  }
  return { cause: t(`split.held.${bill.held}`), next: t(`split.next.${bill.held}`) };
}

/** Whether a bill's upload has started (sending, waiting for a retry, or sent): its pages are fixed, it can no longer be discarded. */
export function isUploadFixed(upload: Upload | undefined): upload is Upload {
  return upload !== undefined && (upload.state === 'sending' || upload.state === 'waiting' || upload.state === 'done' || (upload.state === 'queued' && upload.sent > 0));
}

/** A bill a stack's orphan pages may be given to: any stack, not discarded, with a code, its upload not started. */
export interface GiveTarget {
  id: string;
  code: string;
  file: string;
}

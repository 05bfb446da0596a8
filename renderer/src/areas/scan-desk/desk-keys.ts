// The scan desk's keys: R releases the selected held bill, Delete discards it (after confirming) or its orphan pages.
import type { KeyboardEvent } from 'react';
import { isReleasable, type Row } from './desk-rows.js';
import { isUploadFixed } from './held-text.js';
import type { Upload } from './upload-detail.js';
import type { DeskActions } from './use-desk-actions.js';
import type { Tell } from './use-desk-notice.js';

/**
 * Shortcuts for the two actions a clerk repeats all day, whenever a bill is selected and the
 * keyboard is not in a text field: R releases a held bill, Delete discards (after confirming).
 */
export function handleDeskKey(event: KeyboardEvent<HTMLElement>, { current, uploads, actions, tell }: { current: Row | null; uploads: ReadonlyMap<string, Upload>; actions: Pick<DeskActions, 'act' | 'discardOrphans'>; tell: Tell }): void {
  const { act, discardOrphans } = actions;
  if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
  const bill = current.bill;
  if (!bill) {
    if (event.key === 'Delete') {
      event.preventDefault();
      void discardOrphans(current.stack);
    }
    return;
  }
  if (bill.state === 'discarded') return;
  // A bill being sent or sent: nothing to discard; say why instead of asking a false question.
  const upload = uploads.get(bill.id);
  if (isUploadFixed(upload)) {
    if (event.key === 'Delete') {
      event.preventDefault();
      tell('warn', (t) => t(upload.state === 'done' ? 'scanDeskPage.noDiscard.done' : 'scanDeskPage.noDiscard.sending', { code: bill.code ?? '—' }));
    }
    return;
  }
  if ((event.key === 'r' || event.key === 'R') && isReleasable(bill, upload)) {
    event.preventDefault();
    void act(bill, 'release');
  } else if (event.key === 'Delete') {
    event.preventDefault();
    void act(bill, 'discard');
  }
}

// What the clerk does to bills on the scan desk: bill and page actions, the orphan pages, releasing, the upload; each said on the notice line.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import type { useConfirm } from '../../components/confirm-dialog.js';
import type { BillActionName, PageActionName } from './bill-detail.js';
import { listRows, needsPerson, nextNeedingRow, orderRows, stateOfRow, type Bill, type Row, type RowPlaces, type Stack } from './desk-rows.js';
import { focusRow } from './focus-row.js';
import type { GiveTarget } from './held-text.js';
import type { QueueStatus } from './queue-panel.js';
import type { Upload } from './upload-detail.js';
import type { DeskNotice, Tell } from './use-desk-notice.js';

/** What the desk's actions act on and where they report. */
export interface DeskActionsContext {
  stacks: readonly Stack[];
  rows: readonly Row[];
  uploads: ReadonlyMap<string, Upload>;
  places: RowPlaces;
  current: Row | null;
  refresh: () => Promise<Stack[] | null>;
  tell: Tell;
  setNotice: (notice: DeskNotice) => void;
  setSelected: (key: string) => void;
  setQueue: (queue: QueueStatus) => void;
  ask: ReturnType<typeof useConfirm>['ask'];
}

/**
 * The desk's actions. Each says its result on the notice line, naming bills as the clerk knows them;
 * after an action on a row the keyboard goes on to the next row that needs a person.
 */
export function useDeskActions({ stacks, rows, uploads, places, current, refresh, tell, setNotice, setSelected, setQueue, ask }: DeskActionsContext) {
  const { t } = useTranslation();
  const api = useApi();

  /** After an action on a row: on to the next row that needs a person (focus never falls to the body). */
  const goOn = (acted: Row, fresh: Stack[] | null, landing: string) => {
    const index = rows.findIndex((row) => row.key === acted.key);
    const next = fresh ? nextNeedingRow(orderRows(listRows(fresh, uploads), uploads, places), uploads, acted.key, index, needsPerson(acted, uploads) ? stateOfRow(acted, uploads) : undefined) : null;
    setSelected(next?.key ?? landing);
    focusRow(next?.key ?? landing);
  };

  /** An action's error, the bill named as the clerk knows it (its code, or the file's pages before the first cover), never by internal id. */
  const describeFor = (t: TFunction, error: Parameters<typeof describeError>[1], named: string) => describeError(t, error.code === 'bill-not-found' ? { ...error, params: { ...error.params, bill: named } } : error);
  /** A bill as the clerk knows it: its code, or (no valid code) its file and first page. */
  const billName = (t: TFunction, bill: Bill) => bill.code ?? t('scanDeskPage.billWithoutCode', { file: stacks.find((stack) => stack.id === bill.stackId)?.name ?? '', page: bill.cover ?? bill.pages[0] ?? '?' });

  /** Page actions: move a page to the bill before or after, leave it out of the upload, put it back, make it a cover. */
  const pageAct = async (bill: Bill, page: number, action: PageActionName, options: { to?: 'previous' | 'next'; code?: string }): Promise<boolean> => {
    const { to, code } = options;
    const result = await api.scanDesk.billAction({ billId: bill.id, action, page, ...(to ? { to } : {}), ...(action === 'mark-cover' ? { code: code ?? '' } : {}) });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, billName(t, bill)));
      return false;
    }
    await refresh();
    const done = action === 'move-page' ? (to === 'previous' ? 'movedPrevious' : 'movedNext') : action === 'exclude-page' ? 'excluded' : action === 'mark-cover' ? 'markedCover' : 'restored';
    tell('pass', (t) => t(`scanDeskPage.pageDone.${done}`, { page, code: bill.code ?? '—' }));
    return true;
  };

  const notCover = async (bill: Bill) => {
    const result = await api.scanDesk.billAction({ billId: bill.id, action: 'not-a-cover' });
    if (!result.ok) return tell('fail', (t) => describeFor(t, result.error, billName(t, bill)));
    const fresh = await refresh();
    setNotice({ tone: 'pass', text: (t) => t('scanDeskPage.pageDone.notCover', { code: bill.code ?? t('scanDeskPage.noCode') }) });
    if (current) goOn(current, fresh, current.key);
  };

  const act = async (bill: Bill, action: BillActionName, code?: string): Promise<boolean> => {
    if (action === 'discard' && !(await ask({ title: t('scanDeskPage.discardTitle'), body: t('scanDeskPage.discardBody', { code: billName(t, bill) }), confirm: t('scanDeskPage.discard') }))) return false;
    const result = await api.scanDesk.billAction({ billId: bill.id, action, ...(action === 'set-code' ? { code: code ?? '' } : {}) });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, billName(t, bill)));
      return false;
    }
    const fresh = await refresh();
    // The result is said where the eye is (the notice, announced); the keyboard goes on to the next bill that needs the clerk.
    setNotice({ tone: 'pass', text: (t) => t(`scanDeskPage.done.${action}`, { code: result.value.code ?? '—' }) });
    const acted = rows.find((row) => row.bill?.id === bill.id);
    if (acted) goOn(acted, fresh, result.value.id);
    else focusRow(result.value.id);
    return true;
  };

  /** Bills a stack's orphan pages may go to: any file's, not discarded, with a code, not yet sending. */
  const giveTargets: GiveTarget[] = stacks.flatMap((stack) =>
    stack.bills.flatMap((bill) => {
      const upload = uploads.get(bill.id);
      const open = upload === undefined || (upload.state === 'queued' && upload.sent === 0);
      return bill.state !== 'discarded' && bill.code !== null && open ? [{ id: bill.id, code: bill.code, file: stack.name }] : [];
    }),
  );
  const discardOrphans = async (stack: Stack): Promise<boolean> => {
    if (!(await ask({ title: t('scanDeskPage.discardOrphansTitle'), body: t('scanDeskPage.discardOrphansBody', { count: stack.orphans.length, file: stack.name }), confirm: t('scanDeskPage.discard') }))) return false;
    const result = await api.scanDesk.billAction({ billId: `${stack.id}-orphans`, action: 'discard' });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, t('scanDeskPage.orphansOf') + ' · ' + stack.name));
      return false;
    }
    await refresh();
    tell('pass', (t) => t('scanDeskPage.done.discard-orphans', { file: stack.name }));
    return true;
  };
  const giveOrphans = async (stack: Stack, target: GiveTarget): Promise<boolean> => {
    const result = await api.scanDesk.billAction({ billId: `${stack.id}-orphans`, action: 'give-orphans', target: target.id });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, target.code));
      return false;
    }
    await refresh();
    setSelected(result.value.id);
    tell('pass', (t) => t('scanDeskPage.done.take-orphans', { code: target.code }));
    return true;
  };
  const markOrphanCover = async (stack: Stack, page: number, code: string): Promise<boolean> => {
    const result = await api.scanDesk.billAction({ billId: `${stack.id}-orphans`, action: 'mark-cover', page, code });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, t('scanDeskPage.orphansOf') + ' · ' + stack.name));
      return false;
    }
    await refresh();
    setSelected(result.value.id);
    tell('pass', (t) => t('scanDeskPage.done.mark-orphan-cover', { page, code: result.value.code ?? code }));
    return true;
  };

  const releaseReviewed = async () => {
    const result = await api.scanDesk.releaseReviewed();
    if (!result.ok) return tell('fail', (t) => describeError(t, result.error));
    await refresh();
    tell('pass', (t) => t('billStatus.releasedReviewed', { count: result.value.released }));
  };

  const uploadAct = async (upload: Upload, action: 'retry-now' | 'hold' | 'resend') => {
    const result = await api.upload.act({ action, billId: upload.id });
    if (!result.ok) return tell('fail', (t) => describeError(t, result.error));
    setQueue(result.value);
    tell('pass', (t) => t(`scanDeskPage.upload.done.${action}`, { code: upload.code }));
  };

  return { pageAct, notCover, act, giveTargets, discardOrphans, giveOrphans, markOrphanCover, releaseReviewed, uploadAct };
}

/** The desk's actions as the area and its keys call them. */
export type DeskActions = ReturnType<typeof useDeskActions>;

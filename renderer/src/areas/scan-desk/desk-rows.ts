import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import type { Upload } from './upload-detail.js';
import { emptyStationCounts, statusOfBill, type BillStatusInfo, type StationCounts } from '../../../../electron/shared/station/bill-status.js';

/** A stack on the Scan desk, as the overview gives it. */
export type Stack = ValueOf<'scanDesk:overview'>['stacks'][number];
/** A bill of a stack. */
export type Bill = Stack['bills'][number];

/** A row of the bills list: a bill, or a stack's pages before its first cover. */
export interface Row {
  key: string;
  stack: Stack;
  bill: Bill | null;
}

/** The rows of the bills list: each stack's orphan pages, then its bills; bills the imaging system refused first. */
export function listRows(stacks: readonly Stack[], uploads: ReadonlyMap<string, Upload>): Row[] {
  const stackRows: Row[] = stacks.flatMap((stack) => [
    ...(stack.orphans.length > 0 ? [{ key: `${stack.id}-orphans`, stack, bill: null }] : []),
    ...stack.bills.map((bill) => ({ key: bill.id, stack, bill })),
  ]);
  // Bills the imaging system refused come first: they are the ones a person must look at.
  const uploadHeld = (row: Row): number => (row.bill && uploads.get(row.bill.id)?.state === 'held' ? 0 : 1);
  return [...stackRows].sort((a, b) => uploadHeld(a) - uploadHeld(b));
}

/** The rows counted by the one model (until the station's own counts arrive with the queue's status). */
export function countRows(rows: readonly Row[], uploads: ReadonlyMap<string, Upload>): StationCounts {
  const counts = { ...emptyStationCounts };
  for (const row of rows) {
    const { status } = statusOfRow(row, uploads);
    if (status !== 'done' && status !== 'discarded') counts[status] += 1;
  }
  return counts;
}

/** Whether R releases this bill: waiting for review, or held for a reason a release settles. */
export function isReleasable(bill: Bill, upload: Upload | undefined): boolean {
  if (upload) return false;
  return bill.state === 'review' || (bill.state === 'held' && bill.held !== 'suspect-cover' && bill.held !== 'duplicate-code' && bill.held !== 'source-open');
}

/** A row's one state (the shared model: the same word as the queue card and the status bar); orphan pages are held. */
export function statusOfRow(row: Row, uploads: ReadonlyMap<string, Upload>): BillStatusInfo {
  if (!row.bill) return { status: 'held', held: { by: 'desk', reason: 'orphans' } };
  const upload = uploads.get(row.bill.id);
  return statusOfBill(row.bill, upload ? { state: upload.state, held: upload.held } : null);
}

/** The pages a row stands for: a bill's, or the orphan pages. */
export function pagesOfRow(row: Row): number[] {
  return row.bill ? row.bill.pages : row.stack.orphans;
}

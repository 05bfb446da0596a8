import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { billStatuses, emptyStationCounts, statusOfBill, type BillStatus, type BillStatusInfo, type StationCounts } from '../../../../electron/shared/station/bill-status.js';

/** One bill in the upload queue (as upload-detail.tsx's `Upload`; named here so this file stays plain TypeScript). */
type Upload = ValueOf<'upload:status'>['bills'][number];

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

/** Where a row stands for the clerk: the one model's state (the same word as the queue card and the status bar). */
export type RowState = BillStatus;

/** The to-do order: what needs a person first, then what is on its way, then what is done (the model's own order). */
export const rowRank = Object.fromEntries(billStatuses.map((status, rank) => [status, rank])) as Record<RowState, number>;

/** A row's state: orphan pages and a bill the imaging system refused are held (a person must act). */
export function stateOfRow(row: Row, uploads: ReadonlyMap<string, Upload>): RowState {
  return statusOfRow(row, uploads).status;
}

/** The rank of a row's state (lower comes first). */
export function rankOfRow(row: Row, uploads: ReadonlyMap<string, Upload>): number {
  return rowRank[stateOfRow(row, uploads)];
}

/** Whether a row waits for a person (held, or waiting for a release in review mode). */
export function needsPerson(row: Row, uploads: ReadonlyMap<string, Upload>): boolean {
  const state = stateOfRow(row, uploads);
  return state === 'held' || state === 'review';
}

/** Where each row was put when first shown: its rank then, and the order it arrived in. */
export type RowPlaces = Map<string, { rank: number; seen: number }>;

/**
 * The rows in to-do order, stable: a row keeps the place it got when first shown (its rank at that
 * moment, then arrival), so a bill the clerk just released or that started sending does not jump
 * away under the keyboard; rows shown for the first time go by their current rank. `places` is
 * the session's memory (the caller clears it when the clerk asks to sort again or leaves the page).
 */
export function orderRows(rows: readonly Row[], uploads: ReadonlyMap<string, Upload>, places: RowPlaces): Row[] {
  for (const row of rows) {
    if (!places.has(row.key)) places.set(row.key, { rank: rankOfRow(row, uploads), seen: places.size });
  }
  const placeOf = (row: Row) => places.get(row.key) ?? { rank: 0, seen: 0 };
  return [...rows].sort((a, b) => placeOf(a).rank - placeOf(b).rank || placeOf(a).seen - placeOf(b).seen);
}

/**
 * Whether the stable order hides work: a row that needs a person sits below one that does not
 * (then "sort again" helps). Bills merely moving on from ready to sending to sent do not count.
 */
export function isOutOfOrder(ordered: readonly Row[], uploads: ReadonlyMap<string, Upload>): boolean {
  const firstDone = ordered.findIndex((row) => !needsPerson(row, uploads));
  return firstDone >= 0 && ordered.slice(firstDone).some((row) => needsPerson(row, uploads));
}

/**
 * The row to go on with after acting on `key` (which stood at `index`): the next row after it that
 * needs a person, wrapping round to the top — one in the state `prefer` first (after releasing a bill
 * in review, the next one in review, not the first held row); null when nothing else needs one.
 */
export function nextNeedingRow(ordered: readonly Row[], uploads: ReadonlyMap<string, Upload>, key: string, index: number, prefer?: RowState): Row | null {
  const at = ordered.findIndex((row) => row.key === key);
  const start = at >= 0 ? at + 1 : Math.max(0, index);
  const find = (wanted: (row: Row) => boolean): Row | null => {
    for (let step = 0; step < ordered.length; step += 1) {
      const row = ordered[(start + step) % ordered.length] as Row;
      if (row.key !== key && wanted(row)) return row;
    }
    return null;
  };
  return (prefer ? find((row) => stateOfRow(row, uploads) === prefer) : null) ?? find((row) => needsPerson(row, uploads));
}

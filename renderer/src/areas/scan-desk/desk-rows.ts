import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import type { Upload } from './upload-detail.js';

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

/** How many rows are ready to go (not yet uploaded) and how many need a person. */
export function countRows(rows: readonly Row[], uploads: ReadonlyMap<string, Upload>): { ready: number; held: number } {
  const counts = { ready: 0, held: 0 };
  for (const row of rows) {
    if (!row.bill || row.bill.state === 'held') counts.held += 1;
    else if (row.bill.state === 'ready' && uploads.get(row.bill.id)?.state !== 'done') counts.ready += 1;
  }
  return counts;
}

/** The pages a row stands for: a bill's, or the orphan pages. */
export function pagesOfRow(row: Row): number[] {
  return row.bill ? row.bill.pages : row.stack.orphans;
}

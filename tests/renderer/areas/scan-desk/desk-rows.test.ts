import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOutOfOrder, listRows, nextNeedingRow, orderRows, rowRank, stateOfRow, type Bill, type RowPlaces, type Stack } from '../../../../renderer/src/areas/scan-desk/desk-rows.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';

type Upload = ValueOf<'upload:status'>['bills'][number];

/** A stack whose bills have the given codes and states (only what the ordering reads is filled in). */
function stackOf(id: string, bills: Array<[string, string]>, orphans: number[] = []): Stack {
  return { id, name: `${id}.pdf`, orphans, bills: bills.map(([code, state]) => ({ id: `${id}-${code}`, code, state, pages: [1] }) as unknown as Bill) } as unknown as Stack;
}

const noUploads = new Map<string, Upload>();

test('the to-do order: held (orphans, refused uploads) first, then review, sending, ready, sent', () => {
  assert.deepEqual(Object.entries(rowRank).sort((a, b) => a[1] - b[1]).map(([state]) => state), ['held', 'review', 'receiving', 'sending', 'ready', 'done', 'discarded']);
  const stacks = [stackOf('s1', [['A', 'ready'], ['B', 'held'], ['C', 'review'], ['D', 'ready'], ['E', 'ready']], [9])];
  const uploads = new Map<string, Upload>([
    ['s1-D', { state: 'sending' } as Upload],
    ['s1-E', { state: 'done' } as Upload],
    ['s1-A', { state: 'held' } as Upload],
  ]);
  const ordered = orderRows(listRows(stacks, uploads), uploads, new Map());
  assert.deepEqual(
    ordered.map((row) => [row.bill?.code ?? 'orphans', stateOfRow(row, uploads)]),
    [['A', 'held'], ['orphans', 'held'], ['B', 'held'], ['C', 'review'], ['D', 'sending'], ['E', 'done']],
  );
});

test('a stable order: a row keeps its place when its state changes, until the places are forgotten (sort again)', () => {
  const places: RowPlaces = new Map();
  const before = orderRows(listRows([stackOf('s', [['A', 'ready'], ['B', 'held'], ['C', 'held']])], noUploads), noUploads, places);
  assert.deepEqual(before.map((row) => row.bill?.code), ['B', 'C', 'A']);
  // B is released: it stays first; a new held bill arriving later joins the held ones.
  const changed = [stackOf('s', [['A', 'ready'], ['B', 'ready'], ['C', 'held'], ['D', 'held']])];
  const after = orderRows(listRows(changed, noUploads), noUploads, places);
  assert.deepEqual(after.map((row) => row.bill?.code), ['B', 'C', 'D', 'A']);
  assert.equal(isOutOfOrder(after, noUploads), true);
  // Focus goes on from B to the next held bill, and wraps round past the end.
  assert.equal(nextNeedingRow(after, noUploads, after[0]?.key ?? '', 0)?.bill?.code, 'C');
  assert.equal(nextNeedingRow(after, noUploads, after[2]?.key ?? '', 2)?.bill?.code, 'C');
  places.clear();
  const sorted = orderRows(listRows(changed, noUploads), noUploads, places);
  assert.deepEqual(sorted.map((row) => row.bill?.code), ['C', 'D', 'A', 'B']);
  assert.equal(isOutOfOrder(sorted, noUploads), false);
  // A bill that starts sending below a ready one is no reason to offer sorting again.
  const sending = new Map<string, Upload>([['s-B', { state: 'sending' } as Upload]]);
  assert.equal(isOutOfOrder(sorted, sending), false);
});

test('nothing else needs a person: no next row', () => {
  const rows = orderRows(listRows([stackOf('s', [['A', 'held'], ['B', 'ready']])], noUploads), noUploads, new Map());
  assert.equal(nextNeedingRow(rows, noUploads, rows[0]?.key ?? '', 0), null);
});

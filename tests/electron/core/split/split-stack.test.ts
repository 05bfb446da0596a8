import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitStack, type ClassifiedPage, type PageKind } from '../../../../electron/core/split/split-stack.js';

const cover = (code: string, turned = false): PageKind => ({ kind: 'cover', code, turned });
const content: PageKind = { kind: 'content' };
const blank: PageKind = { kind: 'blank' };
const stack = (...kinds: PageKind[]): ClassifiedPage[] => kinds.map((what, index) => ({ page: index + 1, what }));

test('covers start bills; pages belong to the cover before them; blank backs are counted, not uploaded', () => {
  const result = splitStack(stack(cover('FY-1'), content, blank, content, cover('FY-2', true), content));
  assert.deepEqual(result, {
    bills: [
      { code: 'FY-1', cover: 1, pages: [1, 2, 4], held: null, turned: false },
      { code: 'FY-2', cover: 5, pages: [5, 6], held: null, turned: true },
    ],
    orphans: [],
    blank: [3],
    damaged: [],
  });
});

test('a page that could not be read is in no bill; the bill it falls in and the bill whose cover follows it are held damaged-pages', () => {
  const damaged: PageKind = { kind: 'damaged', reason: 'image-data' };
  const result = splitStack(stack(cover('FY-1'), content, cover('FY-2'), damaged, content, cover('FY-3'), content, cover('FY-4'), content));
  assert.deepEqual(result.damaged, [4]);
  assert.deepEqual(result.blank, []);
  assert.deepEqual(
    result.bills.map((bill) => [bill.code, bill.pages, bill.held, bill.damaged ?? null]),
    [
      ['FY-1', [1, 2], null, null],
      ['FY-2', [3, 5], 'damaged-pages', [4]],
      ['FY-3', [6, 7], 'damaged-pages', [4]],
      ['FY-4', [8, 9], null, null],
    ],
  );
  // The stack: the middle four pages overwritten, bills 2 and 3 gone; nothing is ready.
  const middle = splitStack(stack(cover('FY-1'), damaged, damaged, damaged, damaged, content));
  assert.deepEqual(middle.bills.map((bill) => [bill.code, bill.pages, bill.held, bill.damaged]), [['FY-1', [1, 6], 'damaged-pages', [2, 3, 4, 5]]]);
  // Before the first cover: the orphans are held anyway, and the first bill is held too.
  const first = splitStack(stack(content, damaged, cover('FY-1'), content));
  assert.deepEqual([first.orphans, first.bills.map((bill) => [bill.held, bill.damaged])], [[1], [['damaged-pages', [2]]]]);
});

test('held, never guessed: orphans, two covers in a row, a repeated code, a suspect cover, an over-long bill', () => {
  const result = splitStack(stack(content, content, cover('FY-1'), cover('FY-2'), content, { kind: 'suspect', reason: 'invalid-code', payload: '../x' }, content, cover('FY-2'), content));
  assert.deepEqual(result.orphans, [1, 2]);
  assert.deepEqual(
    result.bills.map((bill) => [bill.code, bill.pages, bill.held]),
    [
      ['FY-1', [3], 'empty-bill'],
      ['FY-2', [4, 5], 'duplicate-code'],
      [null, [6, 7], 'suspect-cover'],
      ['FY-2', [8, 9], 'duplicate-code'],
    ],
  );
  const long = splitStack(stack(cover('FY-9'), content, content, content), { coverIsPage: false, maxBillPages: 2 });
  assert.deepEqual(long.bills.map((bill) => [bill.pages, bill.held]), [[[2, 3, 4], 'too-many-pages']]);
});

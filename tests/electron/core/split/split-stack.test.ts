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
  });
});

test('held, never guessed: orphans, two covers in a row, a repeated code, a suspect cover, an over-long bill', () => {
  const result = splitStack(stack(content, content, cover('FY-1'), cover('FY-2'), content, { kind: 'suspect', reason: 'invalid-code', payload: '../x' }, content, cover('FY-2'), content));
  assert.deepEqual(result.orphans, [1, 2]);
  assert.deepEqual(
    result.bills.map((bill) => [bill.code, bill.pages, bill.held]),
    [
      ['FY-1', [3], 'empty-bill'],
      ['FY-2', [4, 5], null],
      [null, [6, 7], 'suspect-cover'],
      ['FY-2', [8, 9], 'duplicate-code'],
    ],
  );
  const long = splitStack(stack(cover('FY-9'), content, content, content), { coverIsPage: false, maxBillPages: 2 });
  assert.deepEqual(long.bills.map((bill) => [bill.pages, bill.held]), [[[2, 3, 4], 'too-many-pages']]);
});

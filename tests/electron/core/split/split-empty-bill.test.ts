import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitStack, type ClassifiedPage } from '../../../../electron/core/split/split-stack.js';

const cover = (page: number, code: string): ClassifiedPage => ({ page, what: { kind: 'cover', code, turned: false } });
const blank = (page: number): ClassifiedPage => ({ page, what: { kind: 'blank' } });
const content = (page: number): ClassifiedPage => ({ page, what: { kind: 'content' } });

test('an empty bill says which it was: another cover right after it, or only blank backs after it', () => {
  const { bills } = splitStack([cover(1, 'FY-2026-007001'), cover(2, 'FY-2026-007002'), blank(3), blank(4), cover(5, 'FY-2026-007003'), content(6), cover(7, 'FY-2026-007004')]);
  assert.deepEqual(
    bills.map((bill) => [bill.code, bill.held, bill.onlyBlank ?? false]),
    [
      ['FY-2026-007001', 'empty-bill', false],
      ['FY-2026-007002', 'empty-bill', true],
      ['FY-2026-007003', null, false],
      ['FY-2026-007004', 'empty-bill', false],
    ],
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCsv, csvCell } from '../../../electron/shared/csv.js';

test('cells that a spreadsheet would run as formulas are defused; numbers and text are kept', () => {
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell('+cmd'), `"'+cmd"`);
  assert.equal(csvCell('@SUM(A1)'), `"'@SUM(A1)"`);
  assert.equal(csvCell('-50'), '"-50"');
  assert.equal(csvCell(12.5), '"12.5"');
  assert.equal(csvCell('FY-2026-0001'), '"FY-2026-0001"');
  assert.equal(buildCsv([['a', 1], ['b', 2]]), '\ufeff"a","1"\r\n"b","2"\r\n');
});

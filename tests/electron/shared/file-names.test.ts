import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimFileName, findNameProblem, foldNameCase } from '../../../electron/shared/file-names.js';

test('names Windows reserves, in any case, with an extension, trailing dots or spaces, are found with the reason', () => {
  for (const name of ['CON', 'con', 'Prn', 'AUX', 'nul', 'COM1', 'com9', 'COM0', 'LPT1', 'lpt9', 'COM¹', 'CONIN$', 'conout$', 'NUL.', 'CON.pdf', 'con.tar.gz', 'NUL .txt', 'Aux..', 'LPT1 ']) {
    assert.equal(findNameProblem(name), 'reserved-name', name);
  }
  for (const name of ['AB12.', 'AB12 ', 'FY-2026-0001...']) assert.equal(findNameProblem(name), 'trailing-dot-or-space', name);
  assert.equal(findNameProblem(''), 'name-empty');
  assert.equal(findNameProblem('..'), 'dot-name');
  assert.equal(findNameProblem('a'.repeat(256)), 'name-too-long');
  for (const name of ['a:b', 'a/b', 'a\\b', 'a?', 'a*', 'a|b', 'a"b', 'a<b', 'a\u0001b']) assert.equal(findNameProblem(name), 'name-characters', name);
  for (const name of ['COM10', 'CONSOLE', 'FY-CON', 'LPT', 'NULL.pdf', 'com1x', '.hidden', 'AB12', 'FY-2026-0001']) assert.equal(findNameProblem(name), null, name);
});

test('case-only twins fold to one name; claimed file names are safe and unique regardless of case', () => {
  assert.equal(foldNameCase('ab12'), foldNameCase('AB12'));
  assert.notEqual(foldNameCase('ab12'), foldNameCase('ab13'));
  const used = new Set<string>();
  assert.equal(claimFileName('CON', '.pdf', used), '_CON.pdf');
  assert.equal(claimFileName('CON.pdf', '.pdf', used), '_CON.pdf.pdf');
  assert.equal(claimFileName('COM1.', '.pdf', used), '_COM1..pdf');
  assert.equal(claimFileName('FY-a', '.pdf', used), 'FY-a.pdf');
  assert.equal(claimFileName('FY-A', '.pdf', used), 'FY-A-2.pdf');
  assert.equal(claimFileName('NUL.pdf', '-p1.png', used), '_NUL.pdf-p1.png');
  for (const name of used) assert.equal(findNameProblem(name), null, name);
});

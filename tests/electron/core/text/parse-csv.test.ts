import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv } from '../../../../electron/core/text/parse-csv.js';

test('quoted fields, doubled quotes, newlines inside quotes, CRLF, blank lines', () => {
  const records = parseCsv('a,b,c\r\n"x,1","say ""hi""","two\nlines"\r\n\r\nlast,,\n');
  assert.deepEqual(records, [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['x,1', 'say "hi"', 'two\nlines'] },
    { line: 5, fields: ['last', '', ''] },
  ]);
});

test('tab- and semicolon-separated files are detected', () => {
  assert.deepEqual(parseCsv('a\tb\n1\t2').map((record) => record.fields), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(parseCsv('a;b\n1;2').map((record) => record.fields), [['a', 'b'], ['1', '2']]);
});

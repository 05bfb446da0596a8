import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxLookupEntries, parseLookupText } from '../../../../electron/shared/diagnose/lookup-query.js';

test('a pasted Excel column, a comma list and full-width separators all split into entries, de-duplicated in order', () => {
  assert.deepEqual(parseLookupText('FY-2026-000001\r\nFY-2026-000002\r\n\r\nFY-2026-000001\r\n'), { codes: ['FY-2026-000001', 'FY-2026-000002'], other: [], invalid: [] });
  assert.deepEqual(parseLookupText('FY-1111，FY-2222；BX/2026/7、"FY-3333"\tFY-4444'), { codes: ['FY-1111', 'FY-2222', 'FY-3333', 'FY-4444'], other: ['BX/2026/7'], invalid: [] });
});

test('entries that can be neither a code nor a bill number are named back, not guessed', () => {
  const parsed = parseLookupText(`报销单001 ${'x'.repeat(65)} a\u0007b FY-2026-9`);
  assert.deepEqual(parsed.codes, ['FY-2026-9']);
  assert.deepEqual(parsed.other, ['报销单001']);
  assert.equal(parsed.invalid.length, 2);
});

test('a huge paste is bounded', () => {
  const parsed = parseLookupText(Array.from({ length: 5000 }, (_, index) => `FY-2026-${String(index).padStart(6, '0')}`).join('\n'));
  assert.equal(parsed.codes.length, maxLookupEntries);
});

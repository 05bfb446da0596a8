import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTranslator } from '../../../../electron/shared/i18n/catalog.js';
import { heldText } from '../../../../renderer/src/areas/scan-desk/held-text.js';

test('a suspect cover whose code is over 50 characters says so, and what to do, in both languages', () => {
  const bill = { held: 'suspect-cover' as const, pages: [1, 2], cover: 1, onlyBlank: false, suspect: { reason: 'code-too-long', payload: `FY-${'A'.repeat(48)}` } };
  const zh = heldText(createTranslator('zh-CN').t, bill, []);
  assert.match(zh?.cause ?? '', /超过 50 个字符/);
  assert.match(zh?.next ?? '', /打印模板/);
  const en = heldText(createTranslator('en').t, bill, []);
  assert.match(en?.cause ?? '', /longer than 50 characters/);
  // Any other suspect cover keeps the general words.
  const other = heldText(createTranslator('en').t, { ...bill, suspect: { reason: 'invalid-code', payload: 'x' } }, []);
  assert.doesNotMatch(other?.cause ?? '', /50 characters/);
});

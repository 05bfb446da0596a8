import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAmount, validateCoverFields } from '../../../../electron/core/cover/cover-fields.js';
import { computeCoverGeometry, defaultCoverLayout, paperSizes } from '../../../../electron/core/cover/cover-layout.js';
import { defaultCodeRules } from '../../../../electron/core/cover/image-code-rules.js';

test('amounts as Excel exports them are formatted ¥1,234.50; anything else is refused', () => {
  assert.equal(formatAmount('1234.5'), '¥1,234.50');
  assert.equal(formatAmount('1,234.50'), '¥1,234.50');
  assert.equal(formatAmount('¥ 1,234,567'), '¥1,234,567.00');
  assert.equal(formatAmount('-12'), '-¥12.00');
  for (const bad of ['12,3a', '1.2.3', '1,23', 'abc', '', '1e5']) assert.equal(formatAmount(bad), null, bad);
});

test('fields: code required and valid, control characters stripped, amount checked', () => {
  assert.deepEqual(validateCoverFields({ code: '' }, defaultCodeRules), { ok: false, problem: { reason: 'missing-code' } });
  assert.deepEqual(validateCoverFields({ code: '../x' }, defaultCodeRules), { ok: false, problem: { reason: 'invalid-code', detail: 'path-characters' } });
  assert.deepEqual(validateCoverFields({ code: 'FY-1234', amount: '12,3a' }, defaultCodeRules), { ok: false, problem: { reason: 'invalid-amount', value: '12,3a' } });
  assert.deepEqual(validateCoverFields({ code: 'FY-1234', company: 'x'.repeat(121) }, defaultCodeRules), { ok: false, problem: { reason: 'field-too-long', field: 'company' } });
  const ok = validateCoverFields({ code: ' FY-1234 ', submitter: '张\u202e三\u0007', amount: '99', department: '   ' }, defaultCodeRules);
  assert.deepEqual(ok, { ok: true, fields: { code: 'FY-1234', submitter: '张 三', amount: '¥99.00' } });
});

test('the QR sits at least 12 mm from the edge with its quiet zone clear of the text column', () => {
  for (const paper of Object.keys(paperSizes) as Array<keyof typeof paperSizes>) {
    for (const corner of ['top-right', 'top-left'] as const) {
      const geometry = computeCoverGeometry({ ...defaultCoverLayout, paper, corner }, 25);
      const { symbol, keepOut, text, page } = geometry;
      assert.ok(symbol.y >= 12 && symbol.x >= 12 && page.widthMm - (symbol.x + symbol.size) >= 12, `${paper} ${corner}`);
      const textRight = text.x + text.w;
      assert.ok(textRight <= keepOut.x || text.x >= keepOut.x + keepOut.w, `${paper} ${corner}: text column overlaps the quiet zone`);
      assert.equal(keepOut.w, symbol.size + 2 * 4 * (symbol.size / 25));
    }
  }
});

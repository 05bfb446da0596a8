import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAmount, formatBillDate, validateCoverFields } from '../../../../electron/core/cover/cover-fields.js';
import { computeCoverGeometry, defaultCoverLayout, paperSizes } from '../../../../electron/core/cover/cover-layout.js';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';

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

test('checking a checked row changes nothing: what the import table shows is what generation makes', () => {
  for (const amount of ['-50', '1234.5', '¥1,234.50', '-¥12.00', '0']) {
    const once = validateCoverFields({ code: 'FY-1234', amount, date: '2026/1/5' }, defaultCodeRules);
    assert.ok(once.ok, amount);
    assert.deepEqual(validateCoverFields(once.fields, defaultCodeRules), once, amount);
  }
});

test('bill dates are read in the usual spellings and impossible ones are refused', () => {
  assert.equal(formatBillDate('2026-11-23'), '2026-11-23');
  assert.equal(formatBillDate('2026/1/5'), '2026-01-05');
  assert.equal(formatBillDate('2026年11月23日'), '2026-11-23');
  assert.equal(formatBillDate('20261123'), '2026-11-23');
  for (const bad of ['2026-13-45', '2026-02-30', '23/11/2026', 'yesterday', '2026-11']) assert.equal(formatBillDate(bad), null, bad);
  assert.deepEqual(validateCoverFields({ code: 'FY-1234', date: '2026-13-45' }, defaultCodeRules), { ok: false, problem: { reason: 'invalid-date', value: '2026-13-45' } });
});

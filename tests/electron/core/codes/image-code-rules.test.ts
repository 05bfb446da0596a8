import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyPayload, compileCodePattern, defaultCodeRules, describePayload, findCodeDefects, isInvoicePayload } from '../../../../electron/core/codes/image-code-rules.js';

test('valid image codes pass the default rule', () => {
  for (const code of ['FY-2026-000123', 'IMG_0001', 'a.b.c-d', 'ABCD']) assert.deepEqual(findCodeDefects(code, defaultCodeRules), [], code);
});

test('hostile payloads are named precisely', () => {
  assert.deepEqual(findCodeDefects('FY-\u0007-1', defaultCodeRules), ['control-characters']);
  assert.deepEqual(findCodeDefects('FY-\u202e1-YF', defaultCodeRules), ['bidi-characters']);
  assert.deepEqual(findCodeDefects('../../x', defaultCodeRules), ['path-characters']);
  assert.deepEqual(findCodeDefects('C:\\x', defaultCodeRules), ['path-characters']);
  assert.deepEqual(findCodeDefects('<b>x</b>', defaultCodeRules), ['path-characters', 'markup']);
  assert.deepEqual(findCodeDefects('FY 001', defaultCodeRules), ['whitespace']);
  assert.deepEqual(findCodeDefects('X'.repeat(3000), defaultCodeRules), ['too-long']);
  assert.deepEqual(findCodeDefects('abc', defaultCodeRules), ['pattern']);
  assert.deepEqual(findCodeDefects('FY-1;2', defaultCodeRules), ['pattern']);
});

test('the ERP stores an image code in 50 characters: 50 pass, 51 are too long whatever the rule allows', () => {
  assert.deepEqual(findCodeDefects(`FY-${'1'.repeat(47)}`, defaultCodeRules), []);
  assert.deepEqual(findCodeDefects(`FY-${'1'.repeat(48)}`, defaultCodeRules), ['too-long']);
  const generous = { ...defaultCodeRules, pattern: compileCodePattern('^FY-\\d{1,200}$') as RegExp };
  assert.deepEqual(findCodeDefects(`FY-${'1'.repeat(48)}`, generous), ['too-long']);
  assert.equal(classifyPayload(`FY-${'1'.repeat(48)}`, generous).kind, 'other');
});

test('prefixes and custom patterns', () => {
  const rules = { ...defaultCodeRules, prefixes: ['FY-', 'BX-'] };
  assert.deepEqual(findCodeDefects('FY-0001', rules), []);
  assert.deepEqual(findCodeDefects('ZZ-0001', rules), ['prefix']);
  const compiled = compileCodePattern('^IMG\\d{6}$');
  assert.ok(compiled instanceof RegExp);
  assert.ok(compiled.test('IMG123456') && !compiled.test('IMG123456X') && !compiled.test('xIMG123456'));
  // Unanchored patterns are anchored, so a partial match never passes.
  const loose = compileCodePattern('FY-\\d+') as RegExp;
  assert.ok(!loose.test('xxFY-1yy'));
  assert.equal((compileCodePattern('([') as { reason: string }).reason, 'unclosed-bracket');
  assert.equal((compileCodePattern('(a') as { reason: string }).reason, 'unbalanced-parenthesis');
  assert.equal((compileCodePattern('*a') as { reason: string }).reason, 'nothing-to-repeat');
});

test('VAT invoice QR payloads are invoices, never covers', () => {
  const invoice = '01,10,044031900111,12345678,100.00,20260101,12345678901234567890,ABCD';
  assert.ok(isInvoicePayload(invoice));
  assert.deepEqual(classifyPayload(invoice, defaultCodeRules), { kind: 'invoice', defects: [] });
  assert.equal(classifyPayload('FY-2026-000123', defaultCodeRules).kind, 'cover');
  assert.equal(classifyPayload('https://example.com/x', defaultCodeRules).kind, 'other');
  assert.ok(!isInvoicePayload('a,b,c'));
});

test('payloads shown to people are escaped and cut', () => {
  assert.equal(describePayload('FY-\u0007-1'), 'FY-\\u{7}-1');
  assert.equal(describePayload('a\u202eb'), 'a\\u{202e}b');
  const long = describePayload('X'.repeat(3000));
  assert.ok(long.length < 120 && long.endsWith('(3000 chars)'));
});

test('rules that would backtrack for minutes are refused before they run; ordinary rules pass', () => {
  for (const bad of ['(a+)+b', '(a*)*', '(a|aa)+', '^(\\w+\\d*){2,}$', '((ab)*)+', '(?:[A-Z]+-?)+$', 'x'.repeat(301)]) {
    const compiled = compileCodePattern(bad);
    assert.ok(!(compiled instanceof RegExp), bad);
  }
  for (const good of ['^IMG\\d{6}$', 'FY-\\d+', '^[A-Za-z0-9._-]{4,64}$', '(FY|BX)-\\d{4}-\\d{6}', '^(?:[A-Z]{2}-){2}\\d+$', '[(+*)]+', '\\(a+\\)+']) {
    assert.ok(compileCodePattern(good) instanceof RegExp, good);
  }
});

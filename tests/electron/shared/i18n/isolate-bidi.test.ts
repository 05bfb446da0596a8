import assert from 'node:assert/strict';
import { test } from 'node:test';
import i18next from 'i18next';
import { bidiIsolatingFormatter, isolateBidi } from '../../../../electron/shared/i18n/isolate-bidi.js';

test('plain Chinese and Latin values stay as they are', () => {
  assert.equal(isolateBidi('第2页发票看不清'), '第2页发票看不清');
  assert.equal(isolateBidi('FY-2026-000901 scan (2).pdf'), 'FY-2026-000901 scan (2).pdf');
});

test('a value with an override, a mark or right-to-left letters is fenced FSI … PDI', () => {
  assert.equal(isolateBidi('\u202eabc'), '\u2068\u202eabc\u2069');
  assert.equal(isolateBidi('x\u200fy'), '\u2068x\u200fy\u2069');
  assert.equal(isolateBidi('שלום'), '\u2068שלום\u2069');
  assert.equal(isolateBidi('مرحبا'), '\u2068مرحبا\u2069');
});

test('a stray PDI cannot close the fence early; balanced isolates inside are kept', () => {
  assert.equal(isolateBidi('\u2069\u202eevil'), '\u2068\u202eevil\u2069');
  assert.equal(isolateBidi('a\u2067b\u2069c\u2069\u202e'), '\u2068a\u2067b\u2069c\u202e\u2069');
});

test('as an i18next formatter: every interpolated string is fenced, numbers and counts untouched', () => {
  const instance = i18next.createInstance();
  void instance.use(bidiIsolatingFormatter).init({
    lng: 'en',
    initAsync: false,
    resources: { en: { translation: { reason: 'Returned: {{reason}} at {{at}}', pages_one: '{{count}} page', pages_other: '{{count}} pages' } } },
    interpolation: { escapeValue: false, alwaysFormat: true },
  });
  assert.equal(instance.t('reason', { reason: '\u202ekcab', at: '10:41' }), 'Returned: \u2068\u202ekcab\u2069 at 10:41');
  assert.equal(instance.t('pages', { count: 3 }), '3 pages');
});

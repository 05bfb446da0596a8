import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorCodes } from '../../../electron/shared/error-codes.js';
import { createTranslator, pickLanguage } from '../../../electron/shared/i18n/catalog.js';
import { en } from '../../../electron/shared/i18n/en.js';
import { zhCN } from '../../../electron/shared/i18n/zh-cn.js';

type Tree = { [key: string]: string | string[] | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string' || Array.isArray(value)) out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string | string[]) => [...String(text).matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();

test('both catalogues have the same keys and the same {{placeholders}} in every message', () => {
  const zh = flatten(zhCN as unknown as Tree);
  const english = flatten(en as unknown as Tree);
  assert.deepEqual([...zh.keys()].sort(), [...english.keys()].sort());
  for (const [key, text] of zh) {
    const other = english.get(key) ?? '';
    assert.deepEqual(placeholders(text), placeholders(other), key);
    assert.equal(Array.isArray(text), Array.isArray(other), key);
    if (Array.isArray(text)) assert.equal(text.length, (other as string[]).length, key);
  }
});

test('every error code has a message in both languages', () => {
  for (const code of errorCodes) {
    assert.ok(zhCN.errors[code], `zh-CN errors.${code}`);
    assert.ok(en.errors[code], `en errors.${code}`);
  }
});

test('Chinese text is Chinese and English text has no Han characters', () => {
  const han = /\p{Script=Han}/u;
  for (const [key, text] of flatten(en as unknown as Tree)) {
    // The language switch labels are in the other language on purpose; the CSV error and the batch
    // hint quote the Chinese column names the file must have; the troubleshooter quotes the ERP's own
    // Chinese messages and menu (影像映射维护) that an English-reading support person must find.
    const quotesChinese = ['app.languageSwitch', 'settings.languageZh', 'errors.cover-csv-no-code-column', 'coversPage.batchHint', 'troubleshoot.symptoms.no-image', 'troubleshoot.symptoms.no-image-needed', 'troubleshoot.verdicts.delivered.next', 'troubleshoot.verdicts.delivered-elsewhere.next'];
    // The ERP's own words for its image map (影像状态 and its names, 退扫原因, 是否需要影像扫描, 废弃) stay Chinese
    // in English too: they are what the support person reads on the ERP's page (an English gloss follows).
    quotesChinese.push(
      ...['heading', 'line', 'rescanReason', 'rescanReasonNamed', 'rescanReasonCoded', 'noScanNeeded', 'notAsked', 'failed', 'badge'].map((key) => `troubleshoot.erp.${key}`),
      'troubleshoot.reclosed',
      'troubleshoot.verdicts.no-image-needed.evidenceServer',
      'troubleshoot.verdicts.close-lost.evidence',
      'troubleshoot.verdicts.server-has-none.evidence',
      ...['title', 'evidence', 'evidenceHere'].map((key) => `troubleshoot.verdicts.voided.${key}`),
    );
    if (quotesChinese.includes(key)) continue;
    // The ERP's own field names, glossed in English beside them (the words on the ERP's page a support person looks for).
    const erpWords = /扫描点|影像扫描用户|扫描人/g;
    assert.ok(!han.test(String(text).replace(erpWords, '')), `en ${key}: ${String(text)}`);
  }
  assert.ok(han.test(zhCN.nav.scanDesk));
});

test('translators interpolate without HTML escaping (terminals and React escape themselves)', () => {
  const { t } = createTranslator('zh-CN');
  assert.equal(t('errors.unknown-channel', { channel: '<a&b>' }), '未知的操作 <a&b>。');
  assert.equal(createTranslator('en').t('nav.covers'), 'Covers');
  assert.equal(pickLanguage('zh-Hans-CN'), 'zh-CN');
  assert.equal(pickLanguage('en-GB'), 'en');
  assert.equal(pickLanguage(undefined), 'en');
});

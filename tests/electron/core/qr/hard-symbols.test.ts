import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { inspectDocument } from '../../../../electron/core/inspection/inspect-document.js';
import { openDocument } from '../../../../electron/core/document/read-document.js';
import { findQrCodes } from '../../../../electron/core/qr/find-qr-codes.js';
import { generateHardSymbols } from '../../../fixtures/hard-symbols.js';

const dir = path.resolve('test-results', 'hard-symbols-test');

test('recall fallbacks: light-on-dark, grey-on-grey and moiré symbols the first pass misses are read; a normal page never reaches them', async () => {
  const pages = await generateHardSymbols(dir, 2);
  const found = new Map<string, number>();
  for (const page of pages) {
    const report = await inspectDocument(path.join(dir, page.file), { stationDpi: 200, rules: defaultCodeRules, mode: 'thorough' });
    if (report.pages[0]?.codes.some((code) => code.value === page.code)) found.set(page.kind, (found.get(page.kind) ?? 0) + 1);
  }
  assert.equal(found.get('inverted'), 2, 'light-on-dark');
  assert.equal(found.get('low-contrast'), 2, 'grey on grey under uneven light');
  assert.ok((found.get('moire') ?? 0) >= 1, 'moiré');

  // Without the fallbacks (the caller wants nothing, so the first pass's "nothing" stands) the
  // inverted symbols are not read: the fallbacks are what reads them.
  const inverted = pages.filter((page) => page.kind === 'inverted');
  for (const page of inverted) {
    const document = await openDocument(path.join(dir, page.file), { renderDpi: 200, fallbackDpi: 200 });
    const image = (await document.readPage(0)).image;
    document.close();
    const plain = await findQrCodes(image, 'thorough', { fallbackBudgetMs: 0 });
    assert.equal(plain.some((symbol) => symbol.text === page.code), false, `${page.file} is read by the first pass: the fixture is too easy`);
    const tried = await findQrCodes(image, 'thorough', { wanted: (text) => text === page.code });
    assert.equal(tried.some((symbol) => symbol.text === page.code), true, page.file);
  }
});

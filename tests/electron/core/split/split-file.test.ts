import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createPageReaderPool } from '../../../../electron/core/split/page-reader-pool.js';
import { splitFile } from '../../../../electron/core/split/split-file.js';
import { readFile, writeFile } from 'node:fs/promises';
import { overwriteScannerPdfPages } from '../../../fixtures/hostile.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// Every case the split must get right, in one stack: orphans, covers in both top corners, an
// upside-down cover, an invoice page, a blank back, two covers in a row, a repeated code and a
// suspect cover with a hostile payload.
const stack: StackPage[] = [
  { kind: 'content' }, // 1 orphan
  { kind: 'cover', code: 'FY-2026-000101' }, // 2
  { kind: 'content' }, // 3
  { kind: 'blank' }, // 4 blank back
  { kind: 'invoice' }, // 5 an invoice is a content page
  { kind: 'cover', code: 'FY-2026-000102', corner: 'top-left' }, // 6
  { kind: 'content' }, // 7
  { kind: 'cover', code: 'FY-2026-000103', upsideDown: true }, // 8 fed upside down
  { kind: 'content' }, // 9
  { kind: 'cover', code: 'FY-2026-000104' }, // 10 empty: next page is a cover
  { kind: 'cover', code: 'FY-2026-000101' }, // 11 repeated code
  { kind: 'content' }, // 12
  { kind: 'suspect', payload: '../../etc/passwd' }, // 13 suspect cover
  { kind: 'content' }, // 14
];

const expected = {
  orphans: [1],
  blank: [4],
  bills: [
    ['FY-2026-000101', 2, [2, 3, 5], 'duplicate-code', false],
    ['FY-2026-000102', 6, [6, 7], null, false],
    ['FY-2026-000103', 8, [8, 9], null, true],
    ['FY-2026-000104', 10, [10], 'empty-bill', false],
    ['FY-2026-000101', 11, [11, 12], 'duplicate-code', false],
    [null, 13, [13, 14], 'suspect-cover', false],
  ],
};

for (const [format, readers] of [['pdf', 0], ['pdf', 2], ['tiff', 0], ['jpeg-folder', 0], ['jpeg-folder', 2]] as const) {
  test(`a generated stack as ${format} splits into exactly the expected bills (${readers ? `${readers} page readers on worker threads` : 'pages read on this thread'})`, async () => {
    const input = await writeStack(stack, await makeTempDir(), format);
    const pool = readers ? createPageReaderPool({ size: readers }) : undefined;
    const report = await splitFile(input, { rules: defaultCodeRules, pool }).finally(() => pool?.close());
    assert.equal(report.error, null);
    assert.equal(report.pageCount, stack.length);
    assert.deepEqual(report.orphans, expected.orphans);
    assert.deepEqual(report.blank, expected.blank);
    assert.deepEqual(report.bills.map((bill) => [bill.code, bill.cover, bill.pages, bill.held, bill.turned]), expected.bills);
    assert.equal(report.bills[5]?.suspect?.reason, 'invalid-code');
    if (format === 'jpeg-folder') assert.match(report.sources[9]?.file ?? '', /scan_page10\.jpg$/, 'natural name order');
  });
}

test('with an expected-codes list, a code not on it makes a suspect cover', async () => {
  const input = await writeStack([{ kind: 'cover', code: 'FY-2026-000201' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000202' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  const report = await splitFile(input, { rules: { ...defaultCodeRules, expected: new Set(['FY-2026-000201']) } });
  assert.deepEqual(report.bills.map((bill) => [bill.code, bill.held, bill.suspect?.reason ?? null]), [['FY-2026-000201', null, null], [null, 'suspect-cover', 'unknown-code']]);
});

for (const [how, readers] of [['entropy', 0], ['entropy', 2], ['whole', 2]] as const) {
  test(`a 3-bill scanner PDF whose middle pages are overwritten (${how}, ${readers} page readers): no page blank, the stack held damaged-pages with their numbers, nothing ready`, async () => {
    const input = await writeStack(
      [{ kind: 'cover', code: 'FY-2026-000901' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000902' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000903' }, { kind: 'content' }],
      await makeTempDir(),
      'pdf',
    );
    await writeFile(input, overwriteScannerPdfPages(await readFile(input), [2, 3, 4, 5], how));
    const pool = readers ? createPageReaderPool({ size: readers }) : undefined;
    const report = await splitFile(input, { rules: defaultCodeRules, pool }).finally(() => pool?.close());
    assert.equal(report.error, null);
    assert.equal(report.pageCount, 6);
    assert.deepEqual(report.blank, []);
    assert.deepEqual(report.damaged, [2, 3, 4, 5]);
    assert.deepEqual(report.bills.map((bill) => [bill.code, bill.pages, bill.held, bill.damaged]), [['FY-2026-000901', [1, 6], 'damaged-pages', [2, 3, 4, 5]]]);
    assert.ok(report.bills.every((bill) => bill.held !== null));
  });
}

test('a scanner PDF of which no page decodes is refused as a damaged image, not taken in as damaged pages', async () => {
  const input = await writeStack([{ kind: 'cover', code: 'FY-2026-000911' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await writeFile(input, overwriteScannerPdfPages(await readFile(input), [1, 2], 'entropy'));
  const report = await splitFile(input, { rules: defaultCodeRules });
  assert.equal(report.error?.code, 'corrupt-image');
});

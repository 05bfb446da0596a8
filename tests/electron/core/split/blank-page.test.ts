import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { defaultDocumentLimits } from '../../../../electron/core/document/document-limits.js';
import { defaultBlankInkShare, judgeEvidenceWithQr } from '../../../../electron/core/split/classify-page.js';
import { createPageReaderPool } from '../../../../electron/core/split/page-reader-pool.js';
import { readJpegEvidence } from '../../../../electron/core/split/read-jpeg-page.js';
import { splitFile } from '../../../../electron/core/split/split-file.js';
import { encodeJpeg, encodeScannerPdf, type ScannerPdfPage } from '../../../fixtures/encode.js';
import { blankPaperKinds, contentPaperKinds, renderPaperPageGrayJpeg, renderPaperPageJpeg, type PaperPageKind } from '../../../fixtures/paper-pages.js';
import { renderStackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const classify = { rules: defaultCodeRules, blankInkShare: defaultBlankInkShare };

/** The share of content the split measures on a page, and what it makes of it. */
async function judgePage(page: { bytes: Uint8Array; width: number; height: number; dpi: number }): Promise<{ ink: number; kind: string }> {
  const { evidence } = await readJpegEvidence({ name: 'page', page: 1, bytes: page.bytes, width: page.width, height: page.height, dpi: page.dpi, limits: defaultDocumentLimits });
  return { ink: evidence.ink, kind: judgeEvidenceWithQr(evidence, classify).what.kind };
}

test('content is judged against the page\'s own paper: dark-grey paper with black print, pink paper with dark-red print (colour JPEG) and faint pencil on white are content; white and recycled-grey backs with texture, specks, edge shadow and punch holes are blank', { timeout: 600_000 }, async () => {
  const wrong: string[] = [];
  const shares: string[] = [];
  const cases: Array<[PaperPageKind, number, 'colour' | 'gray']> = [];
  for (const kind of [...contentPaperKinds, ...blankPaperKinds]) cases.push([kind, 150, 'colour']);
  // A gray scan of the same papers at 200 dpi, and the extremes at 300 dpi (the overview is then 1/8 of the page).
  for (const kind of ['dark-paper-text', 'pencil-text', 'recycled-back'] as const) cases.push([kind, 200, 'gray']);
  for (const kind of ['dark-paper-text', 'recycled-back'] as const) cases.push([kind, 300, 'colour']);
  for (const [kind, dpi, colour] of cases) {
    const page = colour === 'colour' ? await renderPaperPageJpeg(kind, dpi, dpi + kind.length) : await renderPaperPageGrayJpeg(kind, dpi, dpi + kind.length);
    const { ink, kind: judged } = await judgePage(page);
    const want = contentPaperKinds.includes(kind) ? 'content' : 'blank';
    shares.push(`${kind} ${dpi} dpi ${colour}: ${(ink * 100).toFixed(2)} %`);
    if (judged !== want) wrong.push(`${kind} at ${dpi} dpi (${colour}) is ${judged}, content ${(ink * 100).toFixed(3)} %`);
    // Not just on the right side of the line: well clear of it, so a slightly different scan does not flip it.
    if (want === 'content' && ink < defaultBlankInkShare * 3) wrong.push(`${kind} at ${dpi} dpi (${colour}) only just content: ${(ink * 100).toFixed(3)} %`);
    if (want === 'blank' && ink > defaultBlankInkShare * 0.8) wrong.push(`${kind} at ${dpi} dpi (${colour}) only just blank: ${(ink * 100).toFixed(3)} %`);
  }
  assert.deepEqual(wrong, [], shares.join('\n'));
});

/** A page of the stack as a scanner PDF's JPEG page. */
async function scannerPage(page: { bytes: Uint8Array; width: number; height: number; dpi: number }): Promise<ScannerPdfPage> {
  return { kind: 'jpeg', bytes: page.bytes, width: page.width, height: page.height, dpi: page.dpi };
}

for (const readers of [0, 2]) {
  test(`a stack with a bill on dark-grey paper keeps every page of it; the white and recycled backs are left out as blank (${readers ? `${readers} page readers` : 'this thread'})`, { timeout: 600_000 }, async () => {
    const dpi = 150;
    const cover = async (code: string, seed: number) => {
      const image = renderStackPage({ kind: 'cover', code }, dpi, seed);
      return scannerPage({ bytes: await encodeJpeg(image, dpi), width: image.width, height: image.height, dpi });
    };
    const paper = async (kind: PaperPageKind, seed: number) => scannerPage(await renderPaperPageJpeg(kind, dpi, seed));
    const pages = [
      await cover('FY-2026-000501', 1), // 1
      await paper('dark-paper-text', 2),
      await paper('dark-paper-text', 3),
      await paper('dark-paper-text', 4),
      await paper('pink-invoice', 5),
      await paper('pencil-text', 6),
      await paper('white-back', 7), // 7 blank
      await cover('FY-2026-000502', 8), // 8
      await paper('dark-paper-text', 9),
      await paper('recycled-back', 10), // 10 blank
      await paper('dark-paper-text', 11),
    ];
    const file = path.join(await makeTempDir(), 'dark-bill.pdf');
    await writeFile(file, await encodeScannerPdf(pages));
    const pool = readers ? createPageReaderPool({ size: readers }) : undefined;
    const report = await splitFile(file, { rules: defaultCodeRules, pool }).finally(() => pool?.close());
    assert.equal(report.error, null);
    assert.deepEqual(report.blank, [7, 10]);
    assert.deepEqual(
      report.bills.map((bill) => [bill.code, bill.pages, bill.held]),
      [
        ['FY-2026-000501', [1, 2, 3, 4, 5, 6], null],
        ['FY-2026-000502', [8, 9, 11], null],
      ],
    );
  });
}

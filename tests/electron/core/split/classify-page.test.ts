import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { inspectDocument } from '../../../../electron/core/inspection/inspect-document.js';
import { defaultDocumentLimits } from '../../../../electron/core/document/document-limits.js';
import { openDocument } from '../../../../electron/core/document/read-document.js';
import { judgeEvidenceWithQr } from '../../../../electron/core/split/classify-page.js';
import { createPageReaderPool } from '../../../../electron/core/split/page-reader-pool.js';
import { readJpegEvidence } from '../../../../electron/core/split/read-jpeg-page.js';
import { readStackPages } from '../../../../electron/core/split/read-stack-pages.js';
import { splitFile } from '../../../../electron/core/split/split-file.js';
import type { PageKind } from '../../../../electron/core/split/split-stack.js';
import { encodeJpeg, encodeScannerPdf, type ScannerPdfPage } from '../../../fixtures/encode.js';
import { encodeGeneratedCover, generateCovers, renderGeneratedCover, type CoverEncoding, type EncodedCover, type GeneratedCover } from '../../../fixtures/generated-covers.js';
import { renderStackPage, writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const classify = { rules: defaultCodeRules, blankInkShare: 0.003 };

/** A JPEG cover as a scanner PDF's page. */
function asScannerPage(page: EncodedCover): ScannerPdfPage {
  assert.equal(page.kind, 'jpeg');
  return { kind: 'jpeg', bytes: page.bytes, width: page.width, height: page.height, dpi: page.dpi };
}

/** What `check` reads on each page of a file: the valid cover codes it places in a top corner. */
async function checkReads(source: string | { name: string; bytes: Uint8Array }, dpi: number): Promise<Array<string | null>> {
  const report = await inspectDocument(source, { stationDpi: dpi, rules: defaultCodeRules, mode: 'thorough' });
  assert.equal(report.error, null);
  return report.pages.map((page) => page.codes.find((code) => code.valid && (code.corner === 'top-right' || code.corner === 'top-left'))?.value ?? null);
}

/** What the split makes of each page of a file, read on this thread (the page-reader path is checked apart). */
async function splitReads(source: string | { name: string; bytes: Uint8Array }): Promise<PageKind[]> {
  const document = await openDocument(source);
  try {
    const kinds: PageKind[] = [];
    for await (const page of readStackPages(document, { name: 'stack', ...classify })) kinds.push(page.what);
    return kinds;
  } finally {
    document.close();
  }
}

/** Every page whose code `check` reads and the split does not, with what the split made of it. */
function misses(label: string, checked: Array<string | null>, split: PageKind[]): string[] {
  return checked.flatMap((code, index) => {
    const what = split[index];
    return code !== null && !(what?.kind === 'cover' && what.code === code) ? [`${label} page ${index + 1}: check reads ${code}, the split says ${JSON.stringify(what)}`] : [];
  });
}

/**
 * The covers' seed at each resolution. At 100 dpi, seed 12 draws (gray and colour alike) a cover
 * whose QR libjpeg-turbo's fast IDCT damages past what ZXing's first pass reads, as in the soak's
 * stack 28 (page 9 of the gray PDF): found by running the old split over seeds 0–59 (12 and 31
 * did; about 1 cover in 150).
 */
const seedOf = (dpi: number) => (dpi === 100 ? 12 : dpi);

/** How many covers of each resolution: fewer at 300 dpi, where a page costs the most. */
const perResolution: Record<number, number> = { 100: 12, 150: 8, 200: 5, 300: 4 };

test('the split reads every top-corner cover the check reads: generated covers at 100–300 dpi, gray and colour JPEG in scanner PDFs, PNG', { timeout: 600_000 }, async () => {
  const dir = await makeTempDir();
  const found: string[] = [];
  let read = 0;
  let total = 0;
  for (const dpi of [100, 150, 200, 300]) {
    for (const encoding of ['gray-jpeg', 'colour-jpeg', 'png'] satisfies CoverEncoding[]) {
      const covers = generateCovers(perResolution[dpi] as number, seedOf(dpi), dpi, encoding);
      const pages = await Promise.all(covers.map((cover) => encodeGeneratedCover(cover)));
      total += covers.length;
      if (encoding === 'png') {
        // PNG pages are exact already: one file per page, as scanner software saves them.
        for (const [index, page] of pages.entries()) {
          const source = { name: `cover-${index}.png`, bytes: page.bytes };
          const checked = await checkReads(source, dpi);
          read += checked.filter(Boolean).length;
          found.push(...misses(`${dpi} dpi png ${index}`, checked, await splitReads(source)));
        }
        continue;
      }
      const file = path.join(dir, `covers-${dpi}-${encoding}.pdf`);
      await writeFile(file, await encodeScannerPdf(pages.map(asScannerPage)));
      const checked = await checkReads(file, dpi);
      read += checked.filter(Boolean).length;
      found.push(...misses(`${dpi} dpi ${encoding}`, checked, await splitReads(file)));
      // The page readers (worker threads at the desk) gather evidence from the JPEG bytes themselves.
      const judged: PageKind[] = [];
      for (const [index, page] of pages.entries()) {
        const evidence = (await readJpegEvidence({ name: 'covers', page: index + 1, bytes: page.bytes, width: page.width, height: page.height, dpi, limits: defaultDocumentLimits })).evidence;
        judged.push(judgeEvidenceWithQr(evidence, classify).what);
      }
      found.push(...misses(`${dpi} dpi ${encoding} (page readers)`, checked, judged));
    }
  }
  // The property means something only if the check reads (nearly) all of them.
  assert.ok(read >= total * 0.95, `check read ${read} of ${total}`);
  assert.deepEqual(found, []);
});

test('the split reads every cover the check reads on the upload crash test\'s 100-dpi stacks 24–33 (stack 28 put pages 6–8 into the bill before)', { timeout: 600_000 }, async () => {
  const found: string[] = [];
  for (let n = 24; n < 34; n += 1) {
    // Exactly as tests/electron/core/upload/upload-crash.test.ts makes them.
    const pages: StackPage[] = [];
    for (let bill = 0; bill < 3; bill += 1) {
      pages.push({ kind: 'cover', code: `FY-UP-${String(n * 3 + bill).padStart(4, '0')}` }, { kind: 'content' });
      if ((n + bill) % 2 === 0) pages.push({ kind: 'invoice' });
    }
    const file = await writeStack(pages, await makeTempDir(), 'pdf', 100);
    const checked = await checkReads(file, 100);
    assert.equal(checked.filter(Boolean).length, 3, `check reads the three covers of stack ${n}`);
    found.push(...misses(`stack ${n}`, checked, await splitReads(file)));
  }
  assert.deepEqual(found, []);
});

for (const readers of [0, 2]) {
  test(`stack 28 of the soak at 100 dpi splits into its three bills, none taking another's pages (${readers ? `${readers} page readers` : 'this thread'})`, async () => {
    const pages: StackPage[] = [
      { kind: 'cover', code: 'FY-UP-0084' },
      { kind: 'content' },
      { kind: 'invoice' },
      { kind: 'cover', code: 'FY-UP-0085' },
      { kind: 'content' },
      // Page 6: libjpeg-turbo's fast IDCT turns a few 8 × 8 blocks of this QR to their negative.
      { kind: 'cover', code: 'FY-UP-0086' },
      { kind: 'content' },
      { kind: 'invoice' },
    ];
    const file = await writeStack(pages, await makeTempDir(), 'pdf', 100);
    const pool = readers ? createPageReaderPool({ size: readers }) : undefined;
    const report = await splitFile(file, { rules: defaultCodeRules, pool }).finally(() => pool?.close());
    assert.deepEqual(
      report.bills.map((bill) => [bill.code, bill.pages, bill.held]),
      [
        ['FY-UP-0084', [1, 2, 3], null],
        ['FY-UP-0085', [4, 5], null],
        ['FY-UP-0086', [6, 7, 8], null],
      ],
    );
  });
}

/** A scratch across the symbol: every other row of its data area wiped white (finder patterns intact). */
const scratchRows = (row: number, _col: number, size: number, dark: boolean) => (row >= 8 && row <= size - 9 && (row - 8) % 2 === 0 ? false : dark);

for (const encoding of ['gray-jpeg', 'colour-jpeg'] satisfies CoverEncoding[]) {
  test(`a cover whose QR is scratched beyond repair is held as a suspect cover, never taken for the last bill's content (${encoding}, 100–300 dpi)`, { timeout: 300_000 }, async () => {
    for (const dpi of [100, 150, 200, 300]) {
      const damaged: GeneratedCover = { ...(generateCovers(1, dpi + 11, dpi, encoding)[0] as GeneratedCover), corner: 'top-right' };
      const good: GeneratedCover = { ...damaged, code: `FY-GOOD-${dpi}`, seed: damaged.seed + 1 };
      const content = async (seed: number): Promise<ScannerPdfPage> => {
        const image = renderStackPage({ kind: 'content' }, dpi, seed);
        return { kind: 'jpeg', bytes: await encodeJpeg(image, dpi), width: image.width, height: image.height, dpi };
      };
      const pages = [asScannerPage(await encodeGeneratedCover(good)), await content(2), asScannerPage(await encodeGeneratedCover(damaged, renderGeneratedCover(damaged, scratchRows))), await content(4)];
      const file = path.join(await makeTempDir(), 'stack.pdf');
      await writeFile(file, await encodeScannerPdf(pages));
      const report = await splitFile(file, { rules: defaultCodeRules });
      assert.deepEqual(
        report.bills.map((bill) => [bill.code, bill.pages, bill.held, bill.suspect?.reason ?? null]),
        [
          [`FY-GOOD-${dpi}`, [1, 2], null, null],
          [null, [3, 4], 'suspect-cover', 'unreadable-code'],
        ],
        `${dpi} dpi`,
      );
    }
  });
}

test('a cover fed upside down is found by the search around its QR-shaped patch, beside a stub of text that qualifies too', async () => {
  const cover: GeneratedCover = { ...(generateCovers(1, 26, 300, 'gray-jpeg')[0] as GeneratedCover), corner: 'top-right', code: 'FY-2026-TURNED-26' };
  const upright = renderGeneratedCover(cover);
  // Fed upside down: the page turned 180° (the QR now in the bottom-left corner)…
  const page = { ...upright, data: upright.data.slice().reverse() };
  // …and a stub of two short lines of print in the bottom-right corner: a compact dense patch at 1/8
  // scale, as a fifth of heavy office pages have.
  const px = cover.dpi / 25.4;
  for (let line = 0; line < 2; line += 1) {
    for (let x = Math.round(150 * px); x < Math.round(159 * px); x += 9) {
      for (let y = Math.round((268 + line * 4) * px); y < Math.round((270.6 + line * 4) * px); y += 1) page.data.fill(30, y * page.width + x, y * page.width + x + 6);
    }
  }
  const { findQrShapesInBottomCorners } = await import('../../../../electron/core/split/classify-page.js');
  const { overviewOfImage } = await import('../../../../electron/core/document/page-overview.js');
  const shapes = findQrShapesInBottomCorners(overviewOfImage(page, cover.dpi));
  const overviewMm = 25.4 / (cover.dpi / 8);
  // Both qualify: the symbol on the left and the stub on the right.
  assert.deepEqual([...new Set(shapes.map((shape) => ((shape.x + shape.w / 2) * overviewMm < 105 ? 'left' : 'right')))].sort(), ['left', 'right']);
  const bytes = await encodeJpeg(page, cover.dpi);
  const { evidence } = await readJpegEvidence({ name: 'turned.pdf', page: 1, bytes, width: page.width, height: page.height, dpi: cover.dpi, limits: defaultDocumentLimits });
  assert.deepEqual(evidence.top, []);
  assert.deepEqual(evidence.bottom?.map((corner) => corner.map((symbol) => symbol.text)), [[cover.code], []]);
  assert.deepEqual(judgeEvidenceWithQr(evidence, classify).what, { kind: 'cover', code: cover.code, turned: true });
});

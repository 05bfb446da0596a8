import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { detectFormat } from '../../../../electron/core/document/detect-format.js';
import { defaultDocumentLimits } from '../../../../electron/core/document/document-limits.js';
import { readPageRegion } from '../../../../electron/core/document/crop-page.js';
import { openDocument } from '../../../../electron/core/document/read-document.js';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';
import { encodeG4Tiff, encodeJpeg, encodeLzwTiff, encodePng, encodeScannerPdf, encodeVectorPdf } from '../../../fixtures/encode.js';
import { corruptPdf, deepPageTreePdf, encryptedPdf, hugePageCountPdf, loopingPageTreePdf, pngDeclaring, tiffDeclaring, truncatedJpeg } from '../../../fixtures/hostile.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const spec = { dpi: 200, qrs: [{ text: 'FY-1', placement: 'top-right' as const, sizeMm: 22 }] };

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(await makeTempDir(), name);
  await writeFile(file, bytes);
  return file;
}

test('every input format opens to gray pixels with the right physical size and source', async () => {
  const image = renderCoverRaster(spec);
  const g16 = renderCoverRaster({ ...spec, widthMm: (1648 * 25.4) / 200, heightMm: (2336 * 25.4) / 200 });
  const cases: Array<[string, Uint8Array, string]> = [
    ['a.jpg', await encodeJpeg(image, 200), 'image'],
    ['a.png', await encodePng(image, 200), 'image'],
    ['a.tif', await encodeG4Tiff(image, 200), 'image'],
    ['lzw.tif', await encodeLzwTiff(image, 200), 'image'],
    ['scan-jpeg.pdf', await encodeScannerPdf([{ kind: 'jpeg', bytes: await encodeJpeg(image, 200), width: image.width, height: image.height, dpi: 200 }]), 'pdf-embedded-jpeg'],
    ['scan-g4.pdf', await encodeScannerPdf([{ kind: 'g4', image: g16, dpi: 200 }]), 'pdf-embedded-image'],
    ['template.pdf', await encodeVectorPdf(spec), 'pdf-render'],
  ];
  for (const [name, bytes, source] of cases) {
    const document = await openDocument(await write(name, bytes));
    const page = await document.readPage(0);
    document.close();
    assert.equal(page.source, source, name);
    assert.ok(Math.abs(page.widthMm - 210) < 1 && Math.abs(page.heightMm - 297) < 1, `${name}: ${page.widthMm}×${page.heightMm}`);
    assert.ok(Math.abs(page.dpi - 200) < 1, `${name}: ${page.dpi} dpi`);
    assert.equal(page.image.data.length, page.image.width * page.image.height, name);
    // The QR's top-left module is black: the pixels are right side up and not inverted.
    const qrX = Math.round(((210 - 12 - 22 + 0.5) / 25.4) * page.dpi);
    const qrY = Math.round(((12 + 0.5) / 25.4) * page.dpi);
    assert.ok((page.image.data[qrY * page.image.width + qrX] ?? 255) < 100, `${name}: finder pattern is dark`);
    assert.ok((page.image.data[10 * page.image.width + 10] ?? 0) > 200, `${name}: paper is white`);
  }
});

test('a scanner page with /Rotate is read the way it is displayed: upright, QR top-right', async () => {
  const image = renderCoverRaster(spec);
  const jpeg = await encodeJpeg(image, 200);
  for (const rotate of [90, 180, 270] as const) {
    const bytes = await encodeScannerPdf([{ kind: 'jpeg', bytes: jpeg, width: image.width, height: image.height, dpi: 200, rotate }]);
    const document = await openDocument(await write(`rotated-${rotate}.pdf`, bytes));
    const page = await document.readPage(0, { topShare: 0.3 });
    document.close();
    assert.ok(Math.abs(page.widthMm - 210) < 1 && Math.abs(page.heightMm - 297) < 1, `${rotate}: ${page.widthMm}×${page.heightMm}`);
    const qrX = Math.round(((210 - 12 - 22 + 0.5) / 25.4) * page.dpi);
    const qrY = Math.round(((12 + 0.5) / 25.4) * page.dpi);
    assert.ok((page.image.data[qrY * page.image.width + qrX] ?? 255) < 100, `${rotate}: the finder pattern is at the top right`);
  }
});

test('a photo with an EXIF orientation is read as it is shown', async () => {
  const image = renderCoverRaster(spec);
  const upright = await encodeJpeg(image, 200);
  // Orientation 6 = "turn 90° clockwise to show": the pixels are stored a quarter turn the other way.
  for (const [orientation, storedTurn] of [[3, 180], [6, 270], [8, 90]] as const) {
    const stored = await sharp(upright).rotate(storedTurn).withMetadata({ orientation, density: 200 }).jpeg({ quality: 90 }).toBuffer();
    const document = await openDocument(await write(`photo-${orientation}.jpg`, stored));
    for (const region of [undefined, { topShare: 0.3 }]) {
      const page = await document.readPage(0, region);
      assert.ok(Math.abs(page.widthMm - 210) < 1 && Math.abs(page.heightMm - 297) < 1, `${orientation}: ${page.widthMm}×${page.heightMm}`);
      const qrX = Math.round(((210 - 12 - 22 + 0.5) / 25.4) * page.dpi);
      const qrY = Math.round(((12 + 0.5) / 25.4) * page.dpi);
      assert.ok((page.image.data[qrY * page.image.width + qrX] ?? 255) < 100, `${orientation}: the finder pattern is at the top right`);
    }
    document.close();
  }
});

test('a top band read decodes only that share of the page', async () => {
  const document = await openDocument(await write('a.jpg', await encodeJpeg(renderCoverRaster(spec), 200)));
  const band = await document.readPage(0, { topShare: 0.3 });
  assert.ok(Math.abs(band.coverage - 0.3) < 0.01);
  assert.ok(Math.abs(band.heightMm - 297) < 1, 'the page size is still the whole page');
});

test('bad input becomes a typed error with a clear code', async () => {
  const expect = async (name: string, bytes: Uint8Array, code: string) => {
    await assert.rejects(
      (async () => {
        const document = await openDocument(await write(name, bytes));
        await document.readPage(0);
      })(),
      (error: unknown) => error instanceof CoreError && error.code === code,
      `${name} → ${code}`,
    );
  };
  await expect('zero.pdf', new Uint8Array(0), 'file-empty');
  await expect('text.pdf', Buffer.from('just some text'), 'unsupported-format');
  await expect('corrupt.pdf', corruptPdf(), 'corrupt-pdf');
  await expect('locked.pdf', encryptedPdf(), 'pdf-encrypted');
  await expect('claims-100k.pdf', hugePageCountPdf(), 'too-many-pages');
  await expect('bomb.png', pngDeclaring(60000, 60000), 'image-too-large');
  await expect('bomb.tif', tiffDeclaring(60000, 60000), 'image-too-large');
  await expect('cut.jpg', await truncatedJpeg(), 'corrupt-image');
  await assert.rejects(openDocument('/nonexistent/x.pdf'), (error: unknown) => error instanceof CoreError && error.code === 'file-unreadable');
});

test('a PDF whose page tree loops or nests 10,000 deep is refused as damaged on every reader, never read as a page without pixels', async () => {
  for (const [name, bytes] of [
    ['loop.pdf', loopingPageTreePdf()],
    ['deep.pdf', deepPageTreePdf(10_000)],
  ] as const) {
    const isDamaged = (error: unknown) => error instanceof CoreError && error.code === 'corrupt-pdf' && error.params['reason'] === 'empty-page';
    const document = await openDocument(await write(name, bytes));
    try {
      await assert.rejects(document.readPage(0), isDamaged, `${name}: readPage`);
      await assert.rejects(document.readPage(0, { topShare: 0.2 }), isDamaged, `${name}: band`);
      await assert.rejects(document.readOverview(0), isDamaged, `${name}: overview`);
      await assert.rejects(readPageRegion(document, 0, { x: 0, y: 0, w: 30, h: 30 }), isDamaged, `${name}: region`);
    } finally {
      document.close();
    }
  }
});

test('formats are recognised by content, not by extension', () => {
  assert.equal(detectFormat(Buffer.from('%PDF-1.4')), 'pdf');
  assert.equal(detectFormat(Buffer.from('junk\n%PDF-1.4')), 'pdf');
  assert.equal(detectFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
  assert.equal(detectFormat(Buffer.from('II*\0')), 'tiff');
  assert.equal(detectFormat(Buffer.from('hello')), null);
});

test('multi-page TIFF (LZW gray and 1-bit G4): every page is read and checked on its own', async () => {
  const { inspectDocument } = await import('../../../../electron/core/inspection/inspect-document.js');
  const { defaultCodeRules } = await import('../../../../electron/core/codes/image-code-rules.js');
  const { encodeMultiPageTiff } = await import('../../../fixtures/encode.js');
  const pages = [
    renderCoverRaster({ dpi: 200, qrs: [{ text: 'FY-BILL-0001', placement: 'top-right', sizeMm: 22 }] }),
    renderCoverRaster({ dpi: 200, qrs: [] }),
    renderCoverRaster({ dpi: 200, qrs: [{ text: 'FY-BILL-0002', placement: 'top-left', sizeMm: 22 }] }),
  ];
  for (const compression of ['lzw', 'ccittfax4'] as const) {
    const file = await write(`batch-${compression}.tif`, await encodeMultiPageTiff(pages, 200, compression));
    const report = await inspectDocument(file, { stationDpi: 200, rules: defaultCodeRules, mode: 'thorough' });
    assert.equal(report.error, null, compression);
    assert.deepEqual(
      report.pages.map((page) => [page.page, page.verdict, page.codes.map((code) => `${code.value}@${code.corner}`).join()]),
      [
        [1, 'ok', 'FY-BILL-0001@top-right'],
        [2, 'fail', ''],
        [3, 'ok', 'FY-BILL-0002@top-left'],
      ],
      compression,
    );
  }
});

test('a scanner PDF over the page limit is refused with its real page count, or "more than" the limit when its page tree does not say', async () => {
  const image = renderCoverRaster({ dpi: 30, qrs: [] });
  const page = { kind: 'jpeg' as const, bytes: await encodeJpeg(image, 30), width: image.width, height: image.height, dpi: 30 };
  const seven = Buffer.from(await encodeScannerPdf(Array.from({ length: 7 }, () => page), { classicXref: true }));
  const limits = { ...defaultDocumentLimits, maxPages: 5 };
  const refusal = async (name: string, bytes: Uint8Array) => {
    const error = await openDocument(await write(name, bytes), { limits }).then(
      () => assert.fail(`${name} was opened`),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof CoreError && error.code === 'too-many-pages', String(error));
    return error.message;
  };
  assert.match(await refusal('seven.pdf', seven), /seven\.pdf has 7 pages, over the 5-page limit/);
  // The same file whose root claims one page: reading stopped at page 6, so the count is not known.
  const lying = Buffer.from(seven.toString('latin1').replace('/Count 7', '/Count 1'), 'latin1');
  assert.notEqual(lying.toString('latin1'), seven.toString('latin1'));
  assert.match(await refusal('lying.pdf', lying), /lying\.pdf has more than 5 pages/);
});

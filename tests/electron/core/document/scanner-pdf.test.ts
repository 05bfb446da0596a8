import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { openDocument } from '../../../../electron/core/document/read-document.js';
import { openScannerPdf } from '../../../../electron/core/document/scanner-pdf.js';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';
import { encodeJpeg, encodeScannerPdf, encodeVectorPdf } from '../../../fixtures/encode.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const image = renderCoverRaster({ dpi: 150, qrs: [{ text: 'FY-1', placement: 'top-right', sizeMm: 22 }] });
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(await makeTempDir(), name);
  await writeFile(file, bytes);
  return file;
}

async function jpegPages(count: number): Promise<Uint8Array[]> {
  return Promise.all(Array.from({ length: count }, (_, n) => encodeJpeg(image, 150, 60 + n)));
}

test('a scanner PDF is read without PDFium: each page is its JPEG, byte for byte, with either kind of cross-reference', async () => {
  const jpegs = await jpegPages(3);
  for (const classicXref of [false, true]) {
    const file = await write('scan.pdf', await encodeScannerPdf(jpegs.map((bytes) => ({ kind: 'jpeg', bytes, width: image.width, height: image.height, dpi: 150 })), { classicXref }));
    const simple = await openScannerPdf(file, (await stat(file)).size, 100);
    assert.ok(simple, `classic xref ${classicXref}: read as a simple scanner PDF`);
    assert.equal(simple.pages.length, 3);
    for (let index = 0; index < 3; index += 1) assert.equal(sha(await simple.readJpeg(index)), sha(jpegs[index] as Uint8Array));
    await simple.close();
    const document = await openDocument(file);
    assert.ok(document.readEncoded, 'the fast path offers the undecoded bytes');
    const page = await document.readPage(2);
    assert.equal(page.source, 'pdf-embedded-jpeg');
    assert.equal(sha(page.encoded?.bytes as Uint8Array), sha(jpegs[2] as Uint8Array));
    assert.ok(Math.abs(page.dpi - 150) < 1 && Math.abs(page.widthMm - 210) < 1);
    document.close();
  }
});

test('anything but one upright JPEG per page goes to PDFium instead', async () => {
  const [jpeg] = await jpegPages(1);
  const cases: Array<[string, Uint8Array]> = [
    ['rotated.pdf', await encodeScannerPdf([{ kind: 'jpeg', bytes: jpeg as Uint8Array, width: image.width, height: image.height, dpi: 150, rotate: 90 }])],
    ['g4.pdf', await encodeScannerPdf([{ kind: 'g4', image: renderCoverRaster({ dpi: 160, qrs: [], widthMm: (1312 * 25.4) / 160, heightMm: (1872 * 25.4) / 160 }), dpi: 160 }])],
    ['template.pdf', await encodeVectorPdf({ dpi: 150, qrs: [{ text: 'FY-1', placement: 'top-right', sizeMm: 22 }] })],
  ];
  for (const [name, bytes] of cases) {
    const file = await write(name, bytes);
    assert.equal(await openScannerPdf(file, bytes.length, 100), null, name);
    const document = await openDocument(file);
    assert.equal(document.readEncoded, undefined, name);
    await document.readPage(0);
    document.close();
  }
});

test('a scanner PDF cut short (still being written) is not taken as simple', async () => {
  const bytes = await encodeScannerPdf((await jpegPages(2)).map((jpeg) => ({ kind: 'jpeg', bytes: jpeg, width: image.width, height: image.height, dpi: 150 })));
  for (const keep of [bytes.length - 10, Math.floor(bytes.length / 2), 400]) {
    const file = await write('partial.pdf', bytes.subarray(0, keep));
    assert.equal(await openScannerPdf(file, keep, 100), null, `${keep} bytes`);
  }
});

test('a page table larger than the page limit is refused before any page is read', async () => {
  const bytes = await encodeScannerPdf((await jpegPages(3)).map((jpeg) => ({ kind: 'jpeg', bytes: jpeg, width: image.width, height: image.height, dpi: 150 })));
  const file = await write('many.pdf', bytes);
  await assert.rejects(openDocument(file, { limits: { maxBytes: 1e9, maxPixels: 1e8, maxPages: 2 } }), { code: 'too-many-pages' });
});

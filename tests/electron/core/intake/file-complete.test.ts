import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { checkFileComplete } from '../../../../electron/core/intake/file-complete.js';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';
import { encodeJpeg, encodeMultiPageTiff, encodePng, encodeScannerPdf } from '../../../fixtures/encode.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const image = renderCoverRaster({ dpi: 100, qrs: [] });

test('a file counts as written only when it parses to its end: PDF trailer, TIFF page chain and strips, JPEG EOI, PNG IEND', async () => {
  const dir = await makeTempDir();
  const jpeg = await encodeJpeg(image, 100);
  const cases: Array<[string, Uint8Array, string]> = [
    ['a.pdf', await encodeScannerPdf([{ kind: 'jpeg', bytes: jpeg, width: image.width, height: image.height, dpi: 100 }]), 'pdf-no-trailer'],
    ['a.tif', await encodeMultiPageTiff([image, image, image], 100), 'tiff'],
    ['a.jpg', jpeg, 'jpeg-no-eoi'],
    ['a.png', await encodePng(image, 100), 'png-no-iend'],
  ];
  for (const [name, bytes, cutReason] of cases) {
    const whole = path.join(dir, name);
    await writeFile(whole, bytes);
    assert.equal(await checkFileComplete(whole), null, `${name} whole`);
    // Cut where a scanner still writing would leave it: most of the file there, the end not yet.
    const part = path.join(dir, `part-${name}`);
    await writeFile(part, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const reason = await checkFileComplete(part);
    if (cutReason === 'tiff') assert.match(String(reason), /^tiff-(ifd|data)-past-end$/, name);
    else assert.equal(reason, cutReason, name);
  }
});

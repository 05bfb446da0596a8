import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { jpegSourceOfBytes, maxJpegPageBytes, readCompactJpeg, type JpegSource } from '../../../../electron/core/document/jpeg-compact.js';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';
import { paddedJpeg } from '../../../fixtures/hostile.js';

async function pageJpeg(): Promise<{ bytes: Buffer; width: number; height: number }> {
  const image = renderCoverRaster({ dpi: 40, qrs: [{ text: 'FY-2026-000801', placement: 'top-right', sizeMm: 30 }] });
  // As a phone or a colour scanner writes it: EXIF orientation and an ICC profile, which must survive.
  const bytes = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 1 } })
    .toColourspace('srgb')
    .withIccProfile('p3')
    .withMetadata({ orientation: 6, density: 40 })
    .jpeg({ quality: 80 })
    .toBuffer();
  return { bytes, width: image.width, height: image.height };
}

/** A source that counts what is read from it, as a file would be read. */
function countingSource(bytes: Uint8Array): JpegSource & { readBytes: () => number } {
  let read = 0;
  const inner = jpegSourceOfBytes(bytes);
  return { size: bytes.length, read: async (offset, length) => ((read += length), inner.read(offset, length)), readBytes: () => read };
}

test('APP/COM padding and bytes after the end are dropped without reading them; the image, EXIF orientation, ICC profile and density stay', async () => {
  const { bytes, width, height } = await pageJpeg();
  const padded = paddedJpeg(bytes, 3 * 1024 * 1024, 512 * 1024);
  const source = countingSource(padded);
  const compact = await readCompactJpeg(source, { name: 'padded.jpg', page: 1, width, height });
  assert.ok(compact);
  assert.ok(compact.length <= bytes.length + 64, `${compact.length} bytes kept of ${padded.length} (the page is ${bytes.length})`);
  // The kept segments, the image data and at most one 1 MB read past its end: never the 3 MB of padding.
  assert.ok(source.readBytes() < 2 * bytes.length + 1024 * 1024, `${source.readBytes()} bytes read of ${padded.length}`);
  const [before, after] = await Promise.all([sharp(bytes).metadata(), sharp(compact).metadata()]);
  assert.deepEqual([after.orientation, after.density, Boolean(after.icc), after.icc?.length], [6, 40, true, before.icc?.length]);
  assert.deepEqual(await sharp(compact).raw().toBuffer(), await sharp(bytes).raw().toBuffer());
});

test('a JPEG with no padding to speak of is kept byte for byte (the scanner\'s own bytes are stored)', async () => {
  const { bytes, width, height } = await pageJpeg();
  const compact = await readCompactJpeg(jpegSourceOfBytes(bytes), { name: 'plain.jpg', page: 1, width, height });
  assert.deepEqual(compact && Buffer.from(compact), bytes);
});

test('image data that does not end within what the page\'s pixels can need refuses the page with its size and the limit', async () => {
  const { bytes, width, height } = await pageJpeg();
  // No end marker: the junk after the image is read as image data until the bound.
  const unterminated = Buffer.concat([bytes.subarray(0, bytes.length - 2), Buffer.alloc(maxJpegPageBytes(width, height, 3) + 1, 0x5a)]);
  await assert.rejects(
    readCompactJpeg(jpegSourceOfBytes(unterminated), { name: 'endless.jpg', page: 4, width, height }),
    (error: unknown) => error instanceof CoreError && error.code === 'page-too-large' && /Page 4 of endless\.jpg is .* more than a scan of its size can need/.test(error.message),
  );
});

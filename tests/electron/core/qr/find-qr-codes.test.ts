import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findQrCodes, findTopCornerCodes } from '../../../../electron/core/qr/find-qr-codes.js';
import { cropGray } from '../../../../electron/core/document/gray-image.js';
import { renderCoverRaster, type FixtureQr } from '../../../fixtures/cover-raster.js';

const page = (qrs: FixtureQr[], dpi = 200) => renderCoverRaster({ dpi, qrs });

test('finds one code wherever it is printed, with its corners in page pixels', async () => {
  for (const placement of ['top-right', 'top-left', 'bottom-right', 'bottom-left', 'center'] as const) {
    const image = page([{ text: `FY-${placement}`, placement, sizeMm: 22 }]);
    const found = await findQrCodes(image, 'thorough');
    assert.deepEqual(found.map((symbol) => symbol.text), [`FY-${placement}`], placement);
    const xs = found[0]?.corners.map((point) => point.x) ?? [];
    const centreX = (Math.min(...xs) + Math.max(...xs)) / 2 / image.width;
    assert.equal(centreX > 0.5, placement.endsWith('right') || (placement === 'center' && centreX > 0.5), placement);
  }
});

test('two codes on one page are both reported; a blank page has none', async () => {
  const found = await findQrCodes(page([{ text: 'FY-A-1', placement: 'top-right', sizeMm: 20 }, { text: 'FY-B-2', placement: 'bottom-left', sizeMm: 20 }]), 'thorough');
  assert.deepEqual(found.map((symbol) => symbol.text).sort(), ['FY-A-1', 'FY-B-2']);
  assert.deepEqual(await findQrCodes(page([]), 'thorough'), []);
});

test('fast mode stops at a top-corner hit; thorough still finds a second code below', async () => {
  const image = page([{ text: 'FY-TOP-1', placement: 'top-right', sizeMm: 22 }, { text: 'FY-BOTTOM-2', placement: 'bottom-right', sizeMm: 22 }]);
  assert.deepEqual((await findQrCodes(image, 'fast')).map((symbol) => symbol.text), ['FY-TOP-1']);
  assert.equal((await findQrCodes(image, 'thorough')).length, 2);
  const band = cropGray(image, { x: 0, y: 0, w: image.width, h: Math.round(image.height * 0.3) });
  assert.deepEqual((await findTopCornerCodes(band)).map((symbol) => symbol.text), ['FY-TOP-1']);
});

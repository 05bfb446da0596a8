import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findQrCodes } from '../../../../electron/core/qr/find-qr-codes.js';
import type { GrayImage } from '../../../../electron/core/document/gray-image.js';
import { measureSymbol, quietZoneCap } from '../../../../electron/core/qr/measure-symbol.js';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';

async function measured(image: GrayImage) {
  const [symbol] = await findQrCodes(image, 'thorough');
  assert.ok(symbol, 'symbol found');
  return measureSymbol(image, symbol.corners, symbol.version);
}

test('module size in raster pixels matches the printed size', async () => {
  // 22 mm, version 1 (21 modules), 300 dpi: 22 / 21 mm = 12.37 px per module.
  const result = await measured(renderCoverRaster({ dpi: 300, qrs: [{ text: 'FY-1', placement: 'top-right', sizeMm: 22 }] }));
  assert.equal(result.modules, 21);
  assert.ok(Math.abs(result.modulePxRaster - ((22 / 21) * 300) / 25.4) < 0.25, String(result.modulePxRaster));
  assert.equal(result.quietZoneModules, quietZoneCap);
  assert.ok(result.contrast > 0.95);
});

test('text printed close to the symbol shrinks the measured quiet zone', async () => {
  const image = renderCoverRaster({ dpi: 200, qrs: [{ text: 'FY-1', placement: 'top-right', sizeMm: 21 }] });
  // A rule 2 modules left of the symbol (module = 1 mm = 7.87 px at 200 dpi).
  const pxPerMm = 200 / 25.4;
  const symbolLeft = Math.round((210 - 12 - 21) * pxPerMm);
  const ruleX = symbolLeft - Math.round(2.5 * pxPerMm);
  for (let y = Math.round(12 * pxPerMm); y < Math.round(33 * pxPerMm); y += 1) image.data.fill(0, y * image.width + ruleX, y * image.width + ruleX + 3);
  const result = await measured(image);
  assert.equal(result.quietZoneModules, 2);
});

test('pale printing lowers the contrast figure', async () => {
  const image = renderCoverRaster({ dpi: 200, qrs: [{ text: 'FY-1', placement: 'top-right', sizeMm: 22 }] });
  for (let i = 0; i < image.data.length; i += 1) if (image.data[i] === 0) image.data[i] = 170;
  const result = await measured(image);
  assert.ok(result.contrast < 0.35 && result.contrast > 0.2, String(result.contrast));
});

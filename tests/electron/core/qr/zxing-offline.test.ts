import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';

test('ZXing loads from the installed package and never touches the network', async () => {
  const calls: string[] = [];
  const realFetch = globalThis.fetch;
  // Any fetch at all (zxing-wasm's default is a CDN) fails this test.
  globalThis.fetch = (async (input: unknown) => {
    calls.push(String(input));
    throw new Error('network is off in this test');
  }) as typeof fetch;
  try {
    const { readQrWithZxing } = await import('../../../../electron/core/qr/zxing-reader.js');
    const page = renderCoverRaster({ dpi: 150, qrs: [{ text: 'FY-OFFLINE-1', placement: 'top-right', sizeMm: 22 }] });
    const found = await readQrWithZxing(page);
    assert.deepEqual(found.map((symbol) => symbol.text), ['FY-OFFLINE-1']);
    assert.deepEqual(calls, []);
  } finally {
    globalThis.fetch = realFetch;
  }
});

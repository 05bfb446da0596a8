import { grayToRgba, type GrayImage } from '../document/gray-image.js';
import type { ZxingSymbol } from './zxing-reader.js';

type JsQr = typeof import('jsqr').default;
let loaded: Promise<JsQr> | undefined;

/**
 * jsQR, loaded on first use: only pages where ZXing found nothing reach it, and loading it with
 * every process and page reader cost each of them about 25 ms of start-up (issue 26).
 */
function loadJsqr(): Promise<JsQr> {
  // jsqr is CommonJS with `exports.default`; under Node's ESM interop the function sits on `.default`.
  loaded ??= import('jsqr').then((module) => module.default as unknown as { default?: JsQr }).then((module) => module.default ?? (module as unknown as JsQr));
  return loaded;
}

/** jsQR as a second opinion on a crop: one symbol at most, same shape as ZXing's results. */
export async function readQrWithJsqr(image: GrayImage): Promise<ZxingSymbol[]> {
  if (image.width < 21 || image.height < 21) return [];
  const jsQR = await loadJsqr();
  const found = jsQR(grayToRgba(image), image.width, image.height, { inversionAttempts: 'dontInvert' });
  if (!found) return [];
  const { topLeftCorner, topRightCorner, bottomRightCorner, bottomLeftCorner } = found.location;
  return [
    {
      text: found.data,
      bytes: Uint8Array.from(found.binaryData),
      corners: [topLeftCorner, topRightCorner, bottomRightCorner, bottomLeftCorner].map((point) => ({ x: point.x, y: point.y })),
      version: found.version,
      ecLevel: '',
    },
  ];
}

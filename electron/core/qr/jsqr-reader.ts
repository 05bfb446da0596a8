import { grayToRgba, type GrayImage } from '../document/gray-image.js';
import type { ZxingSymbol } from './zxing-reader.js';

type JsQr = typeof import('jsqr').default;
let loaded: Promise<JsQr> | undefined;

/**
 * jsQR, loaded on first use: only pages where ZXing found nothing reach it, and loading it with
 * every process and page reader cost each of them about 25 ms of start-up (issue 26).
 */
function loadJsqr(): Promise<JsQr> {
  // jsqr is CommonJS with `exports.default`: Node's ESM interop gives the exports object as the
  // default (the function on its `.default`), a bundler may give the function itself.
  loaded ??= import('jsqr').then(({ default: exported }) => {
    const found = exported as unknown as JsQr | { default: JsQr };
    return typeof found === 'function' ? found : found.default;
  });
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

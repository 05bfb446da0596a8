import jsQRModule from 'jsqr';
import { grayToRgba, type GrayImage } from '../document/gray-image.js';
import type { ZxingSymbol } from './zxing-reader.js';

// jsqr is CommonJS with `exports.default`; under Node's ESM interop the function sits on `.default`.
const jsQR = jsQRModule.default;

/** jsQR as a second opinion on a crop: one symbol at most, same shape as ZXing's results. */
export function readQrWithJsqr(image: GrayImage): ZxingSymbol[] {
  if (image.width < 21 || image.height < 21) return [];
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

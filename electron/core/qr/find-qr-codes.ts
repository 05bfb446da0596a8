import { cropGray, type GrayImage, type PixelRect } from './gray-image.js';
import { readQrWithJsqr } from './jsqr-reader.js';
import { readQrWithZxing, type ZxingSymbol } from './zxing-reader.js';

/** Which decoder found a symbol. */
export type QrEngine = 'zxing' | 'jsqr';

/** A symbol in page pixel coordinates. */
export interface FoundQr extends ZxingSymbol {
  engine: QrEngine;
}

/**
 * `fast` stops as soon as the top band holds a code (the scan desk's case: covers carry it there);
 * `thorough` always searches the whole page too, so a second code anywhere is reported.
 */
export type SearchMode = 'fast' | 'thorough';

/** Share of the page height searched first. */
export const topBandShare = 0.3;

function cornerRects(width: number, height: number): Record<'top-right' | 'top-left', PixelRect> {
  const w = Math.ceil(width * 0.55);
  const h = Math.ceil(height * topBandShare);
  return {
    'top-right': { x: width - w, y: 0, w, h },
    'top-left': { x: 0, y: 0, w, h },
  };
}

function shift(symbols: ZxingSymbol[], rect: PixelRect, engine: QrEngine): FoundQr[] {
  return symbols.map((symbol) => ({ ...symbol, engine, corners: symbol.corners.map((point) => ({ x: point.x + rect.x, y: point.y + rect.y })) }));
}

/** The centre of a symbol's bounding box. */
export function symbolCentre(symbol: ZxingSymbol): { x: number; y: number } {
  const xs = symbol.corners.map((point) => point.x);
  const ys = symbol.corners.map((point) => point.y);
  return { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
}

/** Merges results of overlapping searches: the same text at (nearly) the same place is one symbol. */
function addUnique(into: FoundQr[], found: FoundQr[]): void {
  for (const symbol of found) {
    const c = symbolCentre(symbol);
    const size = Math.hypot(symbol.corners[1]!.x - symbol.corners[0]!.x, symbol.corners[1]!.y - symbol.corners[0]!.y);
    const duplicate = into.some((other) => {
      const o = symbolCentre(other);
      return other.text === symbol.text && Math.hypot(o.x - c.x, o.y - c.y) < size / 2;
    });
    if (!duplicate) into.push(symbol);
  }
}

/**
 * Searches the page's top band (both corners at once, in one ZXing call: cheaper than two
 * overlapping halves, and a cover code beside an invoice QR is never hidden behind it). The scan
 * desk's fast path: covers carry their code there. Symbols on the right come first.
 */
export async function findTopCornerCodes(band: GrayImage): Promise<FoundQr[]> {
  const found = shift(await readQrWithZxing(band), { x: 0, y: 0, w: band.width, h: band.height }, 'zxing');
  return found.sort((a, b) => symbolCentre(b).x - symbolCentre(a).x);
}

/**
 * Finds every QR on a page: top-right then top-left crops first (small, fast), then the whole page
 * (so a centred or bottom code is reported as misplaced rather than missing), then the top-corner
 * crops again with jsQR when ZXing found nothing at all.
 */
export async function findQrCodes(page: GrayImage, mode: SearchMode = 'thorough'): Promise<FoundQr[]> {
  const found: FoundQr[] = [];
  const corners = cornerRects(page.width, page.height);
  for (const corner of ['top-right', 'top-left'] as const) {
    const rect = corners[corner];
    addUnique(found, shift(await readQrWithZxing(cropGray(page, rect)), rect, 'zxing'));
    if (mode === 'fast' && found.length > 0) return found;
  }
  addUnique(found, shift(await readQrWithZxing(page), { x: 0, y: 0, w: page.width, h: page.height }, 'zxing'));
  if (found.length > 0) return found;
  // jsQR's second opinion goes where a cover code belongs; ZXing has already searched the whole page.
  for (const corner of ['top-right', 'top-left'] as const) {
    const rect = corners[corner];
    addUnique(found, shift(readQrWithJsqr(cropGray(page, rect)), rect, 'jsqr'));
  }
  return found;
}

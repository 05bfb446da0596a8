import { cropGray, shrinkGray, type GrayImage, type PixelRect } from '../document/gray-image.js';
import { readQrWithJsqr } from './jsqr-reader.js';
import { readQrWithZxing, readQrWithZxingReportingFailures, type ReaderOverrides, type UnreadableSymbol, type ZxingSymbol } from './zxing-reader.js';

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
export function symbolCentre(symbol: Pick<ZxingSymbol, 'corners'>): { x: number; y: number } {
  const xs = symbol.corners.map((point) => point.x);
  const ys = symbol.corners.map((point) => point.y);
  return { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
}

/** Merges results of overlapping searches: the same text at (nearly) the same place is one symbol. */
export function addUnique<T extends ZxingSymbol>(into: T[], found: T[]): void {
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

/** What a search of a page's top band saw. */
export interface TopBandRead {
  /** Decoded symbols, those on the right first. */
  found: FoundQr[];
  /** QR symbols located in the band that no read could decode (none where a decoded symbol sits). */
  unreadable: UnreadableSymbol[];
}

/** How a top band is searched when a symbol there was located but not decoded. */
export interface TopBandOptions {
  /**
   * The same band decoded exactly, when the band given may carry decoder errors (libjpeg-turbo's
   * fast IDCT turns whole 8 × 8 blocks of a sharp QR to their negative now and then); null when
   * the band given is already exact.
   */
  exactBand?: () => Promise<GrayImage | null>;
  /** Time the recall fallbacks may take (ms, default 1500). */
  fallbackBudgetMs?: number;
}

/**
 * Searches the page's top band as `findTopCornerCodes` does, and when a QR symbol there is located
 * but not decoded, tries what `check` would: the band decoded exactly, then the recall fallbacks,
 * until no located symbol is left unexplained. Normal pages (a code read at once, or no symbol at
 * all) cost one ZXing call, as before. What stays unreadable is reported, so a cover whose QR is
 * damaged is never taken for content.
 */
export async function readTopBand(band: GrayImage, options: TopBandOptions = {}): Promise<TopBandRead> {
  const whole = { x: 0, y: 0, w: band.width, h: band.height };
  const first = await readQrWithZxingReportingFailures(band);
  const found = shift(first.symbols, whole, 'zxing');
  const unexplained = () => first.unreadable.filter((failed) => !found.some((symbol) => containsPoint(symbol.corners, symbolCentre(failed))));
  if (first.unreadable.length > 0) {
    // A located symbol hides one ZXing would decode from a smaller copy: read again without the report.
    const exact = (await options.exactBand?.()) ?? band;
    addUnique(found, shift(await readQrWithZxing(exact), whole, 'zxing'));
    if (unexplained().length > 0) await tryFallbacks(exact, null, found, { fallbackBudgetMs: options.fallbackBudgetMs }, () => unexplained().length === 0);
  }
  return { found: found.sort((a, b) => symbolCentre(b).x - symbolCentre(a).x), unreadable: unexplained() };
}

/** Whether a point lies inside the bounding box of a symbol's corners. */
function containsPoint(corners: Array<{ x: number; y: number }>, point: { x: number; y: number }): boolean {
  const xs = corners.map((corner) => corner.x);
  const ys = corners.map((corner) => corner.y);
  return point.x >= Math.min(...xs) && point.x <= Math.max(...xs) && point.y >= Math.min(...ys) && point.y <= Math.max(...ys);
}

/** How hard a search tries when its first passes find nothing it wants. */
export interface FindOptions {
  /** Whether a decoded text is what the caller looks for (a valid cover code); without it, any symbol will do. */
  wanted?: (text: string) => boolean;
  /** Time the recall fallbacks may take on one page (ms, default 1500): normal pages never reach them. */
  fallbackBudgetMs?: number;
}

/**
 * What ZXing offers beyond its first pass, likeliest first: the global-histogram binarizer with
 * inverted symbols (grey on grey under uneven light; a negative label, a dark-mode screen), finer
 * downscale steps (moiré from a photographed screen, a slanted symbol read smaller), then the
 * global-histogram binarizer with denoising at full resolution. Three tries read on our hard-symbol
 * fixtures what five did (inverted, plain-binarizer and denoise-only tries added nothing).
 */
const fallbacks: Array<{ name: string; half: boolean; overrides: ReaderOverrides }> = [
  { name: 'global-histogram', half: true, overrides: { binarizer: 'GlobalHistogram', tryInvert: true } },
  { name: 'downscale-fine', half: false, overrides: { downscaleFactor: 2, downscaleThreshold: 300 } },
  { name: 'global-histogram-denoise', half: false, overrides: { binarizer: 'GlobalHistogram', tryDenoise: true } },
];

/** Runs the fallbacks in order until one finds a wanted symbol (or `done` says so) or the page's budget is spent. */
async function tryFallbacks(page: GrayImage, half: GrayImage | null, found: FoundQr[], options: FindOptions, done?: () => boolean): Promise<void> {
  const deadline = performance.now() + (options.fallbackBudgetMs ?? 1500);
  const satisfied = done ?? (() => found.some((symbol) => !options.wanted || options.wanted(symbol.text)));
  for (const fallback of fallbacks) {
    if (performance.now() >= deadline || satisfied()) return;
    const image = fallback.half && half ? half : page;
    const symbols = await readQrWithZxing(image, fallback.overrides);
    addUnique(found, image === half ? scaleUp(symbols, 2) : shift(symbols, { x: 0, y: 0, w: page.width, h: page.height }, 'zxing'));
  }
}

/** Pages at least this wide (an A4 page from about 240 dpi up) are searched whole at half resolution first. */
export const halfScaleFromWidth = 2000;

/** Scales the corners of symbols found in an image shrunk by `factor` back to the page's pixels. */
function scaleUp(symbols: ZxingSymbol[], factor: number): FoundQr[] {
  return symbols.map((symbol) => ({ ...symbol, engine: 'zxing' as const, corners: symbol.corners.map((point) => ({ x: (point.x + 0.5) * factor - 0.5, y: (point.y + 0.5) * factor - 0.5 })) }));
}

/** The page's top rows as a view (no copy): the band where covers carry their code. */
function topRowsOf(page: GrayImage): GrayImage {
  const height = Math.max(1, Math.ceil(page.height * topBandShare));
  return { data: page.data.subarray(0, page.width * height), width: page.width, height };
}

/**
 * Finds every QR on a page, so a centred or bottom code is reported as misplaced rather than missing:
 * - a large page (a 300-dpi A4 scan) is searched whole at half resolution first — a quarter of the
 *   pixels, and a symbol worth reporting keeps 2.5+ pixels per module — and its top band again at full
 *   resolution only when symbols were found elsewhere but none there (a small cover code);
 * - a smaller page: the top band (both corners in one call), then the whole page, at full resolution;
 * - nothing at all: the whole page at full resolution, then jsQR over the top corners.
 * Symbols found at half resolution are measured on the full page by their corners. `fast` stops at
 * the first code in a top corner (top-right first).
 */
export async function findQrCodes(page: GrayImage, mode: SearchMode = 'thorough', options: FindOptions = {}): Promise<FoundQr[]> {
  const found: FoundQr[] = [];
  const band = topRowsOf(page);
  const searchBand = async () => addUnique(found, shift(await readQrWithZxing(band), { x: 0, y: 0, w: band.width, h: band.height }, 'zxing'));
  const large = page.width >= halfScaleFromWidth;
  if (mode === 'fast') {
    // Covers carry their code top-right (or top-left): the half of the band where it sits is enough.
    const corners = cornerRects(page.width, page.height);
    for (const corner of ['top-right', 'top-left'] as const) {
      addUnique(found, shift(await readQrWithZxing(cropGray(page, corners[corner])), corners[corner], 'zxing'));
      if (found.length > 0) return found;
    }
  } else if (!large) await searchBand();
  const half = large ? shrinkGray(page, 2) : null;
  if (half) {
    addUnique(found, scaleUp(await readQrWithZxing(half), 2));
    // A symbol elsewhere but none in the band: the band again at full resolution (a small cover code).
    // Nothing at all: the full-resolution whole page below searches the band as well.
    if (mode === 'thorough' && found.length > 0 && !found.some((symbol) => symbolCentre(symbol).y < band.height)) await searchBand();
  }
  if (!large || found.length === 0) addUnique(found, shift(await readQrWithZxing(page), { x: 0, y: 0, w: page.width, h: page.height }, 'zxing'));
  if (found.length > 0 && (!options.wanted || found.some((symbol) => options.wanted?.(symbol.text)))) return found;
  if (mode === 'thorough') await tryFallbacks(page, half, found, options);
  if (found.length > 0) return found;
  // jsQR's second opinion goes where a cover code belongs; ZXing has already searched the whole page.
  // On a large page it reads the half-resolution corners: a cover symbol keeps 5+ pixels per module
  // there, and jsQR's cost grows with the pixels it binarizes.
  const source = half ?? page;
  const corners = cornerRects(source.width, source.height);
  for (const corner of ['top-right', 'top-left'] as const) {
    const rect = corners[corner];
    const symbols = await readQrWithJsqr(cropGray(source, rect));
    addUnique(found, half ? scaleUp(shift(symbols, rect, 'jsqr'), 2).map((symbol) => ({ ...symbol, engine: 'jsqr' as const })) : shift(symbols, rect, 'jsqr'));
  }
  return found;
}

import { classifyPayload, describePayload, type ImageCodeRules } from '../cover/image-code-rules.js';
import type { OpenedDocument, PageRaster } from '../intake/read-document.js';
import { findTopCornerCodes, topBandShare } from '../qr/find-qr-codes.js';
import { cropGray, type GrayImage } from '../qr/gray-image.js';
import { readQrWithZxing, type ZxingSymbol } from '../qr/zxing-reader.js';
import type { PageKind } from './split-stack.js';

/** How pages are judged for splitting. */
export interface ClassifyOptions {
  rules: ImageCodeRules;
  /**
   * A page is blank when less than this share of its area (margins ignored) is ink. Conservative by
   * default: a page with a signature or a stamp is never blank.
   */
  blankInkShare: number;
}

/** Defaults: a page is blank under 0.3 % ink. */
export const defaultBlankInkShare = 0.003;

/** What a symbol in a cover's place says: a cover, a suspect cover, or nothing to split on. */
function judge(symbols: ZxingSymbol[], rules: ImageCodeRules, turned: boolean): PageKind | null {
  let suspect: PageKind | null = null;
  for (const symbol of symbols) {
    const { kind } = classifyPayload(symbol.text, rules);
    // A VAT invoice QR never starts a bill.
    if (kind === 'invoice') continue;
    if (kind === 'cover') {
      if (rules.expected && !rules.expected.has(symbol.text)) suspect ??= { kind: 'suspect', reason: 'unknown-code', payload: describePayload(symbol.text) };
      else return { kind: 'cover', code: symbol.text, turned };
    } else suspect ??= { kind: 'suspect', reason: 'invalid-code', payload: describePayload(symbol.text) };
  }
  return suspect;
}

/** Whether a symbol stands on its head: its top-left finder corner is below its centre. */
function isUpsideDown(symbol: ZxingSymbol): boolean {
  const ys = symbol.corners.map((point) => point.y);
  const centreY = (Math.min(...ys) + Math.max(...ys)) / 2;
  return (symbol.corners[0]?.y ?? 0) > centreY;
}

/**
 * Share of dark pixels inside the margins, sampled on a grid: the ink coverage that tells a blank
 * back from a page (scanner noise and faint show-through stay under the threshold).
 */
export function inkShare(image: GrayImage, marginShare = 0.06): number {
  const x0 = Math.floor(image.width * marginShare);
  const x1 = Math.ceil(image.width * (1 - marginShare));
  const y0 = Math.floor(image.height * marginShare);
  const y1 = Math.ceil(image.height * (1 - marginShare));
  const step = Math.max(1, Math.round(image.width / 600));
  let dark = 0;
  let total = 0;
  for (let y = y0; y < y1; y += step) {
    const row = y * image.width;
    for (let x = x0; x < x1; x += step) {
      total += 1;
      if ((image.data[row + x] ?? 255) < 128) dark += 1;
    }
  }
  return total === 0 ? 0 : dark / total;
}

/**
 * Classifies one scanned page for splitting. The top band is decoded first and searched in its two
 * corners (the cover's place); only when that finds no cover is the whole page read, its bottom
 * corners searched for a cover fed upside down, and its ink measured for a blank back.
 */
export async function classifyScannedPage(document: OpenedDocument, index: number, options: ClassifyOptions): Promise<PageKind> {
  return (await readAndClassifyPage(document, index, options)).what;
}

/**
 * The same, also handing back the whole page when the check had to read it, so a caller that
 * stores pages (the spool) does not decode it a second time.
 */
export async function readAndClassifyPage(document: OpenedDocument, index: number, options: ClassifyOptions): Promise<{ what: PageKind; page: PageRaster | null }> {
  const band = await document.readPage(index, { topShare: topBandShare });
  const top = judge(await findTopCornerCodes(band.image), options.rules, false);
  if (top) return { what: top, page: null };
  const page = band.coverage >= 1 ? band : await document.readPage(index);
  return { what: await judgeWholePage(page, options), page };
}

async function judgeWholePage(page: PageRaster, options: ClassifyOptions): Promise<PageKind> {
  const { width, height } = page.image;
  const w = Math.ceil(width * 0.55);
  const h = Math.ceil(height * topBandShare);
  for (const rect of [{ x: 0, y: height - h, w, h }, { x: width - w, y: height - h, w, h }]) {
    const symbols = await readQrWithZxing(cropGray(page.image, rect));
    if (symbols.length === 0) continue;
    const upsideDown = symbols.filter(isUpsideDown);
    const turned = judge(upsideDown, options.rules, true);
    if (turned) return turned;
    // An upright code at the bottom is not a cover fed upside down: a person decides.
    const upright = judge(symbols.filter((symbol) => !isUpsideDown(symbol)), options.rules, false);
    if (upright?.kind === 'cover') return { kind: 'suspect', reason: 'bottom-corner', payload: describePayload(upright.code) };
  }
  return inkShare(page.image) < options.blankInkShare ? { kind: 'blank' } : { kind: 'content' };
}

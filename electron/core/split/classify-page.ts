import { classifyPayload, describePayload, type ImageCodeRules } from '../codes/image-code-rules.js';
import { overviewOf } from '../document/page-overview.js';
import type { OpenedDocument, PageOverview, PageRaster } from '../document/opened-document.js';
import { addUnique, readTopBand, symbolCentre, topBandShare } from '../qr/find-qr-codes.js';
import { cropGray, type GrayImage, type PixelRect } from '../document/gray-image.js';
import { readQrWithZxing, type UnreadableSymbol, type ZxingSymbol } from '../qr/zxing-reader.js';
import type { PageKind } from './split-stack.js';

/** How pages are judged for splitting. */
export interface ClassifyOptions {
  rules: ImageCodeRules;
  /**
   * A page is blank when less than this share of its area (margins ignored) is content: marks that
   * stand out from the page's own paper (`inkShare`), whatever its colour. Conservative by default:
   * a page with a signature or a stamp is never blank.
   */
  blankInkShare: number;
}

/** Defaults: a page is blank under 0.3 % content. */
export const defaultBlankInkShare = 0.003;

/** What a symbol in a cover's place says: a cover, a suspect cover, or nothing to split on. */
function judge(symbols: ZxingSymbol[], rules: ImageCodeRules, turned: boolean): { what: PageKind; symbol: ZxingSymbol } | null {
  let suspect: { what: PageKind; symbol: ZxingSymbol } | null = null;
  // A code longer than the ERP's 50 characters is named as such: no rule change makes it one the ERP can match.
  for (const symbol of symbols) {
    const { kind, defects } = classifyPayload(symbol.text, rules);
    // A VAT invoice QR never starts a bill.
    if (kind === 'invoice') continue;
    if (kind === 'cover') {
      if (rules.expected && !rules.expected.has(symbol.text)) suspect ??= { what: { kind: 'suspect', reason: 'unknown-code', payload: describePayload(symbol.text) }, symbol };
      else return { what: { kind: 'cover', code: symbol.text, turned }, symbol };
    } else suspect ??= { what: { kind: 'suspect', reason: defects.includes('too-long') ? 'code-too-long' : 'invalid-code', payload: describePayload(symbol.text) }, symbol };
  }
  return suspect;
}

/** Whether a symbol stands on its head: its top-left finder corner is below its centre. */
function isUpsideDown(symbol: ZxingSymbol): boolean {
  const ys = symbol.corners.map((point) => point.y);
  const centreY = (Math.min(...ys) + Math.max(...ys)) / 2;
  return (symbol.corners[0]?.y ?? 0) > centreY;
}

/** The paper's gray level: the brightest common level of a page (a high percentile). */
function paperLevel(image: GrayImage): number {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < image.data.length; i += 1) histogram[image.data[i] as number] = (histogram[image.data[i] as number] as number) + 1;
  let seen = 0;
  for (let level = 255; level >= 0; level -= 1) {
    seen += histogram[level] as number;
    if (seen >= image.data.length * 0.25) return level;
  }
  return 255;
}

/** A pixel is ink when it is this much darker than the paper: faint show-through is not (the bottom-corner QR shape test). */
const inkContrast = 60;

/**
 * The least a mark must stand out from the paper around it to be content, in gray levels of the
 * overview (block means, so a pencil stroke or a thin printed line is averaged lighter than drawn,
 * and scanner noise, paper fibres and JPEG ringing are averaged away).
 */
const minContentContrast = 14;

/** How many times the overview's own noise (robust sigma) a mark must stand out, when that is more. */
const noiseContrast = 4;

/** The neighbourhood a pixel's own paper is read from: about this many mm each way. */
const paperRadiusMm = 1;

/**
 * Share of the page (margins ignored) that is content, judged against the page's own paper: a pixel
 * counts when it is darker than the brightest pixel around it (its local paper, about 2 mm across)
 * by a contrast margin that grows with the overview's noise, or darker than the whole page's paper
 * by a wide margin (a solid dark block, whose inside has no paper around it). So dark-grey or pink
 * stock with its print, and faint pencil on white, are content; a white or recycled-grey back with
 * its texture, specks, slow shading and edge shadow is not. One pass for the noise, one separable
 * 3 × 3-ish max filter and one counting pass over the overview (about 0.14 Mpx at 300 dpi).
 */
export function inkShare(image: GrayImage, dpi: number, marginShare = 0.06): number {
  const { width, data } = image;
  const x0 = Math.floor(width * marginShare);
  const x1 = Math.ceil(width * (1 - marginShare));
  const y0 = Math.floor(image.height * marginShare);
  const y1 = Math.ceil(image.height * (1 - marginShare));
  const w = x1 - x0;
  const h = y1 - y0;
  if (w <= 2 || h <= 2) return 0;
  const r = Math.max(1, Math.round((paperRadiusMm * dpi) / 25.4));
  // One pass: the levels (for the paper), the steps between horizontal neighbours (for the noise:
  // paper dominates any page, so ink edges do not move their median) and each pixel's brightest
  // neighbour along its row (the first half of the local paper).
  const levels = new Uint32Array(256);
  const steps = new Uint32Array(256);
  const across = new Uint8Array(w * h);
  let sampled = 0;
  for (let y = 0; y < h; y += 1) {
    const row = (y + y0) * width + x0;
    const out = y * w;
    // Every fourth row is plenty for the two histograms.
    if ((y & 3) === 0) {
      let previous = data[row] as number;
      for (let x = 0; x < w; x += 1) {
        const value = data[row + x] as number;
        levels[value] = (levels[value] as number) + 1;
        const step = value > previous ? value - previous : previous - value;
        steps[step] = (steps[step] as number) + 1;
        previous = value;
      }
      sampled += w;
    }
    if (r === 1) {
      // The common case (overviews of 100–300 dpi scans): a sliding max of three.
      let left = data[row] as number;
      let middle = left;
      for (let x = 0; x < w; x += 1) {
        const right = x + 1 < w ? (data[row + x + 1] as number) : middle;
        across[out + x] = max3(left, middle, right);
        left = middle;
        middle = right;
      }
      continue;
    }
    for (let x = 0; x < w; x += 1) {
      let best = 0;
      const to = x + r < w ? x + r : w - 1;
      for (let k = x - r > 0 ? x - r : 0; k <= to; k += 1) {
        const candidate = data[row + k] as number;
        if (candidate > best) best = candidate;
      }
      across[out + x] = best;
    }
  }
  const total = w * h;
  // (Each sampled row's first step is against itself: a zero that is no step.)
  const sampledRows = Math.ceil(h / 4);
  let median = 0;
  for (let seen = (steps[0] as number) - sampledRows; seen * 2 < sampled - sampledRows && median < 255; ) seen += steps[++median] as number;
  // A neighbour difference has twice a pixel's variance; 1.4826 × MAD is sigma for Gaussian noise.
  const margin = Math.max(minContentContrast, Math.ceil((noiseContrast * 1.4826 * median) / Math.SQRT2));
  let paper = 255;
  for (let seen = levels[255] as number; seen * 4 < sampled && paper > 0; ) seen += levels[--paper] as number;
  const solid = paper - Math.max(4 * margin, 48);
  // Each pixel's contrast against its local paper (the column pass of the max filter), 255 inside a solid dark block.
  const contrast = new Uint8Array(total);
  for (let y = 0; y < h; y += 1) {
    const from = y - r > 0 ? y - r : 0;
    const to = y + r < h ? y + r : h - 1;
    const row = (y + y0) * width + x0;
    for (let x = 0; x < w; x += 1) {
      const value = data[row + x] as number;
      if (value < solid) {
        contrast[y * w + x] = 255;
        continue;
      }
      let local = value;
      if (r === 1) {
        // The common case: the brightest of the three rows' row-maxima, without a loop. (A row-max
        // is never darker than the pixel itself, so the pixel need not take part.)
        local = max3(across[from * w + x] as number, across[y * w + x] as number, across[to * w + x] as number);
      } else {
        for (let k = from; k <= to; k += 1) {
          const candidate = across[k * w + x] as number;
          if (candidate > local) local = candidate;
        }
      }
      contrast[y * w + x] = local - value;
    }
  }
  // A mark is content when a neighbour stands out too (at half the margin): strokes and print are
  // connected, a lone speck of recycled pulp or a noise peak is not.
  const half = margin >> 1;
  let dark = 0;
  for (let y = 0; y < h; y += 1) {
    const up = y > 0 ? -w : 0;
    const down = y < h - 1 ? w : 0;
    for (let x = 0; x < w; x += 1) {
      const at = y * w + x;
      if ((contrast[at] as number) < margin) continue;
      const left = x > 0 ? -1 : 0;
      const right = x < w - 1 ? 1 : 0;
      if (
        (contrast[at + left] as number) >= half && left !== 0 ||
        (contrast[at + right] as number) >= half && right !== 0 ||
        (up !== 0 && ((contrast[at + up] as number) >= half || (contrast[at + up + left] as number) >= half || (contrast[at + up + right] as number) >= half)) ||
        (down !== 0 && ((contrast[at + down] as number) >= half || (contrast[at + down + left] as number) >= half || (contrast[at + down + right] as number) >= half))
      )
        dark += 1;
    }
  }
  return dark / total;
}

/**
 * The largest of three gray levels, without a branch: on scanned paper which neighbour is brightest
 * is noise, and a mispredicted branch per comparison was most of the ink measure's time.
 */
function max3(a: number, b: number, c: number): number {
  const ab = a - ((a - b) & ((a - b) >> 31));
  return ab - ((ab - c) & ((ab - c) >> 31));
}

/**
 * The patches in the bottom corners of the overview shaped like a QR symbol: compact, dense,
 * roughly square patches of ink (5–80 mm a side) with paper around them, as the quiet zone
 * guarantees, in overview pixels. Text lines, signatures and seals are long, sparse or thin and do
 * not qualify; a solid logo or a short stub of text does, and only costs a read around it. Only
 * where one stands is the page searched for a cover fed upside down: decoding every page whole was
 * the slow path, and searching the whole bottom band for each stub of text the next one.
 */
export function findQrShapesInBottomCorners(overview: PageOverview): PixelRect[] {
  const shapes: PixelRect[] = [];
  const { image, dpi } = overview;
  const threshold = Math.min(200, paperLevel(image) - inkContrast / 2);
  const zoneWidth = Math.ceil(image.width * 0.45);
  const zoneHeight = Math.ceil(image.height * 0.35);
  const mmPerPixel = 25.4 / dpi;
  for (const x0 of [0, image.width - zoneWidth]) {
    const y0 = image.height - zoneHeight;
    // Ink mask, grown by one pixel (a 3 × 3 dilation, as a row pass and a column pass) so a symbol's
    // modules join into one patch.
    const inRow = new Uint8Array(zoneWidth * zoneHeight);
    for (let y = 0; y < zoneHeight; y += 1) {
      const from = (y0 + y) * image.width + x0;
      const out = y * zoneWidth;
      for (let x = 0; x < zoneWidth; x += 1) {
        if ((image.data[from + x] as number) >= threshold) continue;
        inRow[out + x] = 1;
        if (x > 0) inRow[out + x - 1] = 1;
        if (x < zoneWidth - 1) inRow[out + x + 1] = 1;
      }
    }
    const ink = new Uint8Array(zoneWidth * zoneHeight);
    for (let y = 0; y < zoneHeight; y += 1) {
      const out = y * zoneWidth;
      const up = y > 0 ? out - zoneWidth : out;
      const down = y < zoneHeight - 1 ? out + zoneWidth : out;
      for (let x = 0; x < zoneWidth; x += 1) ink[out + x] = (inRow[up + x] as number) | (inRow[out + x] as number) | (inRow[down + x] as number);
    }
    const seen = new Uint8Array(ink.length);
    const queue = new Int32Array(ink.length);
    for (let start = 0; start < ink.length; start += 1) {
      if (!ink[start] || seen[start]) continue;
      let head = 0;
      let tail = 0;
      queue[tail++] = start;
      seen[start] = 1;
      let minX = zoneWidth;
      let maxX = 0;
      let minY = zoneHeight;
      let maxY = 0;
      let count = 0;
      while (head < tail) {
        const at = queue[head++] as number;
        const x = at % zoneWidth;
        const y = (at - x) / zoneWidth;
        count += 1;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        // The four neighbours, left and right only within the row (no array per pixel: this runs for every ink pixel).
        if (x > 0 && ink[at - 1] && !seen[at - 1]) {
          seen[at - 1] = 1;
          queue[tail++] = at - 1;
        }
        if (x < zoneWidth - 1 && ink[at + 1] && !seen[at + 1]) {
          seen[at + 1] = 1;
          queue[tail++] = at + 1;
        }
        if (y > 0 && ink[at - zoneWidth] && !seen[at - zoneWidth]) {
          seen[at - zoneWidth] = 1;
          queue[tail++] = at - zoneWidth;
        }
        if (y < zoneHeight - 1 && ink[at + zoneWidth] && !seen[at + zoneWidth]) {
          seen[at + zoneWidth] = 1;
          queue[tail++] = at + zoneWidth;
        }
      }
      const widthMm = (maxX - minX + 1) * mmPerPixel;
      const heightMm = (maxY - minY + 1) * mmPerPixel;
      const aspect = widthMm / heightMm;
      const fill = count / ((maxX - minX + 1) * (maxY - minY + 1));
      if (widthMm >= 5 && heightMm >= 5 && widthMm <= 80 && heightMm <= 80 && aspect > 0.6 && aspect < 1.6 && fill > 0.45) shapes.push({ x: x0 + minX, y: y0 + minY, w: maxX - minX + 1, h: maxY - minY + 1 });
    }
  }
  return shapes;
}

/**
 * What was seen on a page, before any rule is applied: symbols in the top corners, symbols in the
 * bottom corners (left, right) when the page had to be read whole for them, and the ink coverage.
 * Workers gather it (they know no rules); the split judges it.
 */
export interface PageEvidence {
  top: ZxingSymbol[];
  /** QR symbols located in the top band that no read could decode (a damaged cover, say). */
  unreadableTop: UnreadableSymbol[];
  bottom: ZxingSymbol[][] | null;
  ink: number;
  /** The page's full size in pixels (symbol corners are in these coordinates). */
  size: { width: number; height: number };
}

/** The reads evidence is gathered from; each is made at most once. */
export interface PageReads {
  /** The top band at full resolution (may be the whole page when that is all a format offers). */
  band(): Promise<PageRaster>;
  /**
   * The top band decoded exactly, when `band` comes from a fast decoder that can get pixels wrong;
   * null when it is exact already. Read only for a band holding a QR that did not decode.
   */
  exactBand(): Promise<PageRaster | null>;
  overview(): Promise<PageOverview>;
  whole(): Promise<PageRaster>;
}

/**
 * Gathers a page's evidence. The top band is always decoded at full resolution and its two
 * corners searched (the cover's place: no shortcut here); the overview gives the ink. A page with
 * no QR at the top whose overview shows QR-shaped patches in a bottom corner is decoded whole, and
 * the page around each patch searched for a cover fed upside down. A page with a QR at the top (an
 * invoice) is upright and is not. A page read whole anyway (a small image) has its bottom band
 * searched whatever its overview shows.
 */
export async function gatherPageEvidence(reads: PageReads): Promise<{ evidence: PageEvidence; overview: PageOverview; whole: PageRaster | null }> {
  const band = await reads.band();
  const { found: top, unreadable: unreadableTop } = await readTopBand(band.image, { exactBand: async () => (await reads.exactBand())?.image ?? null });
  const overview = await reads.overview();
  let whole = band.coverage >= 1 ? band : null;
  let bottom: ZxingSymbol[][] | null = null;
  if (top.length === 0) {
    const shapes = whole ? null : findQrShapesInBottomCorners(overview);
    if (!shapes || shapes.length > 0) {
      whole ??= await reads.whole();
      bottom = await readBottomCorners(whole, shapes && shapes.map((shape) => aroundShape(shape, overview, whole as PageRaster)));
    }
  }
  const size = { width: band.image.width, height: Math.round(band.image.height / band.coverage) };
  return { evidence: { top, unreadableTop, bottom, ink: inkShare(overview.image, overview.dpi), size }, overview, whole };
}

/** The least paper searched around a QR-shaped patch, each side (mm): a quiet zone and then some. */
const aroundShapeMinMm = 10;

/**
 * Where on the page a QR-shaped patch of the overview is searched: the patch, and as much again
 * each side (at least 10 mm), so a symbol the patch is only part of (ink that did not join into one
 * patch at 1/8 scale) and its quiet zone are inside.
 */
function aroundShape(shape: PixelRect, overview: PageOverview, page: PageRaster): PixelRect {
  const scaleX = page.image.width / overview.image.width;
  const scaleY = page.image.height / overview.image.height;
  const minPx = (aroundShapeMinMm * page.dpi) / 25.4;
  const padX = Math.max(shape.w * scaleX, minPx);
  const padY = Math.max(shape.h * scaleY, minPx);
  const x0 = Math.max(0, Math.floor(shape.x * scaleX - padX));
  const y0 = Math.max(0, Math.floor(shape.y * scaleY - padY));
  const x1 = Math.min(page.image.width, Math.ceil((shape.x + shape.w) * scaleX + padX));
  const y1 = Math.min(page.image.height, Math.ceil((shape.y + shape.h) * scaleY + padY));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * Symbols in the two bottom corners of a whole page (left, then right): from one search of its
 * bottom band, or, given regions, from a search of each (a symbol found in two that overlap counts once).
 */
async function readBottomCorners(page: PageRaster, regions: PixelRect[] | null): Promise<ZxingSymbol[][]> {
  const { width, height } = page.image;
  const h = Math.ceil(height * topBandShare);
  const searched = regions ?? [{ x: 0, y: height - h, w: width, h }];
  const symbols: ZxingSymbol[] = [];
  for (const region of searched) {
    const found = await readQrWithZxing(cropGray(page.image, region));
    addUnique(symbols, found.map((symbol) => ({ ...symbol, corners: symbol.corners.map((point) => ({ x: point.x + region.x, y: point.y + region.y })) })));
  }
  return [symbols.filter((symbol) => symbolCentre(symbol).x < width / 2), symbols.filter((symbol) => symbolCentre(symbol).x >= width / 2)];
}

/** A point as a share of the page's width and height (0–1), whatever the scan resolution. */
export interface PagePoint {
  x: number;
  y: number;
}

/**
 * Applies the station's rules to a page's evidence (cover, suspect cover, blank back or content),
 * with the corners of the QR the judgement rests on (as shares of the page), so the Scan desk can
 * draw the box on the cover's thumbnail; null for pages judged without a QR.
 */
export function judgeEvidenceWithQr(evidence: PageEvidence, options: ClassifyOptions): { what: PageKind; qr: PagePoint[] | null } {
  const located = (symbol: Pick<ZxingSymbol, 'corners'>) => symbol.corners.map((point) => ({ x: point.x / evidence.size.width, y: point.y / evidence.size.height }));
  const top = judge(evidence.top, options.rules, false);
  if (top) return { what: top.what, qr: located(top.symbol) };
  for (const symbols of evidence.bottom ?? []) {
    if (symbols.length === 0) continue;
    const turned = judge(symbols.filter(isUpsideDown), options.rules, true);
    if (turned) return { what: turned.what, qr: located(turned.symbol) };
    // An upright code at the bottom is not a cover fed upside down: a person decides.
    const upright = judge(symbols.filter((symbol) => !isUpsideDown(symbol)), options.rules, false);
    if (upright?.what.kind === 'cover') return { what: { kind: 'suspect', reason: 'bottom-corner', payload: describePayload(upright.what.code) }, qr: located(upright.symbol) };
  }
  // A QR in a cover's place that nothing could read may be a damaged cover: a person decides,
  // never the page before it (taken as content, its pages would go up under that bill's code).
  const unreadable = evidence.unreadableTop[0];
  if (unreadable) return { what: { kind: 'suspect', reason: 'unreadable-code', payload: '' }, qr: located(unreadable) };
  return { what: evidence.ink < options.blankInkShare ? { kind: 'blank' } : { kind: 'content' }, qr: null };
}

/** Reads of one page of an opened document, each made once. */
export function documentPageReads(document: OpenedDocument, index: number): PageReads {
  let band: Promise<PageRaster> | null = null;
  let whole: Promise<PageRaster> | null = null;
  return {
    band: () => (band ??= document.readPage(index, { topShare: topBandShare })),
    // Pages read through libjpeg-turbo's fast decoder are the ones `readEncoded` offers.
    exactBand: async () => (document.readEncoded ? document.readPage(index, { topShare: topBandShare, exact: true }) : null),
    whole: () => (whole ??= document.readPage(index)),
    overview: async () => {
      const read = await band;
      return read && read.coverage >= 1 ? overviewOf(read) : document.readOverview(index);
    },
  };
}

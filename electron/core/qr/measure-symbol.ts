import { otsuThreshold, type GrayImage } from '../document/gray-image.js';

/** Physical and print-quality facts about one symbol on one page. */
export interface SymbolMeasure {
  /** Axis-aligned box in page pixels. */
  boxPx: { x: number; y: number; w: number; h: number };
  /** Modules across (17 + 4·version), 0 when the version is unknown. */
  modules: number;
  /** Module size in pixels of this raster, 0 when unknown. */
  modulePxRaster: number;
  /** Clean light margin around the symbol, in modules (capped at `quietZoneCap`). */
  quietZoneModules: number;
  /** (light − dark) / 255 inside the symbol: 1 is perfect black on white. */
  contrast: number;
}

/** Beyond this many clean modules the quiet zone is simply "enough". */
export const quietZoneCap = 10;

/** Measures a symbol from its four corners on the page raster. */
export function measureSymbol(page: GrayImage, corners: Array<{ x: number; y: number }>, version: number): SymbolMeasure {
  const xs = corners.map((point) => point.x);
  const ys = corners.map((point) => point.y);
  const boxPx = { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
  const [tl, tr, , bl] = corners as [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }, { x: number; y: number }];
  // Side lengths along the symbol's own axes, so a rotated scan is not over-measured.
  const side = (Math.hypot(tr.x - tl.x, tr.y - tl.y) + Math.hypot(bl.x - tl.x, bl.y - tl.y)) / 2;
  const modules = version > 0 ? 17 + 4 * version : 0;
  const modulePxRaster = modules > 0 ? side / modules : 0;
  const threshold = otsuThreshold(page, boxPx);
  return {
    boxPx,
    modules,
    modulePxRaster,
    quietZoneModules: modulePxRaster > 0 ? measureQuietZone(page, boxPx, modulePxRaster, threshold) : 0,
    contrast: measureContrast(page, boxPx, threshold),
  };
}

/**
 * Walks outward from each side; a strip is clean when at most 1 % of its pixels are as dark as the
 * symbol's own threshold. The quiet zone is the smallest side's clear distance; the paper edge
 * ends a side (beyond it a scanner sees its own background).
 */
function measureQuietZone(page: GrayImage, box: { x: number; y: number; w: number; h: number }, modulePx: number, threshold: number): number {
  const darkShare = (x0: number, y0: number, x1: number, y1: number): number | null => {
    const ax = Math.max(0, Math.floor(x0));
    const ay = Math.max(0, Math.floor(y0));
    const bx = Math.min(page.width, Math.ceil(x1));
    const by = Math.min(page.height, Math.ceil(y1));
    if (bx - ax < 1 || by - ay < 1 || x0 < 0 || y0 < 0 || x1 > page.width || y1 > page.height) return null;
    let dark = 0;
    for (let y = ay; y < by; y += 1) {
      const row = y * page.width;
      for (let x = ax; x < bx; x += 1) if ((page.data[row + x] ?? 255) <= threshold) dark += 1;
    }
    return dark / ((bx - ax) * (by - ay));
  };
  // Each side: the strip from `at` to `at + width` modules away from the symbol.
  const sides = [
    (at: number, width: number) => darkShare(box.x, box.y - (at + width) * modulePx, box.x + box.w, box.y - at * modulePx),
    (at: number, width: number) => darkShare(box.x, box.y + box.h + at * modulePx, box.x + box.w, box.y + box.h + (at + width) * modulePx),
    (at: number, width: number) => darkShare(box.x - (at + width) * modulePx, box.y, box.x - at * modulePx, box.y + box.h),
    (at: number, width: number) => darkShare(box.x + box.w + at * modulePx, box.y, box.x + box.w + (at + width) * modulePx, box.y + box.h),
  ];
  // Quarter-module strips, from half a module out (corner detectors land up to that far inside the
  // ink on small or 1-bit symbols): the quiet zone is the distance to the first ink, in whole modules.
  const step = 0.25;
  let smallest = quietZoneCap;
  for (const strip of sides) {
    let offset = 0.5;
    while (offset < quietZoneCap) {
      const share = strip(offset, step);
      if (share === null || share > 0.01) break;
      offset += step;
    }
    smallest = Math.min(smallest, Math.floor(offset));
  }
  return smallest;
}

/** Mean of the light pixels minus mean of the dark pixels inside the symbol, over 255. */
function measureContrast(page: GrayImage, box: { x: number; y: number; w: number; h: number }, threshold: number): number {
  let lightSum = 0;
  let light = 0;
  let darkSum = 0;
  let dark = 0;
  for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(page.height, Math.ceil(box.y + box.h)); y += 1) {
    const row = y * page.width;
    for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(page.width, Math.ceil(box.x + box.w)); x += 1) {
      const value = page.data[row + x] ?? 255;
      if (value <= threshold) {
        darkSum += value;
        dark += 1;
      } else {
        lightSum += value;
        light += 1;
      }
    }
  }
  if (!dark || !light) return 0;
  return Math.round(((lightSum / light - darkSum / dark) / 255) * 100) / 100;
}

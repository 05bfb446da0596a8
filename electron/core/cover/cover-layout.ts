/** Paper sizes a cover can be printed on, in mm (portrait). */
export const paperSizes = { a4: { widthMm: 210, heightMm: 297 }, a5: { widthMm: 148, heightMm: 210 }, letter: { widthMm: 215.9, heightMm: 279.4 } } as const;

/** A paper size name. */
export type PaperName = keyof typeof paperSizes;

/** How covers are laid out. */
export interface CoverLayoutOptions {
  paper: PaperName;
  corner: 'top-right' | 'top-left';
  /** QR symbol size without the quiet zone. */
  sizeMm: number;
  ecLevel: 'M' | 'Q';
}

/** Default layout: A4, top-right, 22 mm, error correction M. */
export const defaultCoverLayout: CoverLayoutOptions = { paper: 'a4', corner: 'top-right', sizeMm: 22, ecLevel: 'M' };

/** Distance from the paper edge to the symbol; well beyond any printer's unprintable margin. */
export const coverEdgeMm = 12;

/** Where everything sits on one cover, in mm from the page's top-left. */
export interface CoverGeometry {
  page: { widthMm: number; heightMm: number };
  symbol: { x: number; y: number; size: number };
  /** The symbol plus its 4-module quiet zone: nothing else may be drawn here. */
  keepOut: { x: number; y: number; w: number; h: number };
  /** Where the human-readable code goes, under the symbol. */
  codeLabel: { x: number; y: number; w: number };
  /** The column for the title and fields, clear of the keep-out area. */
  text: { x: number; y: number; w: number };
}

/** Computes the geometry for a layout; `modules` is the QR's size in modules (21 for version 1…). */
export function computeCoverGeometry(options: CoverLayoutOptions, modules: number): CoverGeometry {
  const page = paperSizes[options.paper];
  const quiet = (options.sizeMm / modules) * 4;
  const x = options.corner === 'top-right' ? page.widthMm - coverEdgeMm - options.sizeMm : coverEdgeMm;
  const symbol = { x, y: coverEdgeMm, size: options.sizeMm };
  const keepOut = { x: x - quiet, y: coverEdgeMm - quiet, w: options.sizeMm + 2 * quiet, h: options.sizeMm + 2 * quiet };
  const codeLabel = { x: x - quiet, y: keepOut.y + keepOut.h + 1, w: keepOut.w };
  const margin = 18;
  const gap = 6;
  const textX = options.corner === 'top-right' ? margin : keepOut.x + keepOut.w + gap;
  const textRight = options.corner === 'top-right' ? keepOut.x - gap : page.widthMm - margin;
  return { page, symbol, keepOut, codeLabel, text: { x: textX, y: coverEdgeMm + 2, w: textRight - textX } };
}

/** The smallest symbol a cover draws has 21 modules (version 1): the biggest module for a size. */
const fewestModules = 21;

/**
 * The rectangle the cover self-check reads (mm from the page's top-left): where the layout puts the
 * symbol, plus room for the quiet-zone measurement's full reach (`quietZoneCap` modules of the
 * biggest module this size can have) and a millimetre, so the corner measures exactly as the whole
 * page would. A symbol drawn elsewhere, smaller, or crowded by text fails inside it as on the page.
 */
export function selfCheckClipMm(options: CoverLayoutOptions, quietZoneCap: number): { x: number; y: number; w: number; h: number } {
  const page = paperSizes[options.paper];
  const x = options.corner === 'top-right' ? page.widthMm - coverEdgeMm - options.sizeMm : coverEdgeMm;
  const margin = (options.sizeMm / fewestModules) * (quietZoneCap + 1) + 1;
  const left = Math.max(0, x - margin);
  const top = Math.max(0, coverEdgeMm - margin);
  return { x: left, y: top, w: Math.min(page.widthMm, x + options.sizeMm + margin) - left, h: Math.min(page.heightMm, coverEdgeMm + options.sizeMm + margin) - top };
}

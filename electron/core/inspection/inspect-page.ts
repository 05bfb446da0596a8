import type { MessageParams } from '../../shared/error-codes.js';
import type { PageRaster, PageSource } from '../document/opened-document.js';
import { findQrCodes, type FoundQr, type QrEngine, type SearchMode } from '../qr/find-qr-codes.js';
import { measureSymbol } from '../qr/measure-symbol.js';
import { classifyPayload, describePayload, type ImageCodeRules, type PayloadKind } from '../codes/image-code-rules.js';
import { classifyPlacement, type Corner } from './placement.js';

/** Every finding a page check can report; each has a message and a fix in both catalogues. */
export const problemCodes = [
  'no-qr',
  'multiple-codes',
  'qr-not-in-corner',
  'qr-bottom-corner',
  'invoice-qr',
  'invalid-code',
  'unknown-code',
  'module-too-small',
  'module-small',
  'quiet-zone-small',
  'low-contrast',
  'dpi-assumed',
] as const;

/** A finding's code. */
export type ProblemCode = (typeof problemCodes)[number];

/** ok < warn < fail. */
export type Verdict = 'ok' | 'warn' | 'fail';

/** One finding on a page; `code` keys `check.problems.*` and `check.fixes.*`. */
export interface PageProblem {
  code: ProblemCode;
  severity: Exclude<Verdict, 'ok'>;
  params: MessageParams;
  /** Index into the page's `codes` when the finding is about one symbol. */
  symbol?: number;
}

/** One QR found on a page. */
export interface CodeReport {
  value: string;
  corner: Corner;
  /** mm from the page's top-left. */
  box: { x: number; y: number; w: number; h: number };
  moduleMm: number;
  /** Module size in pixels at the station's scanning dpi. */
  modulePx: number;
  quietZoneModules: number;
  kind: PayloadKind;
  valid: boolean;
  contrast: number;
  version: number;
  engine: QrEngine;
  /** Box in raster pixels, for drawing. */
  boxPx: { x: number; y: number; w: number; h: number };
}

/** The check of one page. */
export interface PageReport {
  page: number;
  widthMm: number;
  heightMm: number;
  dpi: number;
  source: PageSource;
  verdict: Verdict;
  problems: PageProblem[];
  codes: CodeReport[];
}

/** What a page is checked against. */
export interface InspectOptions {
  /** The scanning station's resolution, for module-size judgements. */
  stationDpi: number;
  rules: ImageCodeRules;
  mode: SearchMode;
}

/** Smallest module a scan decodes reliably, in pixels at the station's dpi (below: fail). */
export const minModulePx = 3;
/** Comfortable module size (below: warn). */
export const goodModulePx = 4;
/** Quiet zone the QR standard asks for, in modules. */
export const minQuietZone = 4;
/** Below this contrast (light − dark over 255) a worn ribbon or pale toner is suspected. */
export const minContrast = 0.35;

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Finds (unless given), measures and judges every QR on one page. */
export async function inspectPage(raster: PageRaster, options: InspectOptions, found?: FoundQr[]): Promise<PageReport> {
  // A page without a valid cover code gets the engine's harder tries (inverted, other binarizers…).
  const symbols = found ?? (await findQrCodes(raster.image, options.mode, { wanted: (text) => classifyPayload(text, options.rules).kind === 'cover' }));
  const mmPerPx = 25.4 / raster.dpi;
  // A region read (the cover self-check's corner) knows where it sits on the page: boxes are in page mm.
  const origin = raster.origin ?? { x: 0, y: 0 };
  const codes: CodeReport[] = symbols.map((symbol) => {
    const measure = measureSymbol(raster.image, symbol.corners, symbol.version);
    const box = { x: round((measure.boxPx.x + origin.x) * mmPerPx, 1), y: round((measure.boxPx.y + origin.y) * mmPerPx, 1), w: round(measure.boxPx.w * mmPerPx, 1), h: round(measure.boxPx.h * mmPerPx, 1) };
    const moduleMm = measure.modulePxRaster * mmPerPx;
    const { kind } = classifyPayload(symbol.text, options.rules);
    return {
      value: symbol.text,
      corner: classifyPlacement(box, raster),
      box,
      moduleMm: round(moduleMm, 3),
      modulePx: round((moduleMm / 25.4) * options.stationDpi, 2),
      quietZoneModules: measure.quietZoneModules,
      kind,
      valid: kind === 'cover' && (!options.rules.expected || options.rules.expected.has(symbol.text)),
      contrast: measure.contrast,
      version: symbol.version,
      engine: symbol.engine,
      boxPx: measure.boxPx,
    };
  });
  const problems = judgePage(codes, raster, options);
  const verdict: Verdict = problems.some((problem) => problem.severity === 'fail') ? 'fail' : problems.length > 0 ? 'warn' : 'ok';
  return { page: raster.page, widthMm: round(raster.widthMm, 1), heightMm: round(raster.heightMm, 1), dpi: round(raster.dpi, 1), source: raster.source, verdict, problems, codes };
}

/** Applies the cover rules to the codes of one page. */
export function judgePage(codes: CodeReport[], raster: Pick<PageRaster, 'dpiAssumed' | 'dpi'>, options: InspectOptions): PageProblem[] {
  const problems: PageProblem[] = [];
  if (raster.dpiAssumed) problems.push({ code: 'dpi-assumed', severity: 'warn', params: { dpi: raster.dpi } });
  if (codes.length === 0) {
    problems.push({ code: 'no-qr', severity: 'fail', params: {} });
    return problems;
  }
  const covers = codes.filter((code) => code.kind === 'cover');
  const distinct = new Set(codes.filter((code) => code.kind !== 'invoice').map((code) => code.value));
  if (distinct.size > 1) problems.push({ code: 'multiple-codes', severity: 'fail', params: { count: distinct.size, values: [...distinct].map(describePayload).join(', ') } });
  codes.forEach((code, symbol) => {
    const value = describePayload(code.value);
    switch (code.kind) {
      case 'invoice':
        problems.push({ code: 'invoice-qr', severity: covers.length === 0 ? 'fail' : 'warn', params: { value }, symbol });
        return;
      case 'other': {
        const { defects } = classifyPayload(code.value, options.rules);
        problems.push({ code: 'invalid-code', severity: 'fail', params: { value, reason: defects[0] ?? 'pattern', pattern: options.rules.pattern.source }, symbol });
        return;
      }
      case 'cover':
        judgeCover(code, symbol, options, problems);
        return;
    }
  });
  return problems;
}

function judgeCover(code: CodeReport, symbol: number, options: InspectOptions, problems: PageProblem[]): void {
  const value = describePayload(code.value);
  if (options.rules.expected && !options.rules.expected.has(code.value)) problems.push({ code: 'unknown-code', severity: 'fail', params: { value }, symbol });
  switch (code.corner) {
    case 'top-right':
    case 'top-left':
      break;
    case 'bottom-right':
    case 'bottom-left':
      problems.push({ code: 'qr-bottom-corner', severity: 'warn', params: { value, corner: code.corner }, symbol });
      break;
    case 'center':
    case 'edge':
      problems.push({ code: 'qr-not-in-corner', severity: 'fail', params: { value, corner: code.corner }, symbol });
      break;
  }
  if (code.moduleMm > 0) {
    const modules = code.version > 0 ? 17 + 4 * code.version : 25;
    // Size that gives `goodModulePx` at the station dpi, never less than the 20 mm the rules call safe.
    const recommendMm = Math.max(20, Math.ceil(((modules * goodModulePx) / options.stationDpi) * 25.4));
    const params = { value, modulePx: code.modulePx, dpi: options.stationDpi, moduleMm: code.moduleMm, sizeMm: recommendMm };
    if (code.modulePx < minModulePx) problems.push({ code: 'module-too-small', severity: 'fail', params, symbol });
    else if (code.modulePx < goodModulePx) problems.push({ code: 'module-small', severity: 'warn', params, symbol });
  }
  if (code.quietZoneModules < minQuietZone) problems.push({ code: 'quiet-zone-small', severity: 'warn', params: { value, modules: code.quietZoneModules, want: minQuietZone }, symbol });
  if (code.contrast < minContrast) problems.push({ code: 'low-contrast', severity: 'warn', params: { value, contrast: code.contrast }, symbol });
}

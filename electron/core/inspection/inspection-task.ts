import type { DocumentLimits } from '../document/document-limits.js';
import type { ClipMm } from '../document/opened-document.js';
import type { SearchMode } from '../qr/find-qr-codes.js';
import { defaultCodePattern, type ImageCodeRules } from '../codes/image-code-rules.js';
import type { InspectDocumentOptions } from './inspect-document.js';

/** Inspection options in a form that crosses a worker boundary (no RegExp, no Set). */
export interface InspectionSettings {
  stationDpi: number;
  mode: SearchMode;
  renderDpi: number;
  annotate: boolean;
  pattern: string;
  prefixes: string[];
  expected: string[] | null;
  limits?: DocumentLimits;
  /** Check only this rectangle of every page (mm from its top-left): the cover self-check's corner. */
  clipMm?: ClipMm;
  /** Check only these pages (1-based, inclusive; every `step`-th from `first`): one file shared between workers. */
  pages?: { first: number; last?: number; step?: number };
}

/** Default settings: 200-dpi station, thorough search, default code rule. */
export const defaultInspectionSettings: InspectionSettings = {
  stationDpi: 200,
  mode: 'thorough',
  renderDpi: 200,
  annotate: false,
  pattern: defaultCodePattern.source,
  prefixes: [],
  expected: null,
};

/** Rebuilds the rules and options on the worker side. */
export function toInspectOptions(settings: InspectionSettings): InspectDocumentOptions {
  const rules: ImageCodeRules = {
    pattern: new RegExp(settings.pattern, 'u'),
    prefixes: settings.prefixes,
    expected: settings.expected ? new Set(settings.expected) : null,
  };
  return { stationDpi: settings.stationDpi, mode: settings.mode, renderDpi: settings.renderDpi, annotate: settings.annotate, rules, limits: settings.limits, clipMm: settings.clipMm, pages: settings.pages };
}

/** A message from the main thread to a worker. */
export interface InspectionRequest {
  id: number;
  source: string | { name: string; bytes: Uint8Array };
  settings: InspectionSettings;
}

/** A message from a worker to the main thread. */
export type InspectionMessage =
  | { type: 'page'; id: number; pageCount: number; report: import('./inspect-page.js').PageReport; annotation?: Uint8Array }
  | { type: 'done'; id: number; report: import('./inspect-document.js').DocumentReport };

import { maxImageCodeLength } from '../../shared/imaging/erp-image-state.js';

/** What a decoded QR payload is. */
export type PayloadKind = 'cover' | 'invoice' | 'other';

/** How image codes are checked; configurable per customer (the ERP's code strategy varies). */
export interface ImageCodeRules {
  pattern: RegExp;
  /** When non-empty, a code must start with one of these. */
  prefixes: string[];
  /** When set, a code must be one of these (exported from the ERP). */
  expected: ReadonlySet<string> | null;
}

/** Default: 4–50 letters, digits, `-`, `_` or `.` (the ERP's image code column holds 50 characters). */
export const defaultCodePattern = new RegExp(`^[A-Za-z0-9._-]{4,${maxImageCodeLength}}$`);

/** Default rules: the pattern only. */
export const defaultCodeRules: ImageCodeRules = { pattern: defaultCodePattern, prefixes: [], expected: null };

/** Why a payload is not a valid image code. */
export type CodeDefect = 'control-characters' | 'bidi-characters' | 'path-characters' | 'markup' | 'too-long' | 'pattern' | 'prefix' | 'whitespace';

export { describePayload, maxShownLength } from '../../shared/display-text.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;
const bidiCharacters = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * A VAT invoice QR: comma-separated fields starting with a two-digit version and a type code
 * (e.g. `01,10,044031900111,12345678,100.00,20260101,…`). Never a cover code.
 */
export function isInvoicePayload(text: string): boolean {
  const fields = text.split(',');
  return fields.length >= 6 && /^\d{2}$/.test(fields[0] ?? '') && /^\d{2}$/.test(fields[1] ?? '');
}

/** Checks a payload against the rules; an empty list means it is a valid image code. */
export function findCodeDefects(text: string, rules: ImageCodeRules): CodeDefect[] {
  const defects: CodeDefect[] = [];
  if (controlCharacters.test(text)) defects.push('control-characters');
  if (bidiCharacters.test(text)) defects.push('bidi-characters');
  if (/[/\\]|\.\./.test(text)) defects.push('path-characters');
  if (/[<>]/.test(text)) defects.push('markup');
  if (/\s/.test(text)) defects.push('whitespace');
  // The ERP stores an image code in 50 characters (t_tk_billimagemap.fimagenumber): a longer one can never be matched, whatever a custom rule allows.
  if (text.length > maxImageCodeLength) defects.push('too-long');
  if (defects.length === 0 && !rules.pattern.test(text)) defects.push('pattern');
  if (defects.length === 0 && rules.prefixes.length > 0 && !rules.prefixes.some((prefix) => text.startsWith(prefix))) defects.push('prefix');
  return defects;
}

/** Classifies a payload: invoice QR, valid cover code, or something else. */
export function classifyPayload(text: string, rules: ImageCodeRules): { kind: PayloadKind; defects: CodeDefect[] } {
  if (isInvoicePayload(text)) return { kind: 'invoice', defects: [] };
  const defects = findCodeDefects(text, rules);
  return { kind: defects.length === 0 ? 'cover' : 'other', defects };
}


/** Compiles a user-supplied pattern (anchored), or explains why it is not usable (shared with the UI). */
export { compileCodePattern } from '../../shared/code-pattern.js';

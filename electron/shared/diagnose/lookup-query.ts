import { maxImageCodeLength } from '../imaging/erp-image-state.js';

/** The troubleshooter's look-up text split into image codes and other entries (bill numbers). */
export interface ParsedLookup {
  codes: string[];
  /** Entries that are no image code: looked up as bill numbers of covers made here. */
  other: string[];
  /** Entries no code or bill number can be (control characters, too long): shown back as such. */
  invalid: string[];
}

/** An image code as the station's default rules accept it (the same pattern the reference server checks). */
const codeShape = new RegExp(`^[A-Za-z0-9._-]{4,${maxImageCodeLength}}$`);
/** A bill number: up to 64 printable characters without separators. */
const billNoShape = /^[\p{L}\p{N}\p{P}\p{S}]{1,64}$/u;
/** One look-up takes at most this many entries (a long column is cut, and says so). */
export const maxLookupEntries = 1000;

/**
 * Splits pasted text (an Excel column, a comma list, one code per line) into entries, de-duplicated
 * in order. An entry shaped like an image code may be one (or a bill number: the service tries the
 * covers made here first); anything else can only be a bill number — unless it could be neither.
 */
export function parseLookupText(text: string): ParsedLookup {
  const seen = new Set<string>();
  const parsed: ParsedLookup = { codes: [], other: [], invalid: [] };
  for (const raw of text.slice(0, 200_000).split(/[\s,;，；、]+/u)) {
    const entry = raw.trim().replace(/^["'“”‘’]+|["'“”‘’]+$/gu, '');
    if (!entry || seen.has(entry) || seen.size >= maxLookupEntries) continue;
    seen.add(entry);
    if (codeShape.test(entry)) parsed.codes.push(entry);
    else if (billNoShape.test(entry)) parsed.other.push(entry);
    else parsed.invalid.push(entry.slice(0, 80));
  }
  return parsed;
}

/**
 * Characters that can reorder the text around them: the explicit directional marks, embeddings,
 * overrides and isolates, and the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, …).
 */
const bidiSignificant = /[\u0590-\u08ff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufefe]|[\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

const firstStrongIsolate = '\u2068';
const popDirectionalIsolate = '\u2069';

/**
 * Fences a string from elsewhere (a server's reason, a file name, a code) so that its own direction
 * marks cannot reorder the app's text around it: FSI … PDI, the Unicode equivalent of `<bdi>`.
 */
export function isolateBidi(text: string): string {
  // Plain Chinese and Latin text looks the same fenced or not; leaving it bare keeps copied text and
  // exact-text searches clean.
  if (!bidiSignificant.test(text)) return text;
  // A PDI with no initiator of its own inside the value would close our FSI early and let an
  // override after it run on into the app's text: such strays are dropped.
  let depth = 0;
  let balanced = '';
  for (const char of text) {
    if (char === '\u2066' || char === '\u2067' || char === firstStrongIsolate) depth += 1;
    else if (char === popDirectionalIsolate) {
      if (depth === 0) continue;
      depth -= 1;
    }
    balanced += char;
  }
  return `${firstStrongIsolate}${balanced}${popDirectionalIsolate}`;
}

/**
 * An i18next formatter module that fences every interpolated string value with `isolateBidi`, so no
 * message can be turned around by the data it quotes. Used with `interpolation.alwaysFormat`.
 */
export const bidiIsolatingFormatter = {
  type: 'formatter' as const,
  init(): void {},
  add(): void {},
  addCached(): void {},
  format(value: unknown): unknown {
    return typeof value === 'string' ? isolateBidi(value) : value;
  },
};

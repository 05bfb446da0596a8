/** Maximum length shown back to people, so a 3,000-byte payload cannot flood a report. */
export const maxShownLength = 80;

/**
 * Untrusted text (a QR payload, a file name, a configured path) made safe to show: control and bidi
 * characters escaped, so it cannot break lines, drive a terminal or reverse what follows; long texts cut.
 */
export function describePayload(text: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u{${char.codePointAt(0)?.toString(16)}}`);
  return escaped.length > maxShownLength ? `${escaped.slice(0, maxShownLength)}… (${text.length} chars)` : escaped;
}

// Control characters (terminal escapes, line breaks), the invisible format characters (zero-width
// spaces and joiners, direction marks, overrides and isolates, the BOM), line and paragraph
// separators, and lone surrogates.
const hiddenCharacters = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** Whether a text holds a control, format or separator character (see {@link escapeHiddenCharacters}). */
export function hasHiddenCharacters(text: string): boolean {
  return /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(text);
}

/**
 * Text from elsewhere (a server's answer) made safe to keep and show whole: every control, format and
 * separator character is written as `\u{…}`, so it can neither drive a terminal, break a line, turn
 * text around nor hide, yet a support person still sees that it was there. Nothing is cut.
 */
export function escapeHiddenCharacters(text: string): string {
  return text.replace(hiddenCharacters, (char) => `\\u{${char.codePointAt(0)?.toString(16)}}`);
}

/** Maximum length shown back to people, so a 3,000-byte payload cannot flood a report. */
export const maxShownLength = 80;

/**
 * Untrusted text (a QR payload, a file name, a configured path) made safe to show: control, format
 * (zero-width, bidi) and separator characters escaped, so it cannot break lines, drive a terminal,
 * reverse what follows or hide why it was refused; long texts cut.
 */
export function describePayload(text: string): string {
  const escaped = escapeHiddenCharacters(text);
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

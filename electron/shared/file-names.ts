/** Reduces any text to a file-name stem: letters, digits, `.`, `_`, `-` only, runs of anything else as `_`. */
export function safeFileStem(text: string, maxLength = 120): string {
  return text.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, maxLength);
}

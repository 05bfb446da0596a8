/** The outcome of reading a number field's text: the number, or why it is not acceptable. */
export type NumberText = { ok: true; value: number } | { ok: false; key: 'fields.required' | 'fields.notNumber' | 'fields.notWhole' | 'fields.outOfRange'; params: { min: number; max: number } };

/**
 * Reads what a clerk typed into a number field, without ever changing it: full-width digits from
 * a Chinese input method count, blanks around are ignored, anything else is named.
 */
export function readNumberText(text: string, { min, max, integer = true }: { min: number; max: number; integer?: boolean }): NumberText {
  const params = { min, max };
  const normal = text.replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0)).replace(/[．。]/g, '.').replace(/－/g, '-').trim();
  if (normal === '') return { ok: false, key: 'fields.required', params };
  if (!/^-?\d+(\.\d+)?$/.test(normal)) return { ok: false, key: 'fields.notNumber', params };
  const value = Number(normal);
  if (integer && !Number.isInteger(value)) return { ok: false, key: 'fields.notWhole', params };
  if (value < min || value > max) return { ok: false, key: 'fields.outOfRange', params };
  return { ok: true, value };
}

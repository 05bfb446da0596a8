import { classifyPayload, type ImageCodeRules } from '../codes/image-code-rules.js';

/** What a cover page shows: the image code (required) and the bill's facts. */
export interface CoverFields {
  code: string;
  billNo?: string;
  billType?: string;
  company?: string;
  submitter?: string;
  department?: string;
  date?: string;
  amount?: string;
}

/** Why a row cannot become a cover. */
export type CoverRowProblem =
  | { reason: 'missing-code' }
  | { reason: 'invalid-code'; detail: string }
  | { reason: 'duplicate-code'; firstLine: number }
  | { reason: 'invalid-amount'; value: string }
  | { reason: 'invalid-date'; value: string }
  | { reason: 'field-too-long'; field: string }
  | { reason: 'self-check-failed'; detail: string }
  | { reason: 'not-checked-in-time' }
  | { reason: 'broken-encoding' };

/** The text fields besides the code, in print order. */
export const coverTextFields = ['billType', 'billNo', 'company', 'submitter', 'department', 'date', 'amount'] as const;

const maxFieldLength = 120;

/**
 * Parses an amount as Excel exports it ("1234.5", "1,234.50", "¥1,234.50", "-12") and formats it
 * as `¥1,234.50`; anything else (e.g. "12,3a", "1.2.3") is refused rather than guessed.
 */
export function formatAmount(text: string): string | null {
  // Accepts its own output too ("-¥50.00"), so checking a checked row changes nothing.
  const cleaned = text.trim().replace(/\s/g, '').replace(/^(-?)[¥￥]/, '$1');
  if (!/^-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$/.test(cleaned)) return null;
  const value = Number(cleaned.replace(/,/g, ''));
  if (!Number.isFinite(value)) return null;
  const [whole, fraction] = Math.abs(value).toFixed(2).split('.') as [string, string];
  return `${value < 0 ? '-' : ''}¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/**
 * Reads a bill date as ERPs and Excel write it ("2026-11-23", "2026/11/23", "2026.11.23",
 * "2026年11月23日", "20261123") and prints it as `2026-11-23`; an impossible date is refused.
 */
export function formatBillDate(text: string): string | null {
  const match = /^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$/.exec(text.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2] ?? match[4]);
  const day = Number(match[3] ?? match[5]);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || year > 2200 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Removes control and bidi characters and trims; they have no place on a printed cover. */
function cleanText(value: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const cleaned = value?.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').trim();
  return cleaned ? cleaned : undefined;
}

/** Validates one cover's fields; returns the cleaned fields or the first problem. */
export function validateCoverFields(raw: CoverFields, rules: ImageCodeRules): { ok: true; fields: CoverFields } | { ok: false; problem: CoverRowProblem } {
  const code = raw.code?.trim() ?? '';
  if (code === '') return { ok: false, problem: { reason: 'missing-code' } };
  const { kind, defects } = classifyPayload(code, rules);
  if (kind !== 'cover') return { ok: false, problem: { reason: 'invalid-code', detail: defects[0] ?? 'pattern' } };
  const fields: CoverFields = { code };
  for (const name of coverTextFields) {
    const value = cleanText(raw[name]);
    if (value === undefined) continue;
    if (value.length > maxFieldLength) return { ok: false, problem: { reason: 'field-too-long', field: name } };
    fields[name] = value;
  }
  if (fields.amount !== undefined) {
    const formatted = formatAmount(fields.amount);
    if (!formatted) return { ok: false, problem: { reason: 'invalid-amount', value: fields.amount } };
    fields.amount = formatted;
  }
  if (fields.date !== undefined) {
    const formatted = formatBillDate(fields.date);
    if (!formatted) return { ok: false, problem: { reason: 'invalid-date', value: fields.date } };
    fields.date = formatted;
  }
  return { ok: true, fields };
}

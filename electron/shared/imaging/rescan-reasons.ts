import { hasHiddenCharacters } from '../display-text.js';
import type { RescanReason } from './erp-image-state.js';

/**
 * The rescan reasons (退扫原因) the reference server and the folder adapter offer when none are
 * configured: plausible ERP master data, one list for both.
 */
export const defaultRescanReasons: readonly RescanReason[] = [
  { code: 'UNCLEAR', name: '影像不清晰' },
  { code: 'MISSING_PAGE', name: '缺页' },
  { code: 'MISMATCH', name: '影像与单据不符' },
  { code: 'BAD_COVER', name: '封面二维码错误' },
  { code: 'DUPLICATE', name: '重复扫描' },
  { code: 'OTHER', name: '其他' },
];

/** A rescan reason's code: what the ERP's master data allows here. */
export const rescanReasonCodePattern = /^[A-Za-z0-9_-]{1,20}$/;

/** The longest rescan reason name (the ERP's name column). */
export const maxRescanReasonName = 50;

/** The most rescan reasons a list may hold. */
export const maxRescanReasons = 200;

/** The most bytes a rescan reasons file may have (200 entries fit with room to spare). */
export const maxRescanReasonsBytes = 64 * 1024;

/** Why a rescan reasons list was refused, with the entry it concerns (1-based; 0 for the whole list). */
export interface RescanReasonsFault {
  fault: 'not-utf8' | 'not-json' | 'not-a-list' | 'too-many' | 'bad-code' | 'bad-name' | 'duplicate-code';
  entry: number;
}

/** Checks a parsed rescan reasons list: a JSON array of `{ code, name }`, at most 200 entries, unique codes. */
export function checkRescanReasons(value: unknown): { ok: true; reasons: RescanReason[] } | { ok: false; fault: RescanReasonsFault } {
  if (!Array.isArray(value)) return { ok: false, fault: { fault: 'not-a-list', entry: 0 } };
  if (value.length > maxRescanReasons) return { ok: false, fault: { fault: 'too-many', entry: 0 } };
  const seen = new Set<string>();
  const reasons: RescanReason[] = [];
  for (const [index, item] of value.entries()) {
    const entry = index + 1;
    const record = (item !== null && typeof item === 'object' ? item : {}) as { code?: unknown; name?: unknown };
    if (typeof record.code !== 'string' || !rescanReasonCodePattern.test(record.code)) return { ok: false, fault: { fault: 'bad-code', entry } };
    // The name is shown on the Scan desk and printed by the CLI: plain text, no control or direction characters.
    if (typeof record.name !== 'string' || record.name.trim() === '' || [...record.name].length > maxRescanReasonName || hasHiddenCharacters(record.name)) return { ok: false, fault: { fault: 'bad-name', entry } };
    if (seen.has(record.code)) return { ok: false, fault: { fault: 'duplicate-code', entry } };
    seen.add(record.code);
    reasons.push({ code: record.code, name: record.name.trim() });
  }
  return { ok: true, reasons };
}

/** Reads a rescan reasons file's text (JSON); see {@link checkRescanReasons}. */
export function parseRescanReasons(text: string): { ok: true; reasons: RescanReason[] } | { ok: false; fault: RescanReasonsFault } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, fault: { fault: 'not-json', entry: 0 } };
  }
  return checkRescanReasons(value);
}

/**
 * Reads a rescan reasons file's bytes: UTF-8 only (a BOM is allowed). A file saved as GBK or with
 * broken bytes is refused whole, rather than its names shown with replacement characters.
 */
export function parseRescanReasonsBytes(bytes: Uint8Array): { ok: true; reasons: RescanReason[] } | { ok: false; fault: RescanReasonsFault } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, fault: { fault: 'not-utf8', entry: 0 } };
  }
  return parseRescanReasons(text);
}

/** The English words for a fault, for protocol answers and logs (the UI and CLI use the catalogs). */
export function describeRescanReasonsFault(fault: RescanReasonsFault): string {
  const where = fault.entry ? ` (entry ${fault.entry})` : '';
  switch (fault.fault) {
    case 'not-utf8':
      return 'not UTF-8 text (saved as GBK?)';
    case 'not-json':
      return 'not JSON';
    case 'not-a-list':
      return 'not a JSON array of { code, name }';
    case 'too-many':
      return `more than ${maxRescanReasons} reasons`;
    case 'bad-code':
      return `a code must be 1–20 of A–Z a–z 0–9 _ -${where}`;
    case 'bad-name':
      return `a name must be 1–${maxRescanReasonName} characters of plain text (no control or direction characters)${where}`;
    case 'duplicate-code':
      return `a code appears twice${where}`;
  }
}

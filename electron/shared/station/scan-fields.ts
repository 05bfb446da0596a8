import { maxScanFieldLength } from '../imaging/erp-image-state.js';

/**
 * The station's scan point (扫描点) and a scan user id (影像扫描用户): the ERP keeps them in columns of
 * its image map (`fsscunitid`, `fscanuserid`, NOTES.md "The ERP's image map"), so they are short
 * plain text a support person can read there.
 */

/** Why a scan point or scan user id is refused: longer than the ERP keeps, or holding control/bidi characters. */
export type ScanFieldFault = 'too-long' | 'characters';

// Control characters (terminal escapes, line breaks) and the invisible ones that turn text around.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const hiddenCharacters = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/** The value as stored: trimmed, and null when nothing is left. */
export function normalizeScanField(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Why a (trimmed) scan point or scan user id cannot be kept, or null when it can. */
export function findScanFieldFault(value: string): ScanFieldFault | null {
  if (hiddenCharacters.test(value)) return 'characters';
  if ([...value].length > maxScanFieldLength) return 'too-long';
  return null;
}

/** Who scanned a stack where, as it was when its pages were taken in (null: not set then). */
export interface StackScan {
  /** The scan user id (影像扫描用户): the clerk signed in at the desk, else the station's own. */
  user: string | null;
  /** The station's scan point (扫描点). */
  point: string | null;
}

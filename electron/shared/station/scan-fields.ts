import { hasHiddenCharacters } from '../display-text.js';
import { maxScanFieldLength } from '../imaging/erp-image-state.js';

/**
 * The station's scan point (扫描点) and a scan user id (影像扫描用户): the ERP keeps them in columns of
 * its image map (`fsscunitid`, `fscanuserid`, NOTES.md "The ERP's image map"), so they are short
 * plain text a support person can read there.
 */

/** Why a scan point or scan user id is refused: longer than the ERP keeps, or holding control/bidi characters. */
export type ScanFieldFault = 'too-long' | 'characters';


/** The value as stored: trimmed, and null when nothing is left. */
export function normalizeScanField(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Why a (trimmed) scan point or scan user id cannot be kept, or null when it can. */
export function findScanFieldFault(value: string): ScanFieldFault | null {
  // Control characters (terminal escapes, line breaks), the invisible ones (zero-width spaces and
  // joiners, word joiners, soft hyphens) and those that turn text around: the same rule the server applies.
  if (hasHiddenCharacters(value)) return 'characters';
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

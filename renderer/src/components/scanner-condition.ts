// A scanner's state as a colour, the same on the Scan desk and in the status bar.
import type { ScannerCondition } from '../../../electron/shared/capture/capture-types.js';

/** A status colour of the app's banners and dots. */
export type Tone = 'pass' | 'warn' | 'fail' | 'info';

/** The colour of a scanner's state: green ready, amber what the clerk fixes in a moment, red what stops the scan. */
export function toneOfCondition(condition: ScannerCondition): Tone {
  if (condition === 'ready') return 'pass';
  if (condition === 'busy' || condition === 'feeder-empty') return 'warn';
  return 'fail';
}

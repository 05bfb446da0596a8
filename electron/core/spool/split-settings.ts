// How the spool splits the stacks it takes in and how long it keeps what it holds (resolved from the desk's settings).
import type { ReleaseMode } from '../../shared/station/bill-status.js';
import type { ImageCodeRules } from '../codes/image-code-rules.js';
import type { SplitOptions } from '../split/split-stack.js';

/** What the split needs, resolved from the settings. */
export interface SplitSettings {
  rules: ImageCodeRules;
  blankInkShare: number;
  split: SplitOptions;
  /** Days a fully discarded stack stays in the recycle folder. */
  recycleDays: number;
  /** Days a source stays in `imported/`; 0: for ever. */
  importedDays: number;
  /** Days an uploaded stack's page images stay in the spool; 0: for ever. */
  doneDays: number;
  /** New bills wait in `review` (review) or go to the queue (auto). */
  release?: ReleaseMode;
}

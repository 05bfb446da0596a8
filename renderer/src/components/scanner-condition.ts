// A scanner's state as a word and a colour, the same on the Scan desk and in the status bar.
import type { TFunction } from 'i18next';
import type { ScannerCondition } from '../../../electron/shared/capture/capture-types.js';
import type { ValueOf } from '../../../electron/shared/ipc-contract.js';

type Job = NonNullable<ValueOf<'capture:state'>['job']>;

/** A status colour of the app's banners and dots. */
export type Tone = 'pass' | 'warn' | 'fail' | 'info';

/** The colour of a scanner's state: green ready, amber what the clerk fixes in a moment, red what stops the scan. */
export function toneOfCondition(condition: ScannerCondition): Tone {
  if (condition === 'ready') return 'pass';
  if (condition === 'busy' || condition === 'feeder-empty') return 'warn';
  return 'fail';
}

/** A scanner's state as the screens show it: its own word, or busy with this desk's job ("scanning", "scan just finished"). */
export type ShownCondition = ScannerCondition | 'scanning' | 'just-scanned';

/**
 * The picked scanner's state to show. Busy read since this desk's last job started is that job's own
 * doing: "scanning" while it runs, "scan just finished" after (until the scanner is read again) —
 * never "someone else is using it".
 */
export function showCondition(scanner: { status: { condition: ScannerCondition; detail?: string | null }; at: string | null }, job: Pick<Job, 'phase' | 'startedAt'> | null | undefined): ShownCondition {
  const condition = scanner.status.condition;
  if (condition !== 'busy' || !job) return condition;
  if (isRunning(job)) return 'scanning';
  return scanner.at !== null && Date.parse(scanner.at) >= Date.parse(job.startedAt) ? 'just-scanned' : condition;
}

/** The colour of a shown state (this desk's own scan is neutral). */
export function toneOfShown(shown: ShownCondition): Tone {
  return shown === 'scanning' || shown === 'just-scanned' ? 'info' : toneOfCondition(shown);
}

/** A shown state's word: "paper jam", "scanning". */
export function describeShown(t: TFunction, shown: ShownCondition): string {
  return shown === 'scanning' ? t('capture.scanningNow') : shown === 'just-scanned' ? t('capture.justScanned') : t(`capture.conditions.${shown}`);
}

/** True while a job runs (the Scan key does nothing, Esc cancels). */
export function isRunning(job: Pick<Job, 'phase'> | null | undefined): boolean {
  return job !== null && job !== undefined && (job.phase === 'checking' || job.phase === 'scanning' || job.phase === 'cancelling' || job.phase === 'finishing');
}

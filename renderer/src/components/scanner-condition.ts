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

/** The scanner state a scan's error says the device is in (a jam, no paper, the cover open, switched off). */
const conditionOfError: Record<string, ScannerCondition> = {
  'scanner-jammed': 'jammed',
  'scanner-feeder-empty': 'feeder-empty',
  'scanner-door-open': 'door-open',
  'scanner-unreachable': 'offline',
  'scanner-busy': 'busy',
  'scanner-failed': 'error',
};

/**
 * The picked scanner's state to show. Busy read since this desk's last job started is that job's own
 * doing: "scanning" while it runs, "scan just finished" after (until the scanner is read again) —
 * never "someone else is using it". A job that failed on the device (a jam mid-scan, switched off)
 * is what the clerk deals with until the next scan: the panel and the status bar never say "ready"
 * beside "paper jam" (a device may report idle once its job is dropped, the jammed sheet still in it).
 */
export function showCondition(
  scanner: { device?: string; status: { condition: ScannerCondition; detail?: string | null }; at: string | null },
  job: (Pick<Job, 'phase' | 'startedAt'> & Partial<Pick<Job, 'error' | 'device'>>) | null | undefined,
): ShownCondition {
  const condition = scanner.status.condition;
  if (!job) return condition;
  const failedAs = job.phase === 'failed' && job.error ? conditionOfError[job.error.code] : undefined;
  const sameDevice = !job.device || scanner.device === undefined || job.device.id === scanner.device;
  if (failedAs && sameDevice) return failedAs;
  if (condition !== 'busy') return condition;
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

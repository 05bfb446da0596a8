import type { TFunction } from 'i18next';
import type { ValueOf } from '../../../electron/shared/ipc-contract.js';

type ImportResult = ValueOf<'scanDesk:import'>;

/** What the desk says after a drop, in what tone, and which row to jump to (the first bill that needs the clerk). */
export interface IntakeResultText {
  tone: 'pass' | 'warn';
  text: string;
  jumpTo: string | null;
}

/**
 * The result of taking a stack in, as the clerk reads it: "6 bills: 4 ready, 2 need you" (warn and a
 * jump to the first held bill when any needs a person; pass only when every bill is ready), or
 * "already taken in at …".
 */
export function describeIntakeResult(t: TFunction, name: string, result: ImportResult, formatTime: (iso: string) => string): IntakeResultText {
  if (result.status === 'already') return { tone: 'warn', text: t('scanDeskPage.already', { name, at: formatTime(result.importedAt) }), jumpTo: null };
  const bills = result.bills;
  if (!bills) return { tone: 'pass', text: t('scanDeskPage.taken', { name }), jumpTo: null };
  // Review mode: every new bill waits for the clerk's release, said apart from what is held.
  if (bills.review > 0) return { tone: 'warn', text: t('scanDeskPage.intakeResult.someReview', { name, count: bills.total, ready: bills.ready, review: bills.review, held: bills.held }), jumpTo: bills.firstHeld };
  if (bills.held === 0) return { tone: 'pass', text: t('scanDeskPage.intakeResult.allReady', { name, count: bills.total }), jumpTo: null };
  return {
    tone: 'warn',
    text: t(bills.orphans > 0 ? 'scanDeskPage.intakeResult.someHeldOrphans' : 'scanDeskPage.intakeResult.someHeld', { name, count: bills.total, ready: bills.ready, held: bills.held }),
    jumpTo: bills.firstHeld,
  };
}

/** Page images by name (JPEG, PNG, TIFF): dropped together they are one stack. */
const pageImageName = /\.(jpe?g|png)$/i;

/**
 * The groups a drop is taken in as: several JPEG or PNG page images together are one stack, in
 * natural name order (scan_2 before scan_10); every other file (PDF, TIFF) is a stack of its own.
 */
export function groupDroppedFiles<F extends { name: string }>(files: F[]): F[][] {
  const pages = files.filter((file) => pageImageName.test(file.name)).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }));
  const others = files.filter((file) => !pageImageName.test(file.name)).map((file) => [file]);
  return pages.length > 1 ? [...others, pages] : [...others, ...pages.map((file) => [file])];
}

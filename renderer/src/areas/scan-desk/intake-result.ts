import type { TFunction } from 'i18next';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';

type ImportResult = ValueOf<'scanDesk:import'>;

/** What the desk says after a drop, in what tone, and which row to jump to (the first bill that needs the clerk). */
export interface IntakeResultText {
  tone: 'pass' | 'warn';
  text: string;
  jumpTo: string | null;
}

/**
 * The result of taking a stack in, as the clerk reads it: "6 bills: 2 to review, 3 need you, 1 ready;
 * also the 2 pages before the first cover need you" (the parts add up to the bills; the pages before
 * the first cover are no bill and said apart), warn and a jump to the first row needing the clerk when
 * anything does; pass only when every bill is ready. Or "already taken in at …".
 */
export function describeIntakeResult(t: TFunction, name: string, result: ImportResult, formatTime: (iso: string) => string): IntakeResultText {
  if (result.status === 'already') return { tone: 'warn', text: t('scanDeskPage.already', { name, at: formatTime(result.importedAt) }), jumpTo: null };
  const bills = result.bills;
  if (!bills) return { tone: 'pass', text: t('scanDeskPage.taken', { name }), jumpTo: null };
  if (bills.review === 0 && bills.held === 0 && bills.orphans === 0) return { tone: 'pass', text: t('scanDeskPage.intakeResult.allReady', { name, count: bills.total }), jumpTo: null };
  if (bills.total === 0) return { tone: 'warn', text: t('scanDeskPage.intakeResult.onlyOrphans', { name, count: bills.orphans }), jumpTo: bills.firstHeld };
  // What needs the clerk first (review, then held), then what goes by itself; only the parts there are.
  const parts = (['review', 'held', 'ready'] as const).filter((part) => bills[part] > 0).map((part) => t(`scanDeskPage.intakeResult.parts.${part}`, { count: bills[part] }));
  const said = parts.join(t('scanDeskPage.intakeResult.partSeparator'));
  const orphans = bills.orphans > 0 ? t('scanDeskPage.intakeResult.orphans', { count: bills.orphans }) : '';
  return { tone: 'warn', text: t('scanDeskPage.intakeResult.some', { name, count: bills.total, parts: said, orphans }), jumpTo: bills.firstHeld };
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

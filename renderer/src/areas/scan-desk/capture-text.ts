// Direct capture in the desk's words and colours: a scanner's state, what a device offers, the scan's progress and its end.
import type { TFunction } from 'i18next';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { describeShown, type ShownCondition } from '../../components/scanner-condition.js';
export { describeShown, isRunning, showCondition, toneOfCondition, toneOfShown, type ShownCondition, type Tone } from '../../components/scanner-condition.js';
import { scanColors, scanResolutions, scanSources, type ScanColor, type ScanSource } from '../../../../electron/shared/capture/capture-types.js';

/** The capture as core pushes it. */
export type CaptureState = ValueOf<'capture:state'>;
/** One scan job as the desk shows it. */
export type CaptureJob = NonNullable<CaptureState['job']>;
/** A scanner the desk can pick. */
export type ScannerDevice = ValueOf<'capture:devices'>['devices'][number];
/** The desk's scan settings (the picked scanner and how it scans). */
export type CaptureSettings = ValueOf<'capture:devices'>['settings'];

/** The key that starts a scan on the Scan desk (R and Delete are the bill keys; Alt+digit the pages). */
export const scanKey = 'F8';

/** A scanner's state in clerk words: "Scanner HP M480: paper jam" (busy with this desk's own scan: "scanning"). */
export function describeCondition(t: TFunction, name: string, shown: ShownCondition): string {
  return t('capture.stateLine', { name, condition: describeShown(t, shown) });
}

/** Which settings a device offers (a device never read offers the desk's usual choices: it says at scan time). */
export function offeredSettings(device: ScannerDevice | null | undefined): { sources: ScanSource[]; resolutions: number[]; colors: ScanColor[] } {
  const capabilities = device?.capabilities;
  if (!capabilities) return { sources: [...scanSources], resolutions: [...scanResolutions], colors: [...scanColors] };
  return {
    sources: scanSources.filter((source) => capabilities.sources.includes(source)),
    resolutions: scanResolutions.filter((dpi) => capabilities.resolutions.includes(dpi)),
    colors: scanColors.filter((color) => capabilities.colors.includes(color)),
  };
}

/**
 * The settings moved onto what `device` offers: a choice it lacks becomes its nearest one (a duplex
 * feeder falls back to the one-sided feeder, then the glass; 300 dpi to 200; colour to grey).
 */
export function fitSettings(settings: CaptureSettings, device: ScannerDevice | null | undefined): CaptureSettings {
  const offered = offeredSettings(device);
  const sourceOrder: ScanSource[] = settings.source === 'flatbed' ? ['flatbed', 'adf', 'duplex'] : settings.source === 'adf' ? ['adf', 'duplex', 'flatbed'] : ['duplex', 'adf', 'flatbed'];
  const source = sourceOrder.find((candidate) => offered.sources.includes(candidate)) ?? settings.source;
  const dpi = offered.resolutions.includes(settings.dpi) ? settings.dpi : ([...offered.resolutions].sort((a, b) => Math.abs(a - settings.dpi) - Math.abs(b - settings.dpi))[0] ?? settings.dpi);
  const color = offered.colors.includes(settings.color) ? settings.color : (offered.colors[0] ?? settings.color);
  return { ...settings, source, dpi, color };
}

/** The settings in one short line: "Feeder (both sides) · 200 dpi · Grey". */
export function describeSettings(t: TFunction, settings: { source: ScanSource; dpi: number; color: ScanColor }): string {
  return t('capture.settingsLine', { source: t(`capture.settings.sources.${settings.source}`), dpi: settings.dpi, color: t(`capture.settings.colors.${settings.color}`) });
}

/** The live line of a running job: its phase, then "page 7 received" once pages come. */
export function describeProgress(t: TFunction, job: CaptureJob): string {
  if (job.phase === 'checking') return t('capture.phase.checking');
  if (job.phase === 'cancelling') return t('capture.phase.cancelling');
  if (job.phase === 'finishing') return t('capture.phase.finishing');
  return job.pages > 0 ? t('capture.received', { page: job.pages }) : t('capture.waitingFirst');
}

/** The split so far, one line per bill (pages before the first cover said as such). */
export function describeSplit(t: TFunction, bills: CaptureJob['bills']): string[] {
  return bills.map((bill) => (bill.code === null ? t('capture.splitBefore', { pages: bill.pages }) : t('capture.splitBill', { code: bill.code, pages: bill.pages })));
}

/** The interrupted scans still to decide, without the one the finished job already offers (the same batch said once). */
export function listInterrupted(state: CaptureState): CaptureState['interrupted'] {
  const offered = state.job && state.job.phase === 'failed' ? state.job.batchId : null;
  return state.interrupted.filter((scan) => scan.batchId !== offered);
}

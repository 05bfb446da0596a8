// scanimage's complaints (its SANE status texts and exit codes) as the station's scanner errors.
import { CoreError } from '../base/errors.js';

/** The SANE statuses the station tells apart (`SANE_STATUS_*` without the prefix). */
export type SaneStatus = 'CANCELLED' | 'DEVICE_BUSY' | 'INVAL' | 'JAMMED' | 'NO_DOCS' | 'COVER_OPEN' | 'IO_ERROR' | 'NO_MEM' | 'ACCESS_DENIED' | 'UNSUPPORTED';

// sane_strstatus' words (the same in every backend: the frontend library prints them), and the
// enum names a backend or a wrapper may print instead.
const statusByText: Array<[RegExp, SaneStatus]> = [
  [/Document feeder jammed|SANE_STATUS_JAMMED/i, 'JAMMED'],
  [/Document feeder out of documents|SANE_STATUS_NO_DOCS/i, 'NO_DOCS'],
  [/Scanner cover is open|SANE_STATUS_COVER_OPEN/i, 'COVER_OPEN'],
  [/Device busy|SANE_STATUS_DEVICE_BUSY/i, 'DEVICE_BUSY'],
  [/Error during device I\/O|SANE_STATUS_IO_ERROR/i, 'IO_ERROR'],
  [/Access to resource has been denied|SANE_STATUS_ACCESS_DENIED/i, 'ACCESS_DENIED'],
  [/Out of memory|SANE_STATUS_NO_MEM/i, 'NO_MEM'],
  [/Invalid argument|SANE_STATUS_INVAL/i, 'INVAL'],
  [/Operation was cancell?ed|SANE_STATUS_CANCELLED/i, 'CANCELLED'],
  [/Operation not supported|SANE_STATUS_UNSUPPORTED/i, 'UNSUPPORTED'],
];

// scanimage exits with the SANE status of a failed scan (`SANE_STATUS_JAMMED` is 6).
const statusByExitCode: Record<number, SaneStatus> = {
  2: 'CANCELLED',
  3: 'DEVICE_BUSY',
  4: 'INVAL',
  6: 'JAMMED',
  7: 'NO_DOCS',
  8: 'COVER_OPEN',
  9: 'IO_ERROR',
  10: 'NO_MEM',
  11: 'ACCESS_DENIED',
};

/** A short stable reason for statuses that have no error code of their own (errno-like, translated by the catalogs). */
const reasonByStatus: Partial<Record<SaneStatus, string>> = {
  IO_ERROR: 'EIO',
  ACCESS_DENIED: 'EACCES',
  NO_MEM: 'ENOMEM',
  INVAL: 'EINVAL',
  CANCELLED: 'cancelled',
  UNSUPPORTED: 'unrecognised',
};

/** scanimage's own error lines (`scanimage: sane_read: Document feeder jammed`), the last ones first matter most. */
export function saneErrorLines(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => /^scanimage: /.test(line) && !/^scanimage: rounded value/.test(line));
}

/** The SANE status in scanimage's words or exit code, or null when neither names one. */
export function readSaneStatus(stderr: string, exitCode: number | null): SaneStatus | null {
  const lines = saneErrorLines(stderr);
  for (const line of [...lines].reverse()) {
    const found = statusByText.find(([pattern]) => pattern.test(line));
    if (found) return found[1];
  }
  return exitCode === null ? null : (statusByExitCode[exitCode] ?? null);
}

/** The station's error for a device status (NO_DOCS as an empty feeder: the caller decides when it is the normal end). */
export function saneStatusError(status: SaneStatus | null, device: string, detail: string): CoreError {
  switch (status) {
    case 'JAMMED':
      return new CoreError('scanner-jammed', { device, detail });
    case 'NO_DOCS':
      return new CoreError('scanner-feeder-empty', { device, detail });
    case 'COVER_OPEN':
      return new CoreError('scanner-door-open', { device, detail });
    case 'DEVICE_BUSY':
      return new CoreError('scanner-busy', { device, detail });
    default:
      return new CoreError('scanner-failed', { device, reason: (status && reasonByStatus[status]) ?? 'unrecognised', detail });
  }
}

/**
 * The error of a scanimage run that failed before or while scanning: a device that cannot be
 * opened (not there, busy, no permission), an option value it refuses, or a status while scanning.
 */
export function describeSaneFailure(stderr: string, exitCode: number | null, device: string, args: readonly string[] = []): CoreError {
  const lines = saneErrorLines(stderr);
  const detail = (lines.at(-1) ?? stderr.trim().split(/\r?\n/).at(-1) ?? `exit ${exitCode}`).slice(0, 300);
  const open = lines.map((line) => /open of device .* failed: (.*)$/.exec(line)).find(Boolean);
  if (open) {
    const status = readSaneStatus(`scanimage: ${open[1] ?? ''}`, null);
    // The dll backend answers "Invalid argument" for a name no backend claims: the device is gone.
    if (status === 'INVAL') return new CoreError('scanner-not-found', { device, detail });
    if (status === 'IO_ERROR') return new CoreError('scanner-unreachable', { device, reason: 'EIO', detail });
    return saneStatusError(status, device, detail);
  }
  const setting = lines.map((line) => /setting of option --([\w-]+) failed/.exec(line)).find(Boolean);
  if (setting) {
    const name = setting[1] ?? '';
    const at = args.indexOf(`--${name}`);
    const value = at >= 0 ? (args[at + 1] ?? '') : (args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '');
    return new CoreError('scanner-setting-unsupported', { device, setting: name, value, detail });
  }
  return saneStatusError(readSaneStatus(stderr, exitCode), device, detail);
}

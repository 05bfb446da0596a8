/** Every error code the app can return at an edge (IPC, HTTP bridge, CLI). */
export const errorCodes = [
  'untrusted-sender',
  'unknown-channel',
  'invalid-arguments',
  'invalid-result',
  'internal-error',
  'bridge-unauthorized',
  'bridge-bad-host',
  'bridge-bad-origin',
  'bridge-body-too-large',
  'bridge-bad-request',
  'bridge-unreachable',
  'prefs-corrupt',
  'data-dir-unwritable',
  'usage',
  'file-unreadable',
  'file-empty',
  'file-incomplete',
  'disk-full',
  'file-too-large',
  'unsupported-format',
  'corrupt-image',
  'corrupt-pdf',
  'pdf-encrypted',
  'too-many-pages',
  'image-too-large',
  'page-too-large',
  'stack-too-large',
  'inspection-timeout',
  'inspection-crashed',
  'inspection-cancelled',
  'invalid-pattern',
  'scan-user-invalid',
  'cover-csv-no-code-column',
  'cover-csv-encoding',
  'output-unwritable',
  'settings-file-invalid',
  'settings-invalid',
  'secret-unreadable',
  'ca-certificate-invalid',
  'preflight-missing',
  'preflight-failed',
  'preflight-stale',
  'imaging-unreachable',
  'imaging-timeout',
  'imaging-auth-failed',
  'imaging-clock-skew',
  'imaging-rejected',
  'imaging-conflict',
  'imaging-bill-voided',
  'imaging-server-busy',
  'imaging-bad-answer',
  'folder-unwritable',
  'bill-not-found',
  'bill-not-changeable',
  'orphans-not-changeable',
  'upload-page-damaged',
  'page-removed',
  'image-code-unsafe-name',
  'image-code-case-twin',
  'endpoint-path-refused',
  'watch-folder-is-station-data',
  'file-changed',
  'source-not-moved',
  'folder-name-taken',
  'watch-look-failed',
  'not-a-scan',
  'scanner-unreachable',
  'scanner-bad-answer',
  'scanner-not-found',
  'scanner-feeder-empty',
  'scanner-jammed',
  'scanner-door-open',
  'scanner-busy',
  'scanner-failed',
  'scanner-setting-unsupported',
  'scan-already-running',
  'scan-cancelled',
  'scan-not-interrupted',
  'scan-disk-full',
] as const;

/** A stable, documented error code. */
export type ErrorCode = (typeof errorCodes)[number];

/** Values interpolated into a localized message. */
export type MessageParams = Record<string, string | number>;

/** Error shape carried across IPC, the HTTP bridge and `--json` CLI output. */
export interface AppErrorInfo {
  code: ErrorCode;
  /** English text for logs and machine readers; the UI localizes by `code` and `params`. */
  message: string;
  params?: MessageParams;
}

/** The outcome of every IPC call: results, never throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorInfo };

/** Narrows an unknown string to a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

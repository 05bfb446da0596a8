import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { createTranslator } from '../../shared/i18n/catalog.js';
import { localizeParams, type ReasonCode } from '../../shared/message-text.js';

let english: ReturnType<typeof createTranslator> | undefined;

/** Formats an error code in English, for logs and `AppErrorInfo.message`. */
export function formatErrorEnglish(code: ErrorCode, params: MessageParams = {}): string {
  english ??= createTranslator('en');
  const text = english.t(`errors.${code}`, localizeParams(english.t, params));
  // The library's own words stay in the log (support reads them), never in what a clerk sees.
  return typeof params['detail'] === 'string' && params['detail'] !== '' ? `${text} [${params['detail']}]` : text;
}

/** A typed error raised inside core; edges turn it into `{ ok: false, error }`. */
export class CoreError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** Values for the localized message. */
  readonly params: MessageParams;

  constructor(code: ErrorCode, params: MessageParams = {}, options?: { cause?: unknown }) {
    super(formatErrorEnglish(code, params), options);
    this.name = 'CoreError';
    this.code = code;
    this.params = params;
  }
}

// Library messages (PDFium, libvips, zod) that say something a clerk can act on, as reason codes.
const causeByMessage: Array<[RegExp, ReasonCode]> = [
  [/not in PDF format|PDF header|invalid pdf|no PDF/i, 'not-pdf'],
  [/premature end|truncated|unexpected end|end of (file|stream)|EOF/i, 'truncated'],
  [/unsupported image format|not a known file format|bad seek|unknown file format/i, 'unsupported-image'],
  [/vips|jpeg|png|tiff|decode|corrupt/i, 'image-data'],
  [/JSON/, 'not-json'],
];

/**
 * A thrown value as a stable reason code for messages shown to people: the errno code where
 * there is one, a recognised library cause, or `unrecognised` (the raw text goes to `detail`).
 */
export function describeCause(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && /^E[A-Z0-9_]{2,}$/.test(error.code)) {
    return error.code;
  }
  const text = error instanceof Error ? error.message : String(error);
  return causeByMessage.find(([pattern]) => pattern.test(text))?.[1] ?? 'unrecognised';
}

/** `{ reason, detail }` params for a thrown value: the reason code and, for the log, its own text. */
export function causeParams(error: unknown): { reason: string; detail: string } {
  const text = error instanceof Error ? error.message : String(error);
  return { reason: describeCause(error), detail: text.slice(0, 300) };
}

/** Params for a file that failed its schema: which fields (translated by the UI) or an unknown version. */
export function schemaIssueParams(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): { reason: ReasonCode; fields: string; detail: string } {
  const detail = issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`)
    .join('; ');
  const top = issues.map((issue) => String(issue.path[0] === 'profile' ? (issue.path[1] ?? 'profile') : (issue.path[0] ?? '')));
  if (top.some((name) => name === 'version' || name === 'format')) return { reason: 'unsupported-version', fields: '', detail };
  return { reason: 'wrong-fields', fields: [...new Set(top.filter(Boolean))].slice(0, 6).join(','), detail };
}

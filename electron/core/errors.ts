import type { ErrorCode, MessageParams } from '../shared/error-codes.js';
import { createTranslator } from '../shared/i18n/catalog.js';

let english: ReturnType<typeof createTranslator> | undefined;

/** Formats an error code in English, for logs and `AppErrorInfo.message`. */
export function formatErrorEnglish(code: ErrorCode, params: MessageParams = {}): string {
  english ??= createTranslator('en');
  return english.t(`errors.${code}`, params);
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

/** Short, secret-free description of any thrown value (for messages shown to people). */
export function describeCause(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return error instanceof Error ? error.message : String(error);
}

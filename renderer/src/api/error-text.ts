import type { TFunction } from 'i18next';
import type { AppErrorInfo } from '../../../electron/shared/error-codes.js';
import { localizeError } from '../../../electron/shared/message-text.js';

/** Localizes an IPC error by its code and params (causes, steps and field names translated too). */
export function describeError(t: TFunction, error: AppErrorInfo): string {
  return localizeError(t, error);
}

/** Localizes an error known only by its code and params (as the upload queue reports them). */
export function describeCode(t: TFunction, code: string, params: AppErrorInfo['params']): string {
  return localizeError(t, { code, params });
}

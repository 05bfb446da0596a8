import type { TFunction } from 'i18next';
import type { AppErrorInfo } from '../../../electron/shared/error-codes.js';

/** Localizes an IPC error by its code and params, falling back to its English message. */
export function describeError(t: TFunction, error: AppErrorInfo): string {
  return t(`errors.${error.code}`, { ...error.params, defaultValue: error.message });
}

import type { Translate } from './check-messages.js';
import { localizeParams } from './message-text.js';

/** A rejected cover row's reason as core reports it. */
export type CoverRejection = { reason: string } & Record<string, string | number>;

/** Localizes why a cover row was refused (shared by the CLI and the Covers page). */
export function localizeCoverRejection(t: Translate, problem: CoverRejection): string {
  const params: Record<string, string | number> = { ...localizeParams(t, { ...problem, reason: '' }), reason: problem.reason };
  if (problem.reason === 'invalid-code' && typeof problem['detail'] === 'string') params['detail'] = t(`check.defects.${problem['detail']}`);
  return t(`coverReasons.${problem.reason}`, params);
}

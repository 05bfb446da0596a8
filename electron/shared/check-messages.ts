import type { MessageParams } from './error-codes.js';

/** Anything that translates a key with params (i18next's `t`). */
export type Translate = (key: string, params?: MessageParams) => string;

/**
 * Localizes one page-check finding: its message and its fix, with the corner and defect params
 * translated too. Shared by the CLI and the Template check page so both say exactly the same.
 */
export function localizeProblem(t: Translate, problem: { code: string; params: MessageParams }): { message: string; fix: string } {
  const params: MessageParams = { ...problem.params };
  if (typeof params['corner'] === 'string') params['corner'] = t(`check.corners.${params['corner']}`);
  if (typeof params['reason'] === 'string') params['reason'] = t(`check.defects.${params['reason']}`);
  return { message: t(`check.problems.${problem.code}`, params), fix: t(`check.fixes.${problem.code}`, params) };
}

// How the Connection page words what it shows: a preflight step with its fix, the upload gate, the secret's state.
import type { TFunction } from 'i18next';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { localizeParams } from '../../../../electron/shared/message-text.js';
import { formatDateTime } from '../../components/date-text.js';

/** The station's endpoint as the page shows it: the profile, its problems, the secret, the last check. */
export type EndpointView = ValueOf<'endpoint:settings'>;
/** One preflight step's outcome. */
export type PreflightStep = ValueOf<'endpoint:preflight'>['steps'][number];

/** A step's message, and its fix when it failed or warns (else ''). */
export function describeStep(t: TFunction, step: PreflightStep): { message: string; fix: string } {
  const params = localizeParams(t, step.params);
  const message = t(`preflight.codes.${step.code}`, params);
  const fix = step.status === 'fail' || step.status === 'warn' ? t(`preflight.fixes.${step.code}`, { ...params, defaultValue: '' }) : '';
  return { message, fix };
}

/** Whether the upload queue may send, in the words the core's gate uses. */
export function describeGate(t: TFunction, language: string, view: EndpointView, bridgeUp: boolean): { open: boolean; text: string } {
  if (!bridgeUp) return { open: false, text: t('connectionPage.gateUnknown') };
  const last = view.lastPreflight;
  if (last && last.ok && !last.stale) return { open: true, text: t('connectionPage.gateOpen', { at: formatDateTime(last.at, language) }) };
  const reason = !last
    ? // This is the Connection page: say where the button is, not "go to the Connection page".
      t('connectionPage.gateMissingHere')
    : last.stale
      ? t('errors.preflight-stale')
      : t('errors.preflight-failed', { steps: last.failed.map((id) => t(`preflight.steps.${id}`)).join(', ') });
  return { open: false, text: t('connectionPage.gateShut', { reason }) };
}

/** The API secret's state: training needs none, missing, stored, or stored for another address. */
export function describeSecret(t: TFunction, view: EndpointView): string {
  return t(view.settings.preset === 'local-training' ? 'connectionPage.secretTraining' : !view.secret.stored ? 'connectionPage.secretMissing' : view.secret.forThisAddress ? 'connectionPage.secretStored' : 'connectionPage.secretOtherAddress');
}

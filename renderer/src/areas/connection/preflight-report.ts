// The preflight report support asks for first, in one paste: which app, which station, which endpoint, which way out, each step.
import type { TFunction } from 'i18next';
import { describeSecret, describeStep, type EndpointView, type PreflightStep } from './preflight-text.js';

/** `2026-11-27 16:05:09 +08:00`: the station's local time with its offset. */
function formatLocalTime(date: Date): string {
  const pad = (value: number) => String(Math.abs(value)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${offset >= 0 ? '+' : '-'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** The report's lines: the app and time, the station and profile, the endpoint and how it is reached, then one line per step. */
export function composePreflightReport(t: TFunction, info: EndpointView | null, steps: readonly PreflightStep[], appVersion: string | undefined): string {
  const target = info ? (info.settings.preset === 'local-training' ? (info.trainingAddress ?? info.settings.apiAddress) : info.settings.adapter === 'folder' ? (info.settings.folderPath ?? '') : info.settings.apiAddress) : '';
  return [
    // Local time with its offset: what the clerk's clock and the status line show, still unambiguous.
    `${t('app.name')} ${appVersion ?? ''} · ${formatLocalTime(new Date())}`,
    info ? `${t('endpointSettings.fields.stationId')}: ${info.settings.stationId} · ${t('endpointSettings.fields.profileName')}: ${info.settings.profileName}` : '',
    info ? `${t('connectionPage.apiAddress')}: ${target} (${t(`connectionPage.presets.${info.settings.preset}`)}, ${t(`endpointSettings.adapters.${info.settings.adapter}`)}, ${t(`connectionPage.modes.${info.settings.mode}`)})` : '',
    info && info.settings.adapter === 'http' ? `${t('endpointSettings.fields.clientId')}: ${info.settings.clientId} · ${describeSecret(t, info)}${info.settings.proxy ? ` · ${t('endpointSettings.fields.proxy')}: ${info.settings.proxy}` : ''}` : '',
    ...steps.map((step) => {
      const { message, fix } = describeStep(t, step);
      return `[${t(`selfCheck.status.${step.status}`)}] ${t(`preflight.steps.${step.id}`)} (${step.ms} ms): ${message}${fix ? ` → ${fix}` : ''}`;
    }),
  ]
    .filter(Boolean)
    .join('\n');
}

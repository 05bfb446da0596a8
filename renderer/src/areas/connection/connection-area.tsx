import { useCallback, useEffect, useRef, useState } from 'react';
import { useStepJob } from '../../components/use-step-job.js';
import { preflightStepIds } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { useTranslation } from 'react-i18next';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeCode, describeError } from '../../api/error-text.js';
import { announceEndpointChange } from '../../api/endpoint-events.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { useBridgeHealth } from '../../api/bridge-health.js';
import { focusWhenPainted } from '../../components/focus.js';
import { localizeParams } from '../../../../electron/shared/message-text.js';

/** `2026-11-27 16:05:09 +08:00`: the station's local time with its offset. */
function formatLocalTime(date: Date): string {
  const pad = (value: number) => String(Math.abs(value)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${offset >= 0 ? '+' : '-'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}
import { StepTable } from '../../components/step-table.js';
import { formatDateTime } from '../../components/date-text.js';

type Settings = ValueOf<'endpoint:settings'>;
type Step = ValueOf<'endpoint:preflight'>['steps'][number];

/** Connection: which endpoint this station uses, and the step-by-step preflight with fixes. */
export function ConnectionArea({ onOpenSettings, appVersion }: { onOpenSettings: () => void; appVersion?: string }) {
  const { t, i18n } = useTranslation();
  const bridgeUp = useBridgeHealth();
  const api = useApi();
  const [info, setInfo] = useState<Settings | null>(null);
  const [settingsError, setSettingsError] = useState<AppErrorInfo | null>(null);
  const [copied, setCopied] = useState(false);
  const start = useCallback((jobId: string) => api.endpoint.preflight({ jobId }), [api]);
  const job = useStepJob('endpoint:preflightStep', start);
  const { running, steps } = job;
  const verdict = job.result ? job.result.ok : null;
  const error = job.error ?? settingsError;
  const reportRef = useRef<HTMLTextAreaElement>(null);

  const refresh = useCallback(() => {
    void api.endpoint.settings().then((result) => (result.ok ? setInfo(result.value) : setSettingsError(result.error)));
  }, [api]);
  useEffect(refresh, [refresh]);

  const run = async () => {
    setCopied(false);
    await job.run();
    refresh();
    announceEndpointChange();
    // The verdict (or the error) is where the eye and the keyboard go next.
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="preflight-verdict"], [data-testid="preflight-error"]'));
  };

  /** Whether the upload queue may send, in the words the core's gate uses. */
  const gate = (view: Settings): { open: boolean; text: string } => {
    if (!bridgeUp) return { open: false, text: t('connectionPage.gateUnknown') };
    const last = view.lastPreflight;
    if (last && last.ok && !last.stale) return { open: true, text: t('connectionPage.gateOpen', { at: formatDateTime(last.at, i18n.language) }) };
    const reason = !last
      ? // This is the Connection page: say where the button is, not "go to the Connection page".
        t('connectionPage.gateMissingHere')
      : last.stale
        ? t('errors.preflight-stale')
        : t('errors.preflight-failed', { steps: last.failed.map((id) => t(`preflight.steps.${id}`)).join(', ') });
    return { open: false, text: t('connectionPage.gateShut', { reason }) };
  };

  const detail = (step: Step) => {
    const params = localizeParams(t, step.params);
    const message = t(`preflight.codes.${step.code}`, params);
    const fix = step.status === 'fail' || step.status === 'warn' ? t(`preflight.fixes.${step.code}`, { ...params, defaultValue: '' }) : '';
    return { message, fix };
  };
  // What support asks first, in one paste: which app, which station, which endpoint, which way out.
  const target = info ? (info.settings.preset === 'local-training' ? (info.trainingAddress ?? info.settings.apiAddress) : info.settings.adapter === 'folder' ? (info.settings.folderPath ?? '') : info.settings.apiAddress) : '';
  const report = [
    // Local time with its offset: what the clerk's clock and the status line show, still unambiguous.
    `${t('app.name')} ${appVersion ?? ''} · ${formatLocalTime(new Date())}`,
    info ? `${t('endpointSettings.fields.stationId')}: ${info.settings.stationId} · ${t('endpointSettings.fields.profileName')}: ${info.settings.profileName}` : '',
    info ? `${t('connectionPage.apiAddress')}: ${target} (${t(`connectionPage.presets.${info.settings.preset}`)}, ${t(`endpointSettings.adapters.${info.settings.adapter}`)}, ${t(`connectionPage.modes.${info.settings.mode}`)})` : '',
    info && info.settings.adapter === 'http' ? `${t('endpointSettings.fields.clientId')}: ${info.settings.clientId} · ${t(info.settings.preset === 'local-training' ? 'connectionPage.secretTraining' : !info.secret.stored ? 'connectionPage.secretMissing' : info.secret.forThisAddress ? 'connectionPage.secretStored' : 'connectionPage.secretOtherAddress')}${info.settings.proxy ? ` · ${t('endpointSettings.fields.proxy')}: ${info.settings.proxy}` : ''}` : '',
    ...steps.map((step) => {
      const { message, fix } = detail(step);
      return `[${t(`selfCheck.status.${step.status}`)}] ${t(`preflight.steps.${step.id}`)} (${step.ms} ms): ${message}${fix ? ` → ${fix}` : ''}`;
    }),
  ]
    .filter(Boolean)
    .join('\n');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(report);
    } catch {
      // Permission-less fallback (the desktop shell denies clipboard permissions by design).
      reportRef.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };

  return (
    <>
      <QueueRefusal />
      <section className="panel" aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">{t('connectionPage.profile')}</h2>
        {info && (
          <>
            <dl className="facts">
              <dt>{t('connectionPage.profileName')}</dt>
              <dd>{info.settings.profileName}</dd>
              <dt>{t('connectionPage.preset')}</dt>
              <dd>{t(`connectionPage.presets.${info.settings.preset}`)}</dd>
              {info.settings.adapter === 'folder' ? (
                <>
                  <dt>{t('endpointSettings.fields.folderPath')}</dt>
                  <dd className="mono">{info.settings.folderPath}</dd>
                </>
              ) : (
                <>
                  <dt>{t('connectionPage.apiAddress')}</dt>
                  <dd className="mono" data-testid="connection-api-address">
                    {info.settings.preset === 'local-training' ? (info.trainingAddress ?? t('connectionPage.trainingNotStarted')) : info.settings.apiAddress}
                  </dd>
                  <dt>{t('endpointSettings.fields.clientId')}</dt>
                  <dd className="mono">
                    {info.settings.clientId} · {t(info.settings.preset === 'local-training' ? 'connectionPage.secretTraining' : !info.secret.stored ? 'connectionPage.secretMissing' : info.secret.forThisAddress ? 'connectionPage.secretStored' : 'connectionPage.secretOtherAddress')}
                  </dd>
                </>
              )}
              <dt>{t('connectionPage.mode')}</dt>
              <dd>{t(`connectionPage.modes.${info.settings.mode}`)}</dd>
            </dl>
            {info.settings.preset === 'local-training' && <p className="muted">{t('connectionPage.trainingNote')}</p>}
            {info.problems.length > 0 && (
              <>
                <h3>{t('connectionPage.settingsProblems')}</h3>
                <ul className="problems">
                  {info.problems.map((problem) => (
                    <li key={problem.code} className="problem">
                      <span className={`pill ${problem.severity === 'error' ? 'pill-fail' : 'pill-warn'}`}>{problem.field}</span> {t(`endpointProblems.${problem.code}`, problem.params)}
                      <div className="fix">
                        <strong>{t('templateCheck.fix')}</strong> {t(`endpointFixes.${problem.code}`, problem.params)}
                      </div>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
        {info && !running && (
          <p className={`gate ${gate(info).open ? 'gate-open' : 'gate-shut'}`} data-testid="upload-gate">
            {gate(info).text}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void run()} disabled={running} data-testid="run-preflight">
            {running ? t('connectionPage.running') : t('connectionPage.run')}
          </button>
          <button type="button" onClick={onOpenSettings}>
            {t('connectionPage.editSettings')}
          </button>
        </div>
        {(running || steps.length > 0) && <ProgressBar value={steps.length} max={preflightStepIds.length} label={t('connectionPage.run')} />}
        {error && (
          <p className="banner banner-fail" role="alert" data-testid="preflight-error">
            {describeError(t, error)}
          </p>
        )}
        {verdict !== null && (
          <p className={`banner banner-${verdict ? 'pass' : 'fail'}`} role="status" tabIndex={-1} data-testid="preflight-verdict">
            {verdict ? t('connectionPage.passed') : t('connectionPage.failed')}
          </p>
        )}
        {steps.length > 0 && (
          <StepTable
            testId="preflight-steps"
            rows={steps.map((step) => ({ key: step.id, label: t(`preflight.steps.${step.id}`), status: step.status, ms: step.ms, detail: detail(step).message, fix: detail(step).fix || undefined }))}
          />
        )}
      </section>
      {verdict !== null && (
        <section className="panel">
          <h2>{t('connectionPage.report')}</h2>
          <textarea ref={reportRef} className="report" readOnly value={report} rows={Math.min(14, report.split('\n').length + 1)} data-testid="preflight-report" />
          <div className="actions">
            <button type="button" onClick={() => void copy()}>
              {copied ? t('connectionPage.copied') : t('connectionPage.copy')}
            </button>
          </div>
        </section>
      )}
    </>
  );
}

/**
 * When the imaging system refused this station mid-upload, the queue pauses; this page is where it is
 * fixed, so it says so here too, with the server's words (it resumes by itself once a check passes).
 */
function QueueRefusal() {
  const { t } = useTranslation();
  const api = useApi();
  const [detail, setDetail] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const look = () =>
      void api.upload.status().then((result) => {
        if (stopped || !result.ok) return;
        const status = result.value;
        // The server's words go inside the sentence: without their own full stop.
        setDetail(status.state === 'paused' && status.reason === 'fix-settings' && status.detail ? describeCode(t, status.detail.code, status.detail.params).replace(/[。.]\s*$/, '') : null);
      });
    look();
    const timer = setInterval(look, 3000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, t]);
  if (!detail) return null;
  return (
    <p className="banner banner-fail" role="alert" data-testid="connection-queue-refused">
      {t('connectionPage.queueRefused', { detail })}
    </p>
  );
}

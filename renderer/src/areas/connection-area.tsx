import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorInfo } from '../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../electron/shared/ipc-contract.js';
import { useApi } from '../api/api-context.js';
import { describeError } from '../api/error-text.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StepTable } from '../components/step-table.js';

type Settings = ValueOf<'endpoint:settings'>;
type Step = ValueOf<'endpoint:preflight'>['steps'][number];

/** Connection: which endpoint this station uses, and the step-by-step preflight with fixes. */
export function ConnectionArea() {
  const { t } = useTranslation();
  const api = useApi();
  const [info, setInfo] = useState<Settings | null>(null);
  const [steps, setSteps] = useState<Step[]>([]);
  const [running, setRunning] = useState(false);
  const [verdict, setVerdict] = useState<boolean | null>(null);
  const [error, setError] = useState<AppErrorInfo | null>(null);
  const [copied, setCopied] = useState(false);
  const jobRef = useRef<string | null>(null);
  const reportRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    void api.endpoint.settings().then((result) => (result.ok ? setInfo(result.value) : setError(result.error)));
  }, [api]);
  useEffect(
    () =>
      api.on('endpoint:preflightStep', (event) => {
        if (event.jobId === jobRef.current) setSteps((previous) => [...previous.filter((step) => step.id !== event.step.id), event.step]);
      }),
    [api],
  );

  const run = async () => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setRunning(true);
    setSteps([]);
    setVerdict(null);
    setError(null);
    setCopied(false);
    const result = await api.endpoint.preflight({ jobId });
    setRunning(false);
    if (result.ok) {
      setSteps(result.value.steps);
      setVerdict(result.value.ok);
    } else setError(result.error);
  };

  const detail = (step: Step) => {
    const message = t(`preflight.codes.${step.code}`, step.params);
    const fix = step.status === 'fail' || step.status === 'warn' ? t(`preflight.fixes.${step.code}`, { ...step.params, defaultValue: '' }) : '';
    return { message, fix };
  };
  const report = [
    `${t('app.name')} · ${new Date().toISOString()}`,
    info ? `${t('connectionPage.apiAddress')}: ${info.settings.apiAddress} (${t(`connectionPage.presets.${info.settings.preset}`)})` : '',
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
      <section className="panel" aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">{t('connectionPage.profile')}</h2>
        {info && (
          <>
            <dl className="facts">
              <dt>{t('connectionPage.profileName')}</dt>
              <dd>{info.settings.profileName}</dd>
              <dt>{t('connectionPage.preset')}</dt>
              <dd>{t(`connectionPage.presets.${info.settings.preset}`)}</dd>
              <dt>{t('connectionPage.apiAddress')}</dt>
              <dd className="mono">{info.settings.apiAddress}</dd>
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
        <div className="actions">
          <button type="button" className="primary" onClick={() => void run()} disabled={running} data-testid="run-preflight">
            {running ? t('connectionPage.running') : t('connectionPage.run')}
          </button>
        </div>
        {(running || steps.length > 0) && <ProgressBar value={steps.length} max={9} label={t('connectionPage.run')} />}
        {error && (
          <p className="banner banner-fail" role="alert">
            {describeError(t, error)}
          </p>
        )}
        {verdict !== null && (
          <p className={`banner banner-${verdict ? 'pass' : 'fail'}`} role="status" data-testid="preflight-verdict">
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

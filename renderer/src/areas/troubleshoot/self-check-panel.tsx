import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { StepTable } from '../../components/step-table.js';
import { useStepJob } from '../../components/use-step-job.js';
import { focusWhenPainted } from '../../components/focus.js';
import { localizeParams } from '../../../../electron/shared/message-text.js';

/** Runs the station self-check with live progress and shows each step's result. */
export function SelfCheckPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const start = useCallback((jobId: string) => api.diagnose.stationCheck({ jobId }), [api]);
  const { running, steps, total, result: report, error, run: runJob } = useStepJob('diagnose:progress', start);
  const run = async () => {
    await runJob();
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="self-check-verdict"], [data-testid="self-check-error"]'));
  };

  const summaryKey = report ? ({ pass: 'summaryPass', warn: 'summaryWarn', fail: 'summaryFail' } as const)[report.verdict] : null;

  return (
    <section className="panel" aria-labelledby="self-check-title">
      <h2 id="self-check-title">{t('selfCheck.title')}</h2>
      <p className="muted">{t('selfCheck.intro')}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void run()} disabled={running} data-testid="run-self-check">
          {running ? t('selfCheck.running') : t('selfCheck.run')}
        </button>
      </div>
      {(running || total > 0) && <ProgressBar value={steps.length} max={total || 1} label={t('selfCheck.title')} />}
      {error && (
        <p className="banner banner-fail" role="alert" data-testid="self-check-error">
          {describeError(t, error)}
        </p>
      )}
      {report && summaryKey && (
        <p className={`banner banner-${report.verdict}`} role="status" data-testid="self-check-verdict">
          {t(`selfCheck.${summaryKey}`)}
        </p>
      )}
      {steps.length > 0 && (
        <StepTable rows={steps.map((step) => ({ key: step.id, label: t(`selfCheck.steps.${step.id}`), status: step.status, detail: t(`selfCheck.messages.${step.code}`, localizeParams(t, step.params)), ms: step.ms }))} />
      )}
    </section>
  );
}

// The preflight as it runs: its progress, the error that stopped it, the verdict, and each step with its fix.
import { useTranslation } from 'react-i18next';
import { preflightStepIds } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { describeError } from '../../api/error-text.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { StepTable } from '../../components/step-table.js';
import { describeStep } from './preflight-text.js';
import type { Preflight } from './use-preflight.js';

/** The progress bar, the error or the verdict (which takes the focus after a run), and the steps table. */
export function PreflightSteps({ preflight }: { preflight: Preflight }) {
  const { t } = useTranslation();
  const { running, steps, verdict, error } = preflight;
  return (
    <>
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
          rows={steps.map((step) => ({ key: step.id, label: t(`preflight.steps.${step.id}`), status: step.status, ms: step.ms, detail: describeStep(t, step).message, fix: describeStep(t, step).fix || undefined }))}
        />
      )}
    </>
  );
}

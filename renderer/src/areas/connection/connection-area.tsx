// The Connection page: the queue's refusal if any, the endpoint profile with the upload gate and the preflight, then its report.
import { useTranslation } from 'react-i18next';
import { useBridgeHealth } from '../../api/bridge-health.js';
import { PreflightReportPanel } from './preflight-report-panel.js';
import { PreflightSteps } from './preflight-steps.js';
import { describeGate } from './preflight-text.js';
import { ProfileFacts } from './profile-facts.js';
import { QueueRefusal } from './queue-refusal.js';
import { usePreflight } from './use-preflight.js';

/** Connection: which endpoint this station uses, and the step-by-step preflight with fixes. */
export function ConnectionArea({ onOpenSettings, appVersion }: { onOpenSettings: () => void; appVersion?: string }) {
  const { t, i18n } = useTranslation();
  const bridgeUp = useBridgeHealth();
  const preflight = usePreflight();
  const { info, running, steps, verdict, run } = preflight;
  const gate = info ? describeGate(t, i18n.language, info, bridgeUp) : null;

  return (
    <>
      <QueueRefusal />
      <section className="panel" aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">{t('connectionPage.profile')}</h2>
        {info && <ProfileFacts info={info} />}
        {gate && !running && (
          <p className={`gate ${gate.open ? 'gate-open' : 'gate-shut'}`} data-testid="upload-gate">
            {gate.text}
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
        <PreflightSteps preflight={preflight} />
      </section>
      {verdict !== null && <PreflightReportPanel info={info} steps={steps} appVersion={appVersion} />}
    </>
  );
}

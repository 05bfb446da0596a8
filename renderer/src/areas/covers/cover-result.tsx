// A cover job's result where the clerk asked: its progress, then what it made and the covers it refused.
import { useTranslation } from 'react-i18next';
import { localizeCoverRejection } from '../../../../electron/shared/cover-messages.js';
import { ProgressBar } from '../../components/progress-bar.js';
import type { CoverJobs, CoverTarget } from './use-cover-jobs.js';

/** The result block under the form (`single`) or the batch (`batch`); it takes the focus when a result arrives. */
export function CoverResult({ target, jobs }: { target: CoverTarget; jobs: CoverJobs }) {
  const { t } = useTranslation();
  const { progress, outcome, singleResultRef, batchResultRef } = jobs;
  return (
    <div ref={target === 'single' ? singleResultRef : batchResultRef} tabIndex={-1} className="inline-result" aria-live="polite">
      {progress?.target === target && <ProgressBar value={progress.done} max={progress.total || 1} label={t('coversPage.generating', progress)} />}
      {outcome?.target === target && (
        <div data-testid={target === 'single' ? 'cover-outcome' : 'cover-batch-outcome'}>
          <p className={`banner banner-${outcome.tone}`} role={outcome.tone === 'fail' ? 'alert' : 'status'}>
            {outcome.message}
          </p>
          {outcome.rejected.length > 0 && (
            <>
              <h3>{t('coversPage.rejectedTitle')}</h3>
              <ul>
                {outcome.rejected.map((entry) => (
                  <li key={`${entry.line}-${entry.code}`}>
                    {entry.line > 0 ? `${t('coversPage.line')} ${entry.line} · ` : ''}
                    {entry.code}: {localizeCoverRejection(t, entry.problem)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}

// The template check's top panel: where files are dropped, the dpi and code-pattern fields, the progress, the station's errors.
import { useTranslation } from 'react-i18next';
import { DropZone } from '../../components/drop-zone.js';
import { TextField } from '../../components/field.js';
import { ProgressBar } from '../../components/progress-bar.js';
import type { TemplateCheck } from './use-template-check.js';

/** The drop zone and its two fields; while files are checked, which one and page with Cancel; what was finished, said aloud. */
export function CheckDropPanel({ check }: { check: TemplateCheck }) {
  const { t } = useTranslation();
  const { dpiText, setDpiText, pattern, setPattern, dpiError, patternError, reveal, progress, error, announcement, pickRef, dpiRef, patternRef, checkFiles, cancel } = check;
  return (
    <section className="panel">
      <DropZone text={t('templateCheck.drop')} busy={progress !== null} onFiles={(files) => void checkFiles(files)} testId="drop-zone" inputTestId="file-input" pickRef={pickRef} />
      <div className="settings-row">
        <TextField label={t('templateCheck.dpi')} value={dpiText} onChange={setDpiText} error={dpiError} revealError={reveal} inputMode="numeric" testId="check-dpi" inputRef={dpiRef} />
        <TextField className="grow" label={t('templateCheck.pattern')} value={pattern} onChange={setPattern} error={patternError} revealError={reveal} mono placeholder="^[A-Za-z0-9._-]{4,50}$" testId="check-pattern" inputRef={patternRef} />
      </div>
      {progress && (
        <div className="job-row" data-testid="check-progress">
          <ProgressBar value={progress.page} max={progress.pageCount || 1} label={t('templateCheck.running', { name: progress.name, page: progress.page, pages: progress.pageCount || '…' })} />
          <p className="muted">
            {progress.files > 1 ? `${t('templateCheck.fileOf', { file: progress.file, files: progress.files })} · ` : ''}
            {t('templateCheck.running', { name: progress.name, page: progress.page, pages: progress.pageCount || '…' })}
          </p>
          <button type="button" className="secondary" onClick={cancel} data-testid="check-cancel">
            {t('templateCheck.cancel')}
          </button>
        </div>
      )}
      {error && (
        <p className="banner banner-fail" role="alert" data-testid="check-error">
          {error}
        </p>
      )}
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}

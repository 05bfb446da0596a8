// The endpoint form's save bar, kept in view: the notice line, Save (Ctrl+S), and why Save is blocked or what is unsaved.
import { useTranslation } from 'react-i18next';
import type { EndpointSettingsState } from './use-endpoint-settings.js';

/** The sticky bar under the form: results of Save, export and import appear here, beside the buttons. */
export function SaveBar({ edit }: { edit: EndpointSettingsState }) {
  const { t } = useTranslation();
  const { notice, noticeRef, dirty, errors, saving, save } = edit;
  return (
    <div className="sticky-actions">
      {/* Results of Save, export and import appear here, beside the buttons, in view. */}
      {notice && (
        <p ref={noticeRef} tabIndex={-1} className={`banner banner-${notice.tone}`} role={notice.tone === 'fail' ? 'alert' : 'status'} data-testid="endpoint-notice">
          {notice.text}
        </p>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={!dirty || errors > 0 || saving} onClick={() => void save()} data-testid="endpoint-save" aria-keyshortcuts="Control+S">
          {saving ? t('endpointSettings.saving') : t('endpointSettings.save')} <kbd className="key-hint">Ctrl+S</kbd>
        </button>
        {errors > 0 && <span className="pill pill-fail">{t('endpointSettings.errorsBlockSave', { count: errors })}</span>}
        {dirty && errors === 0 && <span className="pill pill-warn" data-testid="endpoint-unsaved">{t('app.unsavedHint')}</span>}
        {!dirty && errors === 0 && <span className="muted">{t('endpointSettings.noChanges')}</span>}
      </div>
    </div>
  );
}

// The endpoint profile as a file: export it (never with secrets), import one to review before saving, and the way to the connection page.
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import type { useConfirm } from '../../components/confirm-dialog.js';
import { downloadBytes } from '../../files.js';
import type { EndpointSettingsState } from './use-endpoint-settings.js';

/** Export, import (asks before replacing unsaved edits) and "open the connection page". */
export function ProfileActions({ edit, ask, onOpenConnection }: { edit: EndpointSettingsState; ask: ReturnType<typeof useConfirm>['ask']; onOpenConnection: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const { dirty, setDraft, setPortText, tell, showError } = edit;
  const importRef = useRef<HTMLInputElement>(null);
  const exportProfile = async () => {
    const result = await api.endpoint.export();
    if (!result.ok) return showError(result.error);
    downloadBytes(result.value.text, result.value.fileName, 'application/json');
    tell({ tone: 'pass', text: t('endpointSettings.exported', { file: result.value.fileName }) });
  };
  const importProfile = async (file: File | undefined) => {
    if (!file) return;
    // A profile is a few KB; anything near the channel's limit is the wrong file.
    if (file.size > 256 * 1024) return tell({ tone: 'fail', text: t('errors.file-too-large', { name: file.name, size: `${Math.ceil(file.size / 1024)} KB`, limit: '256 KB' }) });
    const result = await api.endpoint.parseProfile({ text: await file.text(), name: file.name });
    if (!result.ok) return showError(result.error);
    if (dirty && !(await ask({ title: t('endpointSettings.discardTitle'), body: t('endpointSettings.discardImport', { name: file.name }), confirm: t('endpointSettings.discardConfirm') }))) return;
    setDraft(result.value.settings);
    setPortText(null);
    tell({ tone: result.value.problems.some((problem) => problem.severity === 'error') ? 'fail' : 'warn', text: t('endpointSettings.importedReview', { name: file.name }) });
  };
  return (
    <div className="actions">
      <button type="button" onClick={() => void exportProfile()} data-testid="endpoint-export">
        {t('endpointSettings.export')}
      </button>
      <button type="button" onClick={() => importRef.current?.click()}>
        {t('endpointSettings.import')}
      </button>
      <input ref={importRef} type="file" accept=".json,application/json" hidden data-testid="endpoint-import-file" onChange={(event) => void importProfile(event.currentTarget.files?.[0])} />
      <button type="button" onClick={onOpenConnection} data-testid="endpoint-open-connection">
        {t('endpointSettings.openConnection')}
      </button>
    </div>
  );
}

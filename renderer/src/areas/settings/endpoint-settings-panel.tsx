// Settings → imaging endpoint: the panel that puts the endpoint form's parts together, with Ctrl+S to save.
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../components/confirm-dialog.js';
import { EndpointFields } from './endpoint-fields.js';
import { ImagingPathsFields } from './imaging-paths-fields.js';
import { LastPreflightLine } from './last-preflight-line.js';
import { PresetChoice } from './preset-choice.js';
import { ProfileActions } from './profile-actions.js';
import { SaveBar } from './save-bar.js';
import { useEndpointSettings } from './use-endpoint-settings.js';

/**
 * Settings → imaging endpoint: presets, every field with inline validation (the same rules core
 * applies), the client secret (write-only), the CA certificate, export/import without secrets.
 */
export function EndpointSettingsPanel({ onOpenConnection }: { onOpenConnection: () => void }) {
  const { t } = useTranslation();
  const edit = useEndpointSettings();
  const { view, draft, notice, save } = edit;
  const { ask, dialog } = useConfirm();
  if (!draft || !view) return notice ? <p className={`banner banner-${notice.tone}`}>{notice.text}</p> : null;

  return (
    <section
      className="panel"
      aria-labelledby="endpoint-settings-title"
      onKeyDown={(event) => {
        // Ctrl+S saves, as everywhere else on a desk PC.
        if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
          event.preventDefault();
          void save();
        }
      }}
    >
      {dialog}
      <h2 id="endpoint-settings-title">{t('endpointSettings.title')}</h2>
      <p className="muted">{t('endpointSettings.intro')}</p>

      <PresetChoice draft={draft} edit={edit} />

      <EndpointFields draft={draft} view={view} edit={edit} />

      {draft.adapter === 'http' && <ImagingPathsFields draft={draft} edit={edit} />}

      <SaveBar edit={edit} />
      {/* Not about saving: kept out of the sticky bar so it stays one row high at 1024×700. */}
      <ProfileActions edit={edit} ask={ask} onOpenConnection={onOpenConnection} />
      <LastPreflightLine last={view.lastPreflight} />
    </section>
  );
}

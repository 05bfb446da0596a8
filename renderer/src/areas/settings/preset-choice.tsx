// The endpoint's kind on the settings form: the environment preset and the adapter (HTTP or a shared folder).
import { useTranslation } from 'react-i18next';
import { environmentPresets, type EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { switchPreset } from './switch-preset.js';
import type { EndpointSettingsState } from './use-endpoint-settings.js';

/** Two rows of radio cards: which environment (a preset sets its fields) and which adapter. */
export function PresetChoice({ draft, edit }: { draft: EndpointSettings; edit: EndpointSettingsState }) {
  const { t } = useTranslation();
  const { update } = edit;
  return (
    <>
      <h3>{t('connectionPage.preset')}</h3>
      <div className="radio-row" role="radiogroup" aria-label={t('connectionPage.preset')}>
        {environmentPresets.map((preset) => (
          <label key={preset} className={`radio-card${draft.preset === preset ? ' selected' : ''}`}>
            <input type="radio" name="preset" value={preset} checked={draft.preset === preset} data-testid={`preset-${preset}`} onChange={() => update(switchPreset(draft, preset, (id) => t(`connectionPage.presets.${id}`)))} />
            {t(`connectionPage.presets.${preset}`)}
          </label>
        ))}
      </div>

      <h3>{t('endpointSettings.adapter')}</h3>
      <div className="radio-row" role="radiogroup" aria-label={t('endpointSettings.adapter')}>
        {(['http', 'folder'] as const).map((adapter) => (
          <label key={adapter} className={`radio-card${draft.adapter === adapter ? ' selected' : ''}`}>
            <input type="radio" name="adapter" value={adapter} checked={draft.adapter === adapter} data-testid={`adapter-${adapter}`} onChange={() => update({ adapter })} />
            {t(`endpointSettings.adapters.${adapter}`)}
          </label>
        ))}
      </div>
    </>
  );
}

// The imaging system's API paths on the endpoint form (advanced, HTTP only): each blank keeps its default.
import { useTranslation } from 'react-i18next';
import { defaultImagingPaths, type EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { FieldProblems } from './field-problems.js';
import type { EndpointSettingsState } from './use-endpoint-settings.js';

const pathNames = Object.keys(defaultImagingPaths) as Array<keyof typeof defaultImagingPaths>;

/** The folded-away paths section: one input per API path, its default as the placeholder. */
export function ImagingPathsFields({ draft, edit }: { draft: EndpointSettings; edit: EndpointSettingsState }) {
  const { t } = useTranslation();
  const { update, problemsOf, applyFix } = edit;
  return (
    <details className="advanced">
      <summary>{t('endpointSettings.paths')}</summary>
      <p className="muted">{t('endpointSettings.pathsIntro')}</p>
      <div className="form-grid">
        {pathNames.map((name) => (
          <label key={name}>
            {t(`endpointSettings.pathNames.${name}`)}
            <input
              type="text"
              className="mono"
              spellCheck={false}
              value={draft.httpPaths?.[name] ?? ''}
              placeholder={defaultImagingPaths[name]}
              onChange={(event) => {
                const value = event.currentTarget.value.trim();
                const { [name]: _old, ...others } = draft.httpPaths ?? {};
                const next = value ? { ...others, [name]: value } : others;
                update({ httpPaths: Object.keys(next).length ? next : undefined });
              }}
            />
          </label>
        ))}
      </div>
      <FieldProblems problems={problemsOf('httpPaths')} onApply={applyFix} />
    </details>
  );
}

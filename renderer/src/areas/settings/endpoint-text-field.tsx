// One text field of the endpoint form, checked as typed, with its problems under it.
import { useTranslation } from 'react-i18next';
import type { EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { FieldProblems } from './field-problems.js';
import type { EndpointSettingsState } from './use-endpoint-settings.js';

/** The endpoint's fields typed as text. */
export type EndpointTextFieldName = 'profileName' | 'host' | 'apiAddress' | 'code' | 'clientId' | 'taxNumber' | 'stationId' | 'scanPoint' | 'scanUser' | 'proxy' | 'folderPath';

/** A labelled text input for one endpoint field; an emptied optional field (proxy, folder, scan point, scan user) is removed, not saved as "". */
export function EndpointTextField({ field, draft, edit, mono, wide, placeholder }: { field: EndpointTextFieldName; draft: EndpointSettings; edit: EndpointSettingsState; mono?: boolean; wide?: boolean; placeholder?: string }) {
  const { t } = useTranslation();
  const { update, problemsOf, applyFix } = edit;
  return (
    <label className={wide ? 'wide' : undefined}>
      {t(`endpointSettings.fields.${field}`)}
      <input
        type="text"
        className={mono ? 'mono' : undefined}
        value={draft[field] ?? ''}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={problemsOf(field).some((problem) => problem.severity === 'error')}
        data-testid={`endpoint-${field}`}
        onChange={(event) => {
          const value = event.currentTarget.value;
          update({ [field]: (field === 'proxy' || field === 'folderPath' || field === 'scanPoint' || field === 'scanUser') && value === '' ? undefined : value });
        }}
      />
      <FieldProblems problems={problemsOf(field)} onApply={applyFix} />
    </label>
  );
}

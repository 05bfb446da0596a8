// The endpoint form's fields: who the station is, where the imaging system is and how to sign in to it, the scan resolution.
import { useTranslation } from 'react-i18next';
import { imagingModes, type EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { TextField } from '../../components/field.js';
import { readNumberText } from '../../components/number-text.js';
import { CaCertificateField } from './ca-certificate-field.js';
import { EndpointTextField } from './endpoint-text-field.js';
import { FieldProblems } from './field-problems.js';
import { SecretField } from './secret-field.js';
import type { EndpointSettingsState, EndpointView } from './use-endpoint-settings.js';

/** The form grid: the station's own fields, then the folder or the HTTP endpoint's fields, then the scan DPI. */
export function EndpointFields({ draft, view, edit }: { draft: EndpointSettings; view: EndpointView; edit: EndpointSettingsState }) {
  const { t } = useTranslation();
  const { update, problemsOf, applyFix, port, portText, setPortText, setNotice, setDraft } = edit;
  return (
    <div className="form-grid endpoint-form">
      <EndpointTextField field="profileName" draft={draft} edit={edit} />
      <EndpointTextField field="stationId" draft={draft} edit={edit} />
      {/* This station's own, as the ERP names them (影像映射维护): kept here, never exported with the profile. */}
      <EndpointTextField field="scanPoint" draft={draft} edit={edit} placeholder={t('endpointSettings.scanPointHint')} />
      <EndpointTextField field="scanUser" draft={draft} edit={edit} placeholder={t('endpointSettings.scanUserHint')} />
      {draft.adapter === 'folder' ? (
        <EndpointTextField field="folderPath" draft={draft} edit={edit} mono wide placeholder={'\\\\fileserver\\scans'} />
      ) : (
        <>
          <EndpointTextField field="apiAddress" draft={draft} edit={edit} mono wide placeholder="http://10.1.2.3:8080/api" />
          <EndpointTextField field="host" draft={draft} edit={edit} mono />
          <div className="pair">
            <label>
              {t('endpointSettings.fields.scheme')}
              <select value={draft.scheme} data-testid="endpoint-scheme" onChange={(event) => update({ scheme: event.currentTarget.value as EndpointSettings['scheme'] })}>
                <option value="http">http</option>
                <option value="https">https</option>
              </select>
            </label>
            <TextField
              label={t('endpointSettings.fields.port')}
              value={portText ?? String(draft.port)}
              inputMode="numeric"
              testId="endpoint-port"
              error={port.ok ? null : t(port.key, port.params)}
              onChange={(text) => {
                setNotice(null);
                setPortText(text);
                const read = readNumberText(text, { min: 1, max: 65535 });
                if (read.ok) setDraft((previous) => (previous ? { ...previous, port: read.value } : previous));
              }}
            />
            <FieldProblems problems={problemsOf('port')} onApply={applyFix} />
          </div>
          <EndpointTextField field="code" draft={draft} edit={edit} mono />
          <label>
            {t('connectionPage.mode')}
            <select value={draft.mode} data-testid="endpoint-mode" onChange={(event) => update({ mode: event.currentTarget.value as EndpointSettings['mode'] })}>
              {imagingModes.map((mode) => (
                <option key={mode} value={mode}>
                  {t(`connectionPage.modes.${mode}`)}
                </option>
              ))}
            </select>
            <FieldProblems problems={problemsOf('mode')} onApply={applyFix} />
          </label>
          <EndpointTextField field="clientId" draft={draft} edit={edit} mono />
          <SecretField draft={draft} view={view} edit={edit} />
          <EndpointTextField field="taxNumber" draft={draft} edit={edit} mono />
          <EndpointTextField field="proxy" draft={draft} edit={edit} mono placeholder="http://proxy.example:8080" />
          <CaCertificateField draft={draft} edit={edit} />
        </>
      )}
      <label>
        {t('endpointSettings.fields.scanDpi')}
        <select value={draft.scanDpi} data-testid="endpoint-dpi" onChange={(event) => update({ scanDpi: Number(event.currentTarget.value) })}>
          {[150, 200, 300, 400, 600].map((dpi) => (
            <option key={dpi} value={dpi}>
              {dpi} dpi
            </option>
          ))}
        </select>
        <FieldProblems problems={problemsOf('scanDpi')} onApply={applyFix} />
      </label>
    </div>
  );
}

// The CA certificate on the endpoint form: loaded from a PEM file, shown as loaded or not, removable.
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { FieldProblems } from './field-problems.js';
import type { EndpointSettingsState } from './use-endpoint-settings.js';

/** Pick or remove the CA certificate the station trusts for the imaging system's HTTPS. */
export function CaCertificateField({ draft, edit }: { draft: EndpointSettings; edit: EndpointSettingsState }) {
  const { t } = useTranslation();
  const { update, problemsOf, applyFix } = edit;
  const caRef = useRef<HTMLInputElement>(null);
  const loadCa = async (file: File | undefined) => {
    if (!file) return;
    // A PEM is small text; anything else is caught by the ca-not-pem rule right away.
    update({ caCertificatePem: (await file.slice(0, 64_000).text()).trim() });
  };
  return (
    <div className="wide">
      <span className="label-text">{t('endpointSettings.fields.caCertificatePem')}</span>
      <div className="actions">
        <span className={draft.caCertificatePem ? 'pill pill-pass' : 'pill pill-skipped'}>{draft.caCertificatePem ? t('endpointSettings.caLoaded') : t('endpointSettings.caNone')}</span>
        <button type="button" onClick={() => caRef.current?.click()}>
          {t('endpointSettings.caPick')}
        </button>
        {draft.caCertificatePem && (
          <button type="button" onClick={() => update({ caCertificatePem: undefined })}>
            {t('endpointSettings.caRemove')}
          </button>
        )}
        <input ref={caRef} type="file" accept=".pem,.crt,.cer" hidden data-testid="endpoint-ca-file" onChange={(event) => void loadCa(event.currentTarget.files?.[0])} />
      </div>
      <FieldProblems problems={problemsOf('caCertificatePem')} onApply={applyFix} />
    </div>
  );
}

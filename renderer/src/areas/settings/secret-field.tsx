// The client secret on the endpoint form: write-only, kept, replaced or cleared on save, and tied to the address it was entered for.
import { useTranslation } from 'react-i18next';
import type { EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import type { EndpointSettingsState, EndpointView } from './use-endpoint-settings.js';

/** The secret's password field, the "keep it for the new address" question, how it is protected, and "clear". */
export function SecretField({ draft, view, edit }: { draft: EndpointSettings; view: EndpointView; edit: EndpointSettingsState }) {
  const { t } = useTranslation();
  const { secret, setSecret, setNotice, secretElsewhere, keepForNewAddress, setKeepForNewAddress } = edit;
  return (
    <label>
      {t('endpointSettings.fields.clientSecret')}
      <input
        type="password"
        autoComplete="new-password"
        value={secret.kind === 'replace' ? secret.value : ''}
        placeholder={secret.kind === 'clear' ? t('endpointSettings.secretWillClear') : draft.preset === 'local-training' ? t('endpointSettings.secretTraining') : view.secret.stored ? t('endpointSettings.secretStored') : t('endpointSettings.secretMissing')}
        data-testid="endpoint-secret"
        onChange={(event) => {
          const value = event.currentTarget.value;
          setNotice(null);
          setSecret(value === '' ? { kind: 'keep' } : { kind: 'replace', value });
        }}
      />
      {secretElsewhere && (
        <span className="field-warning" data-testid="endpoint-secret-elsewhere">
          {t('endpointSettings.secretOtherAddress')}
          <label className="inline-check">
            <input type="checkbox" checked={keepForNewAddress} data-testid="endpoint-secret-keep" onChange={(event) => setKeepForNewAddress(event.currentTarget.checked)} />
            {t('endpointSettings.secretKeepForNew')}
          </label>
        </span>
      )}
      <span className="hint">
        {t(`endpointSettings.protection.${view.secret.protection}`)}
        {view.secret.stored && secret.kind !== 'clear' && (
          <button type="button" className="link-button" onClick={() => setSecret({ kind: 'clear' })}>
            {t('endpointSettings.clearSecret')}
          </button>
        )}
      </span>
    </label>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { computeErpPrefix } from '../../../../electron/shared/endpoint/erp-prefix.js';

/** The ERP prefix helper: paste the ERP login address, copy what the imaging tenant settings need. */
export function ErpPrefixPanel() {
  const { t } = useTranslation();
  const [address, setAddress] = useState('');
  const [copied, setCopied] = useState<string | null>(null);
  const result = address.trim() ? computeErpPrefix(address) : null;
  const copy = async (value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(value);
    } catch {
      // Clipboard permission is denied by design in the desktop shell; the value stays selectable.
      setCopied(null);
    }
  };
  return (
    <section className="panel" aria-labelledby="erp-prefix-title">
      <h2 id="erp-prefix-title">{t('erpPrefix.title')}</h2>
      <label className="stacked">
        {t('erpPrefix.loginAddress')}
        <input type="url" className="mono" value={address} placeholder="http://172.0.0.1:8080/ierp/" spellCheck={false} data-testid="erp-login" onChange={(event) => setAddress(event.currentTarget.value)} />
      </label>
      {address.trim() && !result && (
        <p className="field-problem field-problem-error" role="alert">
          {t('cli.config.badUrl', { url: address.trim() })}
        </p>
      )}
      {result && (
        <dl className="facts" data-testid="erp-result">
          <dt>{t('erpPrefix.prefix')}</dt>
          <dd>
            <code className="mono selectable" data-testid="erp-prefix">
              {result.prefix}
            </code>{' '}
            <button type="button" className="link-button" onClick={() => void copy(result.prefix)}>
              {copied === result.prefix ? t('connectionPage.copied') : t('erpPrefix.copy')}
            </button>
          </dd>
          <dt>{t('erpPrefix.serviceDomain')}</dt>
          <dd>
            <code className="mono selectable">{result.serviceDomain}</code>{' '}
            <button type="button" className="link-button" onClick={() => void copy(result.serviceDomain)}>
              {copied === result.serviceDomain ? t('connectionPage.copied') : t('erpPrefix.copy')}
            </button>
          </dd>
        </dl>
      )}
      <p className="muted">{t('erpPrefix.explain')}</p>
    </section>
  );
}

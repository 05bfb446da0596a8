// The diagnostic bundle: one click to a zip for support, of the codes just traced or of the last days.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { downloadBytes } from '../../files.js';

/** One click to a zip for support: the codes just traced, or the last days. */
export function BundlePanel({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  const api = useApi();
  // The person's choice holds for the codes it was made for; a fresh trace makes its codes the scope.
  const [choice, setChoice] = useState<{ scope: 'codes' | 'days'; codes: string[] } | null>(null);
  const scope = codes.length === 0 ? 'days' : choice && choice.codes === codes ? choice.scope : 'codes';
  const setScope = (next: 'codes' | 'days') => setChoice({ scope: next, codes });
  const [days, setDays] = useState('7');
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const make = async () => {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    setMade(null);
    const dayCount = Math.min(90, Math.max(1, Number.parseInt(days, 10) || 7));
    const answer = await api.support.bundle(scope === 'codes' && codes.length ? { codes } : { days: dayCount });
    setBusy(false);
    if (!answer.ok) return setProblem(describeError(t, answer.error));
    const bytes = Uint8Array.from(atob(answer.value.zipBase64), (char) => char.charCodeAt(0));
    downloadBytes(bytes, answer.value.name, 'application/zip');
    setMade(t('troubleshoot.bundle.ready', { name: answer.value.name, size: `${Math.max(1, Math.round(bytes.length / 1024))} KB` }));
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="bundle-made"]'));
  };
  return (
    <section className="panel" aria-labelledby="bundle-title" data-testid="bundle-panel">
      <h2 id="bundle-title">{t('troubleshoot.bundle.title')}</h2>
      <p className="muted">{t('troubleshoot.bundle.intro')}</p>
      <div className="radio-row">
        <label className={`radio-card${scope === 'codes' ? ' selected' : ''}`}>
          <input type="radio" name="bundle-scope" checked={scope === 'codes'} disabled={codes.length === 0} data-testid="bundle-scope-codes" onChange={() => setScope('codes')} />
          {t('troubleshoot.bundle.scopeCodes')}
          {codes.length > 0 && <span className="muted mono"> {codes.slice(0, 3).join(', ')}{codes.length > 3 ? ' …' : ''}</span>}
        </label>
        <label className={`radio-card${scope === 'days' ? ' selected' : ''}`}>
          <input type="radio" name="bundle-scope" checked={scope === 'days'} data-testid="bundle-scope-days" onChange={() => setScope('days')} />
          {t('troubleshoot.bundle.scopeDays')}
          <input type="number" className="days-input" min={1} max={90} value={days} aria-label={t('troubleshoot.bundle.days')} data-testid="bundle-days" onChange={(event) => setDays(event.currentTarget.value)} />
        </label>
      </div>
      <div className="actions">
        <button type="button" className="primary" aria-disabled={busy} data-testid="bundle-make" onClick={() => void make()}>
          {busy ? t('troubleshoot.bundle.making') : t('troubleshoot.bundle.make')}
        </button>
      </div>
      {busy && <div className="progress progress-indeterminate" role="progressbar" aria-label={t('troubleshoot.bundle.making')} />}
      {problem && (
        <p className="banner banner-fail" role="alert">
          {problem}
        </p>
      )}
      {made && (
        <p className="banner banner-pass" role="status" data-testid="bundle-made">
          {made}
        </p>
      )}
    </section>
  );
}

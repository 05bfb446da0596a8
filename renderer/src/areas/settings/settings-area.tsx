import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { languages, type Language } from '../../../../electron/shared/i18n/languages.js';
import { EndpointSettingsPanel } from './endpoint-settings-panel.js';
import { DeskSettingsPanel } from './desk-settings-panel.js';
import { ErpPrefixPanel } from './erp-prefix-panel.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';

type Info = ValueOf<'app:info'>;

/** Settings: the imaging endpoint, the ERP prefix helper, interface language (saved per station) and facts about this installation. */
export function SettingsArea({ info, language, onLanguage, onOpenConnection }: { info: Info | null; language: Language; onLanguage: (language: Language) => Promise<boolean>; onOpenConnection: () => void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const labels: Record<Language, string> = { 'zh-CN': t('settings.languageZh'), en: t('settings.languageEn') };
  return (
    <>
      <EndpointSettingsPanel onOpenConnection={onOpenConnection} />
      <DeskSettingsPanel />
      <ErpPrefixPanel />
      <section className="panel" aria-labelledby="language-title">
        <h2 id="language-title">{t('settings.language')}</h2>
        <div className="radio-row" role="radiogroup" aria-labelledby="language-title">
          {languages.map((candidate) => (
            <label key={candidate} className={`radio-card${candidate === language ? ' selected' : ''}`}>
              <input
                type="radio"
                name="language"
                value={candidate}
                checked={candidate === language}
                onChange={() => {
                  setSaved(false);
                  void onLanguage(candidate).then(setSaved);
                }}
              />
              {labels[candidate]}
            </label>
          ))}
          {saved && (
            <span className="saved" role="status">
              ✔ {t('settings.saved')}
            </span>
          )}
        </div>
      </section>
      {info?.runtime === 'electron' && <StartAtLoginPanel />}
      {info && (
        <section className="panel" aria-labelledby="about-title">
          <h2 id="about-title">{t('settings.about')}</h2>
          <dl className="facts">
            <dt>{t('settings.version')}</dt>
            <dd>{info.version}</dd>
            <dt>{t('status.runtime')}</dt>
            <dd>{t(`status.runtime${info.runtime === 'electron' ? 'Electron' : info.runtime === 'browser' ? 'Browser' : 'Cli'}`)}</dd>
            <dt>{t('settings.dataDir')}</dt>
            <dd className="mono">{info.dataDir}</dd>
            <dt>{t('settings.logFile')}</dt>
            <dd className="mono">{info.logFile}</dd>
            <dt>{t('settings.node')}</dt>
            <dd>{info.node}</dd>
            <dt>{t('settings.platform')}</dt>
            <dd>
              {info.platform}/{info.arch}
            </dd>
          </dl>
        </section>
      )}
    </>
  );
}

/** The desktop app's "start with the OS login" switch: the station watches and uploads after a reboot. */
function StartAtLoginPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void api.prefs.get().then((result) => result.ok && setEnabled(result.value.startAtLogin));
  }, [api]);
  if (enabled === null) return null;
  return (
    <section className="panel" aria-labelledby="login-title">
      <h2 id="login-title">{t('settings.startAtLogin.title')}</h2>
      <label className="check-row">
        <input
          type="checkbox"
          checked={enabled}
          data-testid="start-at-login"
          onChange={(event) => {
            const next = event.currentTarget.checked;
            void api.prefs.set({ startAtLogin: next }).then((result) => {
              if (!result.ok) return setProblem(describeError(t, result.error));
              setProblem(null);
              setEnabled(result.value.startAtLogin);
            });
          }}
        />
        {t('settings.startAtLogin.label')}
      </label>
      <p className="muted">{t('settings.startAtLogin.hint')}</p>
      {problem && (
        <p className="banner banner-fail" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}

import { Activity, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ValueOf } from '../../electron/shared/ipc-contract.js';
import type { Language } from '../../electron/shared/i18n/languages.js';
import { useApi } from './api/api-context.js';
import { useBridgeHealth, useBridgeState } from './api/bridge-health.js';
import { areaFromHash, areaOrder, type AreaId } from './areas/areas.js';
import { ConnectionArea } from './areas/connection/connection-area.js';
import { CoversArea } from './areas/covers/covers-area.js';
import { ScanDeskArea } from './areas/scan-desk/scan-desk-area.js';
import { SettingsArea } from './areas/settings/settings-area.js';
import { TemplateCheckArea } from './areas/template-check/template-check-area.js';
import { AreaIcon } from './components/icons.js';
import { TroubleshootArea } from './areas/troubleshoot/troubleshoot-area.js';
import { StatusBar } from './components/status-bar.js';
import { switchLanguage } from './i18n/setup.js';
import { useDirtyAreas, useLeaveGuard } from './state/unsaved-changes.js';

type Info = ValueOf<'app:info'>;

/**
 * The app frame: navigation, the current area, language switch and status bar. Every area once
 * opened stays mounted inside an <Activity> for the app's lifetime, so its results, forms and
 * unsaved edits are still there when the clerk comes back (one place for page state).
 */
export function App({ initialLanguage, initialArea }: { initialLanguage: Language; initialArea?: AreaId }) {
  const { t } = useTranslation();
  const api = useApi();
  const bridgeUp = useBridgeHealth();
  const { refused } = useBridgeState();
  const [area, setArea] = useState<AreaId>(() => (window.location.hash ? areaFromHash(window.location.hash) : (initialArea ?? 'scanDesk')));
  const [visited, setVisited] = useState<ReadonlySet<AreaId>>(() => new Set([area]));
  const dirtyAreas = useDirtyAreas();
  useLeaveGuard();
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [info, setInfo] = useState<Info | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    void api.app.info().then((result) => {
      if (result.ok) setInfo(result.value);
    });
  }, [api]);

  const goTo = useCallback(
    (next: AreaId) => {
      setArea(next);
      window.history.replaceState(null, '', `#/${next}`);
      // The next launch opens the page the station was last on.
      void api.prefs.set({ lastArea: next });
    },
    [api],
  );

  // An area joins the kept-alive set the first time it is shown (state adjusted during render).
  if (!visited.has(area)) setVisited(new Set([...visited, area]));

  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [area]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const index = Number.parseInt(event.key, 10) - 1;
      const target = areaOrder[index];
      if (target) {
        event.preventDefault();
        goTo(target);
      }
    };
    // A new `#token=…` is the bridge's business (it takes it and clears the hash), not a page change.
    const onHash = () => {
      if (window.location.hash && !/token=/.test(window.location.hash)) setArea(areaFromHash(window.location.hash));
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('hashchange', onHash);
    };
  }, [goTo]);

  const changeLanguage = useCallback(
    async (next: Language): Promise<boolean> => {
      setLanguage(next);
      await switchLanguage(next);
      const saved = await api.prefs.set({ language: next });
      return saved.ok;
    },
    [api],
  );

  const onNavKey = (event: React.KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const buttons = Array.from(event.currentTarget.querySelectorAll('button'));
    const current = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[(current + (event.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length];
    next?.focus();
  };

  return (
    <div className="frame">
      {refused && (
        <div className="stale-token" role="alert" data-testid="stale-token">
          <strong>{t('live.staleTokenTitle')}</strong>
          <span>{t('live.staleTokenBody')}</span>
        </div>
      )}
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="top-bar">
        <div className="brand">
          <img src="./favicon.svg" alt="" width={32} height={32} />
          <div>
            <div className="brand-name">{t('app.name')}</div>
            <div className="brand-tagline">{t('app.tagline')}</div>
          </div>
        </div>
        <span className="shortcut-hint">{t('app.shortcutHint')}</span>
        <button
          type="button"
          className="lang-switch"
          aria-label={t('app.languageSwitchLabel')}
          data-testid="language-switch"
          onClick={() => void changeLanguage(language === 'zh-CN' ? 'en' : 'zh-CN')}
        >
          {t('app.languageSwitch')}
        </button>
      </header>
      <nav className="side-nav" aria-label={t('nav.label')} onKeyDown={onNavKey}>
        {areaOrder.map((id, index) => (
          <button
            key={id}
            type="button"
            className={`nav-item${id === area ? ' active' : ''}`}
            aria-current={id === area ? 'page' : undefined}
            data-testid={`nav-${id}`}
            onClick={() => goTo(id)}
          >
            <AreaIcon area={id} />
            <span className="nav-label">{t(`nav.${id}`)}</span>
            {dirtyAreas.includes(id) && (
              <span className="nav-dirty" title={t('app.unsavedHint')} data-testid={`nav-${id}-unsaved`}>
                <span className="visually-hidden">{t('app.unsavedHint')}</span>
              </span>
            )}
            <kbd className="nav-key">Alt+{index + 1}</kbd>
          </button>
        ))}
      </nav>
      <main id="main" className="content" data-testid={`area-${area}`}>
        <div className="content-inner">
          <h1 ref={headingRef} tabIndex={-1}>
            {t(`nav.${area}`)}
          </h1>
          <p className="intro">{t(`areas.${area}.intro`)}</p>
          {areaOrder
            .filter((id) => visited.has(id) || id === area)
            .map((id) => (
              <Activity key={id} mode={id === area ? 'visible' : 'hidden'}>
                <AreaBody area={id} info={info} language={language} onLanguage={changeLanguage} goTo={goTo} />
              </Activity>
            ))}
        </div>
      </main>
      <StatusBar info={info} bridgeUp={bridgeUp} />
    </div>
  );
}

function AreaBody({ area, info, language, onLanguage, goTo }: { area: AreaId; info: Info | null; language: Language; onLanguage: (language: Language) => Promise<boolean>; goTo: (area: AreaId) => void }) {
  switch (area) {
    case 'settings':
      return <SettingsArea info={info} language={language} onLanguage={onLanguage} onOpenConnection={() => goTo('connection')} />;
    case 'troubleshoot':
      return <TroubleshootArea />;
    case 'templateCheck':
      return <TemplateCheckArea />;
    case 'covers':
      return <CoversArea runtime={info?.runtime ?? null} />;
    case 'connection':
      return <ConnectionArea onOpenSettings={() => goTo('settings')} appVersion={info?.version} />;
    case 'scanDesk':
      return <ScanDeskArea />;
  }
}

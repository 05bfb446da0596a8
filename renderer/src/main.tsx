import i18next from 'i18next';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickLanguage, type Language } from '../../electron/shared/i18n/languages.js';
import { ApiProvider } from './api/api-context.js';
import { reportBridgeHealth, reportBridgeRefused } from './api/bridge-health.js';
import { createHttpBridgeApi, takeBridgeToken } from './api/http-bridge.js';
import { App } from './app.js';
import { setupI18n } from './i18n/setup.js';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

async function start(): Promise<void> {
  let api = window.scanStation;
  if (!api) {
    const token = takeBridgeToken(window.location, window.history, window.sessionStorage);
    if (!token) {
      // Without a token nothing can be called: say so in both languages rather than show a dead UI.
      setupI18n('zh-CN');
      root.render(<MissingToken />);
      return;
    }
    api = createHttpBridgeApi(token, reportBridgeHealth, reportBridgeRefused);
  }
  const prefs = await api.prefs.get();
  if (!prefs.ok && prefs.error.code === 'bridge-unauthorized') {
    setupI18n('zh-CN');
    root.render(<MissingToken />);
    return;
  }
  // Until someone picks a language, follow this browser's (the server's LANG says nothing about the clerk).
  const language: Language = prefs.ok ? (prefs.value.languageChosen ? prefs.value.language : pickLanguage(navigator.languages[0] ?? navigator.language)) : 'zh-CN';
  setupI18n(language);
  root.render(
    <StrictMode>
      <ApiProvider value={api}>
        <App initialLanguage={language} initialArea={prefs.ok ? prefs.value.lastArea : undefined} />
      </ApiProvider>
    </StrictMode>,
  );
}

/** Shown when the page was opened without (or with a stale) bridge token: both languages at once. */
function MissingToken() {
  return (
    <div className="fatal" role="alert" data-testid="missing-token">
      <h1>
        {i18next.t('app.name', { lng: 'zh-CN' })} {i18next.t('app.name', { lng: 'en' })}
      </h1>
      <p lang="zh-CN">{i18next.t('errors.bridge-unauthorized', { lng: 'zh-CN' })}</p>
      <p lang="en">{i18next.t('errors.bridge-unauthorized', { lng: 'en' })}</p>
    </div>
  );
}

void start();

import { useTranslation } from 'react-i18next';
import type { ValueOf } from '../../../electron/shared/ipc-contract.js';

type Info = ValueOf<'app:info'>;

/** The always-visible status line: endpoint, queue (both arrive with later features), runtime, bridge health. */
export function StatusBar({ info, bridgeUp }: { info: Info | null; bridgeUp: boolean }) {
  const { t } = useTranslation();
  const runtimeKey = info?.runtime === 'electron' ? 'status.runtimeElectron' : info?.runtime === 'browser' ? 'status.runtimeBrowser' : 'status.runtimeCli';
  return (
    <footer className="status-bar" aria-label={t('status.label')} data-testid="status-bar">
      {!bridgeUp && (
        <span className="status-item status-fail" role="alert">
          ● {t('status.bridgeDown')}
        </span>
      )}
      <span className="status-item">
        <strong>{t('status.endpoint')}</strong>
        {t('status.notAvailable')}
      </span>
      <span className="status-item">
        <strong>{t('status.queue')}</strong>
        {t('status.notAvailable')}
      </span>
      <span className="status-spacer" />
      {info && (
        <span className="status-item muted">
          {t(runtimeKey)} · v{info.version}
        </span>
      )}
    </footer>
  );
}

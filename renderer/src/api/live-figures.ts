import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../components/date-text.js';
import { useBridgeState } from './bridge-health.js';

/**
 * Whether live figures (queue, watched folder, status bar) are still live: with the service gone
 * or the panel's own background look failing they are the last seen, shown grey with "unknown
 * since 10:41". Background looks report through `onLook` and never raise an error banner: only
 * what the clerk did does.
 */
export function useLiveFigures(): { stale: string | null; onLook: (ok: boolean) => void } {
  const { t } = useTranslation();
  const bridge = useBridgeState();
  const [failedSince, setFailedSince] = useState<number | null>(null);
  const onLook = useCallback((ok: boolean) => setFailedSince((since) => (ok ? null : (since ?? Date.now()))), []);
  const since = bridge.downSince ?? failedSince;
  return { stale: since === null ? null : t('live.unknownSince', { at: formatTime(since) }), onLook };
}

import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { describeNotice, noticesBetween, type StationLook } from '../../../electron/shared/station/station-state.js';
import { useApi } from '../api/api-context.js';

/** Remembered in the browser: permission is asked once, not at every notice. */
const askedKey = 'scan-station.notifications-asked';

/**
 * Browser mode's desktop notifications: the same notices as the desktop app's tray (a bill newly held,
 * bills held at intake, a pause a person must fix), shown through the browser's Notification API. The
 * browser asks for permission once, at the first notice; a refusal is respected.
 */
export function useBrowserNotices(enabled: boolean): void {
  const { t } = useTranslation();
  const api = useApi();
  useEffect(() => {
    if (!enabled || typeof Notification === 'undefined') return;
    let previous: StationLook | null = null;
    let stopped = false;
    const look = async () => {
      const [queue, watch] = await Promise.all([api.upload.status(), api.scanDesk.watchStatus()]);
      if (stopped || !queue.ok || !watch.ok) return;
      const next: StationLook = { queue: queue.value, heldAtIntake: watch.value.counts.held };
      const notices = noticesBetween(previous, next);
      previous = next;
      if (notices.length === 0) return;
      if (Notification.permission === 'default' && localStorage.getItem(askedKey) === null) {
        localStorage.setItem(askedKey, new Date().toISOString());
        await Notification.requestPermission();
      }
      if (Notification.permission !== 'granted') return;
      for (const notice of notices) {
        const words = describeNotice(t, notice);
        new Notification(words.title, { body: words.body, tag: notice.kind === 'bill-held' ? notice.billId : notice.kind });
      }
    };
    void look();
    const timer = setInterval(() => void look(), 3000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, enabled, t]);
}

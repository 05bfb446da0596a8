import type { TFunction } from 'i18next';
import { describeNotice, type StationNotice } from '../../../electron/shared/station/station-state.js';

/** Remembered in the browser: permission is asked once, not at every notice. */
const askedKey = 'scan-station.notifications-asked';

/**
 * Browser mode's desktop notifications: the same notices as the desktop app's tray (a bill newly held,
 * bills held at intake, a pause a person must fix), shown through the browser's Notification API. The
 * browser asks for permission once, at the first notice; a refusal is respected.
 */
export async function showBrowserNotices(t: TFunction, notices: StationNotice[]): Promise<void> {
  if (notices.length === 0 || typeof Notification === 'undefined') return;
  if (Notification.permission === 'default' && localStorage.getItem(askedKey) === null) {
    localStorage.setItem(askedKey, new Date().toISOString());
    await Notification.requestPermission();
  }
  if (Notification.permission !== 'granted') return;
  for (const notice of notices) {
    const words = describeNotice(t, notice);
    new Notification(words.title, { body: words.body, tag: notice.kind === 'bill-held' ? notice.billId : notice.kind });
  }
}

import type { App, Session } from 'electron';
import type { Logger } from '../core/log/logger.js';

/** Denies every navigation, redirect, new window and <webview> in any web contents the app creates. */
export function denyNavigation(app: App, log: Logger): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      log.warn('security.window-open-denied', { url: url.slice(0, 200) });
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      log.warn('security.navigation-denied', { url: url.slice(0, 200) });
      event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** Refuses every permission (camera, notifications, geolocation…) the renderer could ask for. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

import type { SenderInfo } from './dispatcher.js';

/** The custom scheme and host the renderer is served from inside Electron. */
export const appScheme = 'app';
/** The host name under the app scheme. */
export const appHost = 'scan-station';
/** The renderer's origin inside Electron. */
export const appOrigin = `${appScheme}://${appHost}`;

/**
 * Electron rule: only the main frame of one of our own windows, showing our bundled renderer,
 * may call. A navigated-away frame, an iframe or another webContents is refused.
 */
export function isTrustedElectronSender(sender: SenderInfo, ownWebContentsIds: ReadonlySet<number>): boolean {
  if (sender.transport !== 'electron') return false;
  if (!sender.isMainFrame || !ownWebContentsIds.has(sender.webContentsId)) return false;
  try {
    // URL.origin is "null" for non-special schemes such as app:, so compare the parts.
    const url = new URL(sender.url);
    return url.protocol === `${appScheme}:` && url.host === appHost;
  } catch {
    return false;
  }
}

/** HTTP bridge rule: token, Host and Origin all checked by the server before dispatch. */
export function isTrustedHttpSender(sender: SenderInfo): boolean {
  return sender.transport === 'http' && sender.tokenValid && sender.hostValid && sender.originValid;
}

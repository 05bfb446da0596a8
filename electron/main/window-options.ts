import type { BrowserWindowConstructorOptions } from 'electron';

/** The main window's options: isolated, sandboxed, no Node in the page, no webviews. */
export function createMainWindowOptions(preloadFile: string, iconFile?: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 1024,
    minHeight: 680,
    title: '扫描台助手 Scan Station',
    show: false,
    backgroundColor: '#f4f6f8',
    ...(iconFile ? { icon: iconFile } : {}),
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // A middle click must not open links in a new window (new windows are denied anyway; belt and braces).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
      devTools: process.env['SCAN_STATION_DEVTOOLS'] === '1',
    },
  };
}

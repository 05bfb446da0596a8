import { app, BrowserWindow, crashReporter, dialog, ipcMain, Menu, Notification, protocol, safeStorage, session, Tray } from 'electron';
import { createCore } from '../core/create-core.js';
import { createFileLogger } from '../core/log/logger.js';
import { resolveCorePaths } from '../core/app/paths.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import { createHandlers } from '../ipc/handlers.js';
import { appOrigin, isTrustedElectronSender } from '../ipc/sender-check.js';
import { pickLanguage } from '../shared/i18n/languages.js';
import { ipcEvents } from '../shared/ipc-contract.js';
import packageJson from '../../package.json' with { type: 'json' };
import { applyStartAtLogin, keepCrashReportsLocal, resolveElectronPaths, startHiddenArgument } from './app-paths.js';
import { startStationTray } from './station-tray.js';
import { createTranslator } from '../shared/i18n/catalog.js';
import { registerIpcHandlers } from './ipc-main.js';
import { printPages } from './print-pages.js';
import { createSafeStorageCipher } from './safe-storage-cipher.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { denyNavigation, denyPermissions } from './security.js';
import { createMainWindowOptions } from './window-options.js';
import { guardUnsavedClose } from './unsaved-close.js';

registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  // Two instances would race on the same upload queue; the second one hands over and leaves.
  app.quit();
} else {
  void startApp();
}

async function startApp(): Promise<void> {
  await app.whenReady();
  const paths = resolveElectronPaths(app);
  // Crash reports stay on this PC, beside the log (never sent anywhere).
  keepCrashReportsLocal(app, crashReporter, paths.dataDir);
  const log = createFileLogger({ file: resolveCorePaths(paths.dataDir).logFile });
  log.info('app.start', { version: packageJson.version, electron: process.versions.electron });
  denyNavigation(app, log);
  denyPermissions(session.defaultSession);
  serveRenderer(protocol, paths.rendererDir);
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);

  // Secrets go to the OS keychain where there is one; otherwise core falls back to its key file.
  const secretCipher = await createSafeStorageCipher(safeStorage, process.platform).catch(() => null);
  log.info('app.secrets', { protection: secretCipher ? 'os-keychain' : 'key-file' });
  const core = await createCore({
    dataDir: paths.dataDir,
    appVersion: packageJson.version,
    log,
    defaultLanguage: pickLanguage(app.getLocale()),
    secretCipher: secretCipher ?? undefined,
    // The upload queue runs as long as the app does (nothing is sent until a connection check passes).
    startUploadQueue: true,
    firstRunProfiles: [paths.firstRunProfile],
  });
  const ownWindows = new Set<number>();
  const dispatcher = createDispatcher({
    handlers: createHandlers(core, 'electron', { printPages: (pages) => printPages(pages, core.paths.tmpDir), applyStartAtLogin: (enabled) => applyStartAtLogin(app, enabled) }),
    isTrustedSender: (sender) => isTrustedElectronSender(sender, ownWindows),
    log,
  });
  registerIpcHandlers(ipcMain, dispatcher);
  // Every change of the spool or the queue is pushed to the app's windows (the screens reload at once).
  core.scanDesk.onChanged((change) => {
    const payload = ipcEvents['station:changed'].parse(change);
    for (const win of BrowserWindow.getAllWindows()) if (ownWindows.has(win.webContents.id) && !win.webContents.isDestroyed()) win.webContents.send('station:changed', payload);
  });
  // A scan's every page, phase and the scanner's state, pushed as the whole capture state.
  core.capture.onChanged((state) => {
    const payload = ipcEvents['capture:changed'].parse(state);
    for (const win of BrowserWindow.getAllWindows()) if (ownWindows.has(win.webContents.id) && !win.webContents.isDestroyed()) win.webContents.send('capture:changed', payload);
  });

  // Closing the window hides it: the watched folder and the upload queue keep running behind the tray
  // until the clerk quits from the tray (the page in flight's bookkeeping is finished first).
  let quitting = false;
  const openWindow = (hidden = false): BrowserWindow => {
    const win = new BrowserWindow(createMainWindowOptions(paths.preloadFile, paths.iconFile));
    const id = win.webContents.id;
    ownWindows.add(id);
    win.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => ownWindows.delete(id));
    guardUnsavedClose(win, dialog);
    win.once('ready-to-show', () => {
      if (!hidden) win.show();
    });
    void win.loadURL(`${appOrigin}/index.html`);
    return win;
  };

  // Started by the OS login item: straight to the tray (the window opens from it).
  const startedHidden = process.argv.includes(startHiddenArgument);
  applyStartAtLogin(app, (await core.prefs.readPrefs()).startAtLogin);
  let mainWindow = openWindow(startedHidden);
  const showWindow = () => {
    if (mainWindow.isDestroyed()) mainWindow = openWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };
  const translate = async () => createTranslator((await core.prefs.readPrefs()).language).t;
  let t = await translate();
  const station = startStationTray({
    tray: new Tray(paths.iconFile),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    t: () => t,
    look: async () => {
      t = await translate();
      const [queue, watch] = await Promise.all([core.upload.status(), core.scanDesk.watchReport()]);
      return { queue, watch };
    },
    setPaused: async (paused) => {
      await core.upload.act({ action: paused ? 'pause' : 'resume' });
    },
    open: showWindow,
    quit: () => app.quit(),
    notify: (title, body) => {
      if (!Notification.isSupported()) return;
      const notice = new Notification({ title, body, icon: paths.iconFile });
      notice.on('click', showWindow);
      notice.show();
    },
  });
  // The tray follows the same pushed changes as the windows (its poll stays as the fallback).
  core.scanDesk.onChanged(() => void station.refresh());
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    // Stop the queue (it finishes the page in flight's bookkeeping) and the watcher, then really quit.
    event.preventDefault();
    station.stop();
    void core.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
  // The tray keeps the station running with no window; only its Quit (or the OS) ends the app.
  app.on('window-all-closed', () => undefined);
}

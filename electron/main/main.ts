import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session } from 'electron';
import { createCore } from '../core/create-core.js';
import { createFileLogger } from '../core/log/logger.js';
import { resolveCorePaths } from '../core/paths.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import { createHandlers } from '../ipc/handlers.js';
import { appOrigin, isTrustedElectronSender } from '../ipc/sender-check.js';
import { pickLanguage } from '../shared/i18n/languages.js';
import packageJson from '../../package.json' with { type: 'json' };
import { resolveElectronPaths } from './app-paths.js';
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
    handlers: createHandlers(core, 'electron', { printPages: (pages) => printPages(pages, core.paths.tmpDir) }),
    isTrustedSender: (sender) => isTrustedElectronSender(sender, ownWindows),
    log,
  });
  registerIpcHandlers(ipcMain, dispatcher);

  const openWindow = (): BrowserWindow => {
    const win = new BrowserWindow(createMainWindowOptions(paths.preloadFile, paths.iconFile));
    const id = win.webContents.id;
    ownWindows.add(id);
    win.on('closed', () => ownWindows.delete(id));
    guardUnsavedClose(win, dialog);
    win.once('ready-to-show', () => win.show());
    void win.loadURL(`${appOrigin}/index.html`);
    return win;
  };

  let mainWindow = openWindow();
  app.on('second-instance', () => {
    if (mainWindow.isDestroyed()) mainWindow = openWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = openWindow();
  });
  app.on('will-quit', () => {
    void core.close();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

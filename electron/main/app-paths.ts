import type { App, CrashReporter } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstRunProfileName } from '../core/endpoint/first-run-profile.js';

/** Every filesystem location the Electron shell needs; the only place `app.getPath` is called. */
export interface ElectronPaths {
  dataDir: string;
  rendererDir: string;
  preloadFile: string;
  /** The window icon (Linux shows it in the task bar; Windows and macOS take the packaged one). */
  iconFile: string;
  /** Where IT's silent install leaves a roll-out profile: beside the installed app. */
  firstRunProfile: string;
}

/** Resolves the shell's paths: data under userData, bundle files next to the built main. */
export function resolveElectronPaths(app: App): ElectronPaths {
  // The build bundles main.cjs and preload.cjs into dist/electron and the renderer into dist/renderer.
  const here = path.dirname(fileURLToPath(import.meta.url));
  return {
    dataDir: app.getPath('userData'),
    rendererDir: path.resolve(here, '..', 'renderer'),
    preloadFile: path.join(here, 'preload.cjs'),
    iconFile: path.resolve(here, '..', 'assets', 'icon.png'),
    firstRunProfile: path.join(path.dirname(app.getPath('exe')), firstRunProfileName),
  };
}

/**
 * Crash dumps go to `<data>/logs/crashes` and are never uploaded: support finds them beside the log
 * (and a diagnostic bundle can take them); nothing leaves the station.
 */
export function keepCrashReportsLocal(app: Pick<App, 'setPath'>, crashReporter: Pick<CrashReporter, 'start'>, dataDir: string): void {
  app.setPath('crashDumps', path.join(dataDir, 'logs', 'crashes'));
  crashReporter.start({ uploadToServer: false, compress: true });
}

/** The argument the OS login item starts the app with: into the tray, no window. */
export const startHiddenArgument = '--hidden';

/** Makes the app an OS login item (Windows, macOS) that starts in the tray, or removes it. */
export function applyStartAtLogin(app: Pick<App, 'setLoginItemSettings'>, enabled: boolean): void {
  app.setLoginItemSettings({ openAtLogin: enabled, args: enabled ? [startHiddenArgument] : [] });
}

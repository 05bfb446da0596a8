import path from 'node:path';

/** Files and folders core uses, all under one injected data folder. */
export interface CorePaths {
  dataDir: string;
  prefsFile: string;
  logsDir: string;
  logFile: string;
  tmpDir: string;
}

/** Derives every core path from the data folder. */
export function resolveCorePaths(dataDir: string): CorePaths {
  const root = path.resolve(dataDir);
  const logsDir = path.join(root, 'logs');
  return {
    dataDir: root,
    prefsFile: path.join(root, 'prefs.json'),
    logsDir,
    logFile: path.join(logsDir, 'scan-station.log'),
    tmpDir: path.join(root, 'tmp'),
  };
}

/** The folder name Electron derives `userData` from (package.json productName). */
export const appFolderName = 'Scan Station';

/**
 * The default data folder outside Electron (CLI, browser mode), chosen to equal Electron's
 * `app.getPath('userData')` so the desktop app and the CLI share one station state.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
): string {
  const override = env['SCAN_STATION_DATA_DIR'];
  if (override) return path.resolve(override);
  switch (platform) {
    case 'win32':
      return path.win32.join(env['APPDATA'] ?? path.win32.join(home, 'AppData', 'Roaming'), appFolderName);
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', appFolderName);
    default:
      return path.posix.join(env['XDG_CONFIG_HOME'] || path.posix.join(home, '.config'), appFolderName);
  }
}

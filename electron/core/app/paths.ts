import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../base/errors.js';

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

/** How folder `a` stands to folder `b`: the same folder, inside it, containing it, or apart. */
export type FolderRelation = 'same' | 'inside' | 'contains' | 'apart';

/**
 * Relates two absolute folder paths as the platform's file system sees them: separators and
 * trailing separators normalised, and letter case ignored where the file system ignores it
 * (Windows, and macOS by default). Both paths should already be real paths (see {@link realFolderPath}).
 */
export function relateFolders(a: string, b: string, platform: NodeJS.Platform = process.platform): FolderRelation {
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const fold = platform === 'win32' || platform === 'darwin' ? (text: string) => text.toLowerCase() : (text: string) => text;
  const clean = (text: string) => fold(paths.resolve(text)).replace(/[\\/]+$/, '') || paths.sep;
  const [left, right] = [clean(a), clean(b)];
  if (left === right) return 'same';
  const under = (child: string, parent: string) => child.startsWith(parent.endsWith(paths.sep) ? parent : `${parent}${paths.sep}`);
  if (under(left, right)) return 'inside';
  if (under(right, left)) return 'contains';
  return 'apart';
}

/**
 * A folder's real path (links, junctions and `..` resolved); for a folder that does not exist yet,
 * the real path of its nearest existing parent with the rest appended.
 */
export async function realFolderPath(folder: string): Promise<string> {
  let existing = path.resolve(folder);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(existing), ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(folder);
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

/**
 * Refuses a folder to watch that is, contains or lies inside one of the station's own folders (the
 * data folder, the spool): watching moves every file it finds, and would take the station's own
 * profile, preferences and secrets away as "scans". Compared by real path.
 */
export async function assertWatchableFolder(folder: string, ownFolders: string[], platform: NodeJS.Platform = process.platform): Promise<void> {
  const watched = await realFolderPath(folder);
  for (const own of ownFolders) {
    const relation = relateFolders(watched, await realFolderPath(own), platform);
    if (relation !== 'apart') throw new CoreError('watch-folder-is-station-data', { folder, data: own, relation });
  }
}

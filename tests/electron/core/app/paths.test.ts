import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { assertWatchableFolder, defaultDataDir, realFolderPath, relateFolders, resolveCorePaths } from '../../../../electron/core/app/paths.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('the default data folder matches what Electron calls userData on each platform', () => {
  assert.equal(defaultDataDir({}, 'linux', '/home/clerk'), '/home/clerk/.config/Scan Station');
  assert.equal(defaultDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/clerk'), '/cfg/Scan Station');
  assert.equal(defaultDataDir({}, 'darwin', '/Users/clerk'), '/Users/clerk/Library/Application Support/Scan Station');
  assert.equal(defaultDataDir({ APPDATA: 'C:\\Users\\clerk\\AppData\\Roaming' }, 'win32', 'C:\\Users\\clerk'), 'C:\\Users\\clerk\\AppData\\Roaming\\Scan Station');
});

test('SCAN_STATION_DATA_DIR overrides the default', () => {
  assert.equal(defaultDataDir({ SCAN_STATION_DATA_DIR: '/srv/station' }, 'linux', '/home/clerk'), '/srv/station');
});

test('every core path lives under the data folder', () => {
  const paths = resolveCorePaths('/data/station');
  for (const value of Object.values(paths)) assert.ok(value.startsWith('/data/station'), value);
});

test('folders are related as the file system sees them: separators, trailing separators and (on Windows and macOS) letter case', () => {
  assert.equal(relateFolders('C:\\Users\\Clerk\\AppData\\Roaming\\Scan Station\\', 'c:/users/clerk/appdata/roaming/scan station', 'win32'), 'same');
  assert.equal(relateFolders('C:\\USERS\\clerk\\AppData\\Roaming\\Scan Station\\spool', 'C:\\Users\\clerk\\AppData\\Roaming\\Scan Station', 'win32'), 'inside');
  assert.equal(relateFolders('C:\\Users', 'C:\\Users\\clerk\\AppData\\Roaming\\Scan Station', 'win32'), 'contains');
  assert.equal(relateFolders('C:\\', 'C:\\Users\\clerk', 'win32'), 'contains');
  assert.equal(relateFolders('C:\\Users\\clerk\\Scan Station scans', 'C:\\Users\\clerk\\Scan Station', 'win32'), 'apart', 'a common prefix is not containment');
  assert.equal(relateFolders('/Users/Clerk/Library/Application Support/Scan Station', '/users/clerk/library/application support/scan station/', 'darwin'), 'same');
  assert.equal(relateFolders('/home/clerk/Scan Station', '/home/clerk/scan station', 'linux'), 'apart', 'Linux file names differ by case');
  assert.equal(relateFolders('/', '/home/clerk', 'linux'), 'contains');
  assert.equal(relateFolders('/home/clerk/.config/Scan Station//', '/home/clerk/.config/Scan Station', 'linux'), 'same');
});

test('a watch folder is compared with the station folders by real path: links followed, missing folders by their nearest parent', async () => {
  const dataDir = await makeTempDir();
  const elsewhere = await makeTempDir();
  const link = path.join(elsewhere, 'link-to-data');
  await fs.symlink(dataDir, link);
  assert.equal(await realFolderPath(path.join(link, 'spool', 'not-yet')), path.join(await fs.realpath(dataDir), 'spool', 'not-yet'));
  for (const folder of [dataDir, link, path.join(link, 'spool'), path.join(elsewhere, '..', path.basename(dataDir)), path.dirname(dataDir)]) {
    await assert.rejects(assertWatchableFolder(folder, [dataDir]), (error: unknown) => error instanceof CoreError && error.code === 'watch-folder-is-station-data' && error.params['data'] === dataDir, folder);
  }
  await assertWatchableFolder(path.join(elsewhere, 'scans'), [dataDir]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultDataDir, resolveCorePaths } from '../../../electron/core/paths.js';

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

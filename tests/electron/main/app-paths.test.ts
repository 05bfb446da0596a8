import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { App, CrashReporter } from 'electron';
import { applyStartAtLogin, keepCrashReportsLocal, resolveElectronPaths, startHiddenArgument } from '../../../electron/main/app-paths.js';

test('crash reports stay on this PC, beside the log, never uploaded', () => {
  const set: Array<[string, string]> = [];
  let started: Parameters<CrashReporter['start']>[0] | null = null;
  keepCrashReportsLocal({ setPath: (name: string, value: string) => void set.push([name, value]) } as Pick<App, 'setPath'>, { start: (options) => void (started = options) }, '/data/Scan Station');
  assert.deepEqual(set, [['crashDumps', path.join('/data/Scan Station', 'logs', 'crashes')]]);
  assert.equal((started as unknown as { uploadToServer: boolean }).uploadToServer, false);
});

test('a roll-out profile is looked for beside the installed app', () => {
  const paths = resolveElectronPaths({ getPath: (name: string) => (name === 'exe' ? '/opt/Scan Station/scan-station' : '/home/clerk/.config/Scan Station') } as App);
  assert.equal(paths.firstRunProfile, path.join('/opt/Scan Station', 'scan-station-profile.json'));
  assert.equal(paths.dataDir, '/home/clerk/.config/Scan Station');
});

test('start at login: an OS login item that starts in the tray, or none', () => {
  const settings: unknown[] = [];
  const app = { setLoginItemSettings: (value: unknown) => void settings.push(value) } as Pick<App, 'setLoginItemSettings'>;
  applyStartAtLogin(app, true);
  applyStartAtLogin(app, false);
  assert.deepEqual(settings, [{ openAtLogin: true, args: [startHiddenArgument] }, { openAtLogin: false, args: [] }]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTrustedElectronSender, isTrustedHttpSender } from '../../../electron/ipc/sender-check.js';

test('electron: only our window main frame on app://scan-station', () => {
  const own = new Set([1]);
  const base = { transport: 'electron' as const, isMainFrame: true, webContentsId: 1 };
  assert.ok(isTrustedElectronSender({ ...base, url: 'app://scan-station/index.html#/covers' }, own));
  assert.ok(!isTrustedElectronSender({ ...base, url: 'app://scan-station.evil/index.html' }, own));
  assert.ok(!isTrustedElectronSender({ ...base, url: 'app://other/index.html' }, own));
  assert.ok(!isTrustedElectronSender({ ...base, url: 'http://127.0.0.1:5173/' }, own));
  assert.ok(!isTrustedElectronSender({ ...base, url: 'not a url' }, own));
  assert.ok(!isTrustedElectronSender({ ...base, url: '' }, own));
  assert.ok(!isTrustedElectronSender({ transport: 'http', tokenValid: true, hostValid: true, originValid: true }, own));
});

test('http: token, host and origin must all have been valid', () => {
  assert.ok(isTrustedHttpSender({ transport: 'http', tokenValid: true, hostValid: true, originValid: true }));
  assert.ok(!isTrustedHttpSender({ transport: 'http', tokenValid: false, hostValid: true, originValid: true }));
  assert.ok(!isTrustedHttpSender({ transport: 'http', tokenValid: true, hostValid: true, originValid: false }));
  assert.ok(!isTrustedHttpSender({ transport: 'in-process' }));
});

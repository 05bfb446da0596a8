import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { App, Session } from 'electron';
import { createMemoryLogger } from '../../../electron/core/log/logger.js';
import { denyNavigation, denyPermissions } from '../../../electron/main/security.js';
import { createMainWindowOptions } from '../../../electron/main/window-options.js';

test('every new web contents denies window.open, navigation, redirects and webviews', () => {
  const app = new EventEmitter();
  const log = createMemoryLogger();
  denyNavigation(app as unknown as App, log);
  const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler(handler: (details: { url: string }) => unknown): void; openHandler?: (details: { url: string }) => unknown };
  contents.setWindowOpenHandler = (handler) => {
    contents.openHandler = handler;
  };
  app.emit('web-contents-created', {}, contents);
  assert.deepEqual(contents.openHandler?.({ url: 'https://evil.example/' }), { action: 'deny' });
  for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
    let prevented = false;
    contents.emit(name, { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    assert.ok(prevented, name);
  }
  assert.deepEqual(log.records.map((record) => record.event), ['security.window-open-denied', 'security.navigation-denied']);
});

test('every permission request and check is refused', () => {
  let requestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
  let checkHandler: (() => boolean) | undefined;
  const session = {
    setPermissionRequestHandler: (handler: typeof requestHandler) => (requestHandler = handler),
    setPermissionCheckHandler: (handler: typeof checkHandler) => (checkHandler = handler),
  };
  denyPermissions(session as unknown as Session);
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
    let granted: boolean | undefined;
    requestHandler?.({}, permission, (value) => (granted = value));
    assert.equal(granted, false, permission);
  }
  assert.equal(checkHandler?.(), false);
});

test('the main window is isolated and sandboxed with no Node in the page', () => {
  const prefs = createMainWindowOptions('/app/preload.cjs').webPreferences;
  assert.equal(prefs?.contextIsolation, true);
  assert.equal(prefs?.sandbox, true);
  assert.equal(prefs?.disableBlinkFeatures, 'Auxclick');
  assert.equal(prefs?.nodeIntegration, false);
  assert.equal(prefs?.nodeIntegrationInSubFrames, false);
  assert.equal(prefs?.webviewTag, false);
  assert.equal(prefs?.webSecurity, true);
  assert.equal(prefs?.preload, '/app/preload.cjs');
});

test('the window carries the app icon drawn by the build', async () => {
  assert.equal(createMainWindowOptions('/app/preload.cjs', '/app/assets/icon.png').icon, '/app/assets/icon.png');
  if (!existsSync('build/icon.png')) return;
  // electron-builder wants at least 512 px to make the .ico and .icns.
  const { default: sharp } = await import('sharp');
  const meta = await sharp('build/icon.png').metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [1024, 1024, 'png']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { registerIpcHandlers } from '../../../electron/main/ipc-main.js';
import { isTrustedElectronSender } from '../../../electron/ipc/sender-check.js';
import { channelNames } from '../../../electron/shared/ipc-contract.js';
import { makeCoreHarness } from '../../helpers/core-harness.js';

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** Stands in for ipcMain: records the handlers main registers. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return { handlers, ipcMain: { handle: (channel: string, listener: Listener) => handlers.set(channel, listener) } as unknown as IpcMain };
}

/** A fake invoke event from a frame at `url` in webContents `id`. */
function fakeEvent(url: string, id: number, mainFrame = true) {
  const sent: Array<[string, unknown]> = [];
  const frame = { url };
  const sender = { id, mainFrame: mainFrame ? frame : {}, isDestroyed: () => false, send: (name: string, payload: unknown) => sent.push([name, payload]) };
  return { sent, event: { senderFrame: frame, sender } as unknown as IpcMainInvokeEvent };
}

test('main registers exactly one handler per contract channel, all through the dispatcher', async () => {
  const { dispatcher } = await makeCoreHarness({ isTrustedSender: (sender) => isTrustedElectronSender(sender, new Set([1])) });
  const { handlers, ipcMain } = fakeIpcMain();
  registerIpcHandlers(ipcMain, dispatcher);
  assert.deepEqual([...handlers.keys()].sort(), [...channelNames].sort());

  const good = fakeEvent('app://scan-station/index.html', 1);
  assert.equal(((await handlers.get('app:info')?.(good.event, {})) as { ok: boolean }).ok, true);

  const evil = fakeEvent('https://evil.example/', 1);
  assert.deepEqual(((await handlers.get('app:info')?.(evil.event, {})) as { error: { code: string } }).error.code, 'untrusted-sender');
  const iframe = fakeEvent('app://scan-station/index.html', 1, false);
  assert.deepEqual(((await handlers.get('app:info')?.(iframe.event, {})) as { error: { code: string } }).error.code, 'untrusted-sender');
  const invalid = (await handlers.get('prefs:set')?.(good.event, { language: 42 })) as { error: { code: string } };
  assert.equal(invalid.error.code, 'invalid-arguments');
});

test('progress events go back to the calling window only', async () => {
  const { dispatcher } = await makeCoreHarness({ isTrustedSender: (sender) => isTrustedElectronSender(sender, new Set([1])) });
  const { handlers, ipcMain } = fakeIpcMain();
  registerIpcHandlers(ipcMain, dispatcher);
  const caller = fakeEvent('app://scan-station/index.html', 1);
  await handlers.get('diagnose:stationCheck')?.(caller.event, { jobId: 'w1' });
  assert.equal(caller.sent.length, 5);
  assert.ok(caller.sent.every(([name]) => name === 'diagnose:progress'));
});

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { BrowserWindow, Dialog } from 'electron';
import { guardUnsavedClose } from '../../../electron/main/unsaved-close.js';

/** A window whose renderer refused to unload, and a dialog that answers `choice`. */
function refuseUnload(choice: number): { unloaded: boolean; asked: number } {
  const webContents = new EventEmitter();
  const state = { unloaded: false, asked: 0 };
  const dialog = { showMessageBoxSync: () => ((state.asked += 1), choice) } as unknown as Pick<Dialog, 'showMessageBoxSync'>;
  guardUnsavedClose({ webContents } as unknown as BrowserWindow, dialog);
  webContents.emit('will-prevent-unload', { preventDefault: () => (state.unloaded = true) });
  return state;
}

test('closing with unsaved edits asks; "stay" keeps the window, "discard" lets it close', () => {
  assert.deepEqual(refuseUnload(0), { unloaded: false, asked: 1 });
  assert.deepEqual(refuseUnload(1), { unloaded: true, asked: 1 });
});

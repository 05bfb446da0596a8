import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Dispatcher, SenderInfo } from '../ipc/dispatcher.js';
import { channelNames } from '../shared/ipc-contract.js';

/** Describes the frame behind an invoke for the sender check. */
export function describeSender(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return {
    transport: 'electron',
    url: frame?.url ?? '',
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
    webContentsId: event.sender.id,
  };
}

/** Registers one `ipcMain.handle` per contract channel, all through the dispatcher. */
export function registerIpcHandlers(ipcMain: IpcMain, dispatcher: Dispatcher): void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event, args: unknown) =>
      dispatcher.dispatch(channel, args, describeSender(event), (name, payload) => {
        if (!event.sender.isDestroyed()) event.sender.send(name, payload);
      }),
    );
  }
}

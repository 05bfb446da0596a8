import { contextBridge, ipcRenderer } from 'electron';
import { buildScanStationApi } from '../shared/ipc-api.js';

// Exactly the contract's channels, nothing else: no ipcRenderer, no Node, no generic invoke.
contextBridge.exposeInMainWorld(
  'scanStation',
  buildScanStationApi(
    (channel, args) => ipcRenderer.invoke(channel, args),
    (event, listener) => {
      const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(event, wrapped);
      return () => {
        ipcRenderer.removeListener(event, wrapped);
      };
    },
  ),
);

import type { ScanStationApi } from '../../electron/shared/ipc-api.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode, where the HTTP bridge stands in. */
    scanStation?: ScanStationApi;
  }
}

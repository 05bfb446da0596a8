import { createContext, useContext } from 'react';
import type { ScanStationApi } from '../../../electron/shared/ipc-api.js';

const ApiContext = createContext<ScanStationApi | null>(null);

/** Provides the `scanStation` API to the component tree. */
export const ApiProvider = ApiContext.Provider;

/** The `scanStation` API (preload in Electron, HTTP bridge in browser mode). */
export function useApi(): ScanStationApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

import { useSyncExternalStore } from 'react';

/**
 * Where the link to the background service stands: up; down since a moment (live figures shown
 * then are the last seen, greyed); or refused (browser mode: the station restarted with a new
 * token, so this tab's address is dead until it is given the new one).
 */
export interface BridgeState {
  reachable: boolean;
  /** When the service stopped answering (ms since epoch), null while it answers. */
  downSince: number | null;
  /** The service answered but refused this tab's token. */
  refused: boolean;
}

let state: BridgeState = { reachable: true, downSince: null, refused: false };
const listeners = new Set<() => void>();

function publish(next: BridgeState): void {
  if (next.reachable === state.reachable && next.refused === state.refused) return;
  state = next;
  for (const listener of listeners) listener();
}

/** Records whether the background service answered the last call (HTTP bridge only). */
export function reportBridgeHealth(next: boolean): void {
  if (next) publish({ reachable: true, downSince: null, refused: false });
  else publish({ reachable: false, downSince: state.downSince ?? Date.now(), refused: state.refused });
}

/** Records that the service refused this tab's token (it restarted with a new one). */
export function reportBridgeRefused(): void {
  publish({ reachable: false, downSince: state.downSince ?? Date.now(), refused: true });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the background service is reachable, re-rendering when that changes. */
export function useBridgeHealth(): boolean {
  return useSyncExternalStore(subscribe, () => state.reachable);
}

/** The whole link state (reachable, since when not, refused), re-rendering when it changes. */
export function useBridgeState(): BridgeState {
  return useSyncExternalStore(subscribe, () => state);
}

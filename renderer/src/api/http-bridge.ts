import type { Result } from '../../../electron/shared/error-codes.js';
import { buildScanStationApi, type ScanStationApi } from '../../../electron/shared/ipc-api.js';
import type { EventName } from '../../../electron/shared/ipc-contract.js';

const tokenKey = 'scan-station-token';

/**
 * Takes the per-run token from `#token=…` (put there by the server's printed URL), keeps it for
 * this tab only, and removes it from the address bar so it is not bookmarked or shared.
 */
export function takeBridgeToken(location: Location, history: History, storage: Storage): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match?.[1]) {
    storage.setItem(tokenKey, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return match[1];
  }
  return storage.getItem(tokenKey);
}

/** Health of the bridge, for the status bar. */
export type BridgeListener = (reachable: boolean) => void;

/**
 * The `scanStation` API over the browser-mode HTTP bridge: POST /ipc/<channel>, events via SSE.
 * `onRefused` hears that the service refused the token (a 401: the station restarted with a new
 * one); a new `#token=…` put in the address bar is taken at once (hashchange), no reload needed.
 */
export function createHttpBridgeApi(firstToken: string, onReachability: BridgeListener, onRefused: () => void = () => onReachability(false)): ScanStationApi {
  let token = firstToken;
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  // This page's event stream (named by the ticket that opened it): the server sends our jobs' progress there only.
  let streamId = '';
  let markReady: () => void = () => undefined;
  // Calls wait for the event stream so progress of a fast job is not emitted before we listen.
  const streamReady = new Promise<void>((resolve) => {
    markReady = resolve;
    setTimeout(resolve, 2000);
  });

  /**
   * EventSource cannot send the token header, and the token must not sit in a URL: each
   * connection asks for a one-time ticket first. A ticket is spent once used, so reconnecting
   * (the service restarted, the PC slept) means a fresh ticket and a fresh stream.
   */
  // Each (re)connection is one generation: a new token starts a new one and the old loop stops.
  let generation = 0;
  let current: EventSource | null = null;
  const connect = async (mine = generation): Promise<void> => {
    let ticket: string | null = null;
    try {
      const response = await fetch('./events-ticket', { method: 'POST', headers: { 'x-scan-station-token': token } });
      if (response.status === 401) onRefused();
      ticket = response.ok ? ((await response.json()) as { ticket?: string }).ticket ?? null : null;
    } catch {
      ticket = null;
    }
    if (mine !== generation) return;
    if (!ticket) {
      onReachability(false);
      setTimeout(() => void connect(mine), 2000);
      return;
    }
    const source = new EventSource(`./events?ticket=${encodeURIComponent(ticket)}`);
    current = source;
    const opened = ticket;
    source.addEventListener('open', () => {
      streamId = opened;
      onReachability(true);
      markReady();
    });
    source.addEventListener('error', () => {
      source.close();
      if (mine !== generation) return;
      onReachability(false);
      setTimeout(() => void connect(mine), 2000);
    });
    source.addEventListener('message', (message: MessageEvent<string>) => {
      const { event, payload } = JSON.parse(message.data) as { event: EventName; payload: unknown };
      for (const listener of listeners.get(event) ?? []) listener(payload);
    });
  };
  void connect();
  window.addEventListener('hashchange', () => {
    if (!/(?:^#|&)token=/.test(window.location.hash)) return;
    const next = takeBridgeToken(window.location, window.history, window.sessionStorage);
    if (!next || next === token) return;
    token = next;
    generation += 1;
    current?.close();
    void connect(generation);
  });

  return buildScanStationApi(
    async (channel, args): Promise<Result<unknown>> => {
      await streamReady;
      try {
        const response = await fetch(`./ipc/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-scan-station-token': token, 'x-scan-station-stream': streamId },
          body: JSON.stringify(args),
        });
        if (response.status === 401) onRefused();
        else onReachability(true);
        return (await response.json()) as Result<unknown>;
      } catch (error) {
        onReachability(false);
        const reason = error instanceof Error ? error.message : String(error);
        // The browser's reason ("Failed to fetch") is English-only and says nothing a clerk can act on.
        return { ok: false, error: { code: 'bridge-unreachable', message: `Cannot reach the background service: ${reason}` } };
      }
    },
    (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  );
}

import type { Result } from './error-codes.js';
import type { ArgsOf, Channel, EventName, EventPayload, ValueOf } from './ipc-contract.js';
// Names only, no schemas: this module is bundled into the preload.
import { channelNameList as channelNames, isEventNameListed as isEventName } from './ipc-names.js';

type DomainOf<C> = C extends `${infer D}:${string}` ? D : never;
type ActionOf<C, D extends string> = C extends `${D}:${infer A}` ? A : never;
// Channels whose arguments are all optional may be called with no argument at all.
type MethodOf<C extends Channel> = Record<never, never> extends ArgsOf<C>
  ? (args?: ArgsOf<C>) => Promise<Result<ValueOf<C>>>
  : (args: ArgsOf<C>) => Promise<Result<ValueOf<C>>>;

/** The API the preload exposes as `window.scanStation`, derived from the contract. */
export type ScanStationApi = {
  [D in DomainOf<Channel>]: { [C in Channel as ActionOf<C, D>]: MethodOf<C> };
} & {
  /** Subscribes to an event channel; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Sends one invoke call over some transport (Electron IPC, HTTP bridge). */
export type InvokeTransport = (channel: Channel, args: unknown) => Promise<unknown>;

/** Subscribes to one event channel over some transport. */
export type SubscribeTransport = (event: EventName, listener: (payload: unknown) => void) => () => void;

/** Builds the nested `scanStation` API object from two transport functions. */
export function buildScanStationApi(invoke: InvokeTransport, subscribe: SubscribeTransport): ScanStationApi {
  const api: Record<string, Record<string, (args?: unknown) => Promise<unknown>>> = {};
  for (const channel of channelNames) {
    const [domain, action] = channel.split(':') as [string, string];
    const methods = (api[domain] ??= {});
    methods[action] = (args?: unknown) => invoke(channel, args ?? {});
  }
  const on = (event: EventName, listener: (payload: unknown) => void): (() => void) => {
    if (!isEventName(event)) throw new TypeError(`unknown event channel: ${String(event)}`);
    return subscribe(event, listener);
  };
  return Object.assign(api, { on }) as unknown as ScanStationApi;
}

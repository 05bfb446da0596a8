// eSCL scanners on the office network, found by mDNS/DNS-SD (`_uscan._tcp` over HTTP, `_uscans._tcp` over HTTPS) for a few seconds.
import net from 'node:net';
import { Bonjour, type Service } from 'bonjour-service';
import type { Logger } from '../log/logger.js';
import type { ScannerDevice } from './scanner-driver.js';

/** Options of one discovery round. */
export interface DiscoverOptions {
  /** How long to listen for answers. */
  timeoutMs: number;
  /** Ends the round early; what was found so far is returned. */
  signal?: AbortSignal;
  /** Where socket errors go (mDNS unavailable on this network, for example). */
  log?: Logger;
}

const txtValue = (txt: unknown, key: string): string | null => {
  if (!txt || typeof txt !== 'object') return null;
  const value = (txt as Record<string, unknown>)[key];
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return null;
};

/** The address to reach a service at: IPv4 first, then a routable IPv6 (a link-local one needs a zone a URL cannot carry), then its host name. */
function pickAddress(service: Service): string | null {
  const addresses = service.addresses ?? [];
  const v4 = addresses.find((address) => net.isIPv4(address));
  if (v4) return v4;
  const v6 = addresses.find((address) => net.isIPv6(address) && !/^fe80:/i.test(address));
  if (v6) return `[${v6}]`;
  if (service.referer?.family === 'IPv4') return service.referer.address;
  return service.host ? service.host : null;
}

/** A found service as a device: the base URL from its address, port and TXT `rs` (absent: `eSCL`), its name from TXT `ty`. */
export function describeService(service: Service, secure: boolean): (ScannerDevice & { uuid: string | null }) | null {
  const address = pickAddress(service);
  if (!address || !Number.isInteger(service.port) || service.port <= 0 || service.port > 65535) return null;
  const rs = (txtValue(service.txt, 'rs') ?? 'eSCL').replace(/^\/+|\/+$/g, '');
  const scheme = secure ? 'https' : 'http';
  const defaultPort = secure ? 443 : 80;
  const id = `${scheme}://${address}${service.port === defaultPort ? '' : `:${service.port}`}${rs === '' ? '' : `/${rs}`}`;
  const name = txtValue(service.txt, 'ty') || service.name || address;
  return { id, kind: 'escl', name, origin: 'discovered', uuid: txtValue(service.txt, 'uuid') };
}

/**
 * Listens for eSCL scanners for `timeoutMs` (or until the signal) and returns them. A device that
 * announces both services (same `uuid`) is listed once, over plain HTTP: that is how sane-airscan
 * reaches devices too, and their HTTPS certificates are self-signed anyway.
 */
export async function discoverEsclScanners(options: DiscoverOptions): Promise<ScannerDevice[]> {
  const { signal, log } = options;
  if (signal?.aborted) return [];
  const found = new Map<string, ScannerDevice & { uuid: string | null; secure: boolean }>();
  let bonjour: Bonjour;
  let failed: (error: unknown) => void = () => undefined;
  try {
    bonjour = new Bonjour(undefined, (error: unknown) => failed(error));
  } catch (error) {
    log?.warn('escl.discovery-failed', { error });
    return [];
  }
  const onUp = (secure: boolean) => (service: Service) => {
    const device = describeService(service, secure);
    if (!device) return;
    const key = device.uuid ?? device.id;
    const known = found.get(key);
    if (known && (!known.secure || secure)) return;
    found.set(key, { ...device, secure });
  };
  const browsers = [bonjour.find({ type: 'uscan' }, onUp(false)), bonjour.find({ type: 'uscans' }, onUp(true))];
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, options.timeoutMs));
    signal?.addEventListener('abort', done, { once: true });
    failed = (error) => {
      log?.warn('escl.discovery-failed', { error });
      done();
    };
  });
  for (const browser of browsers) browser.stop();
  await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  return [...found.values()].map(({ id, kind, name, origin }) => ({ id, kind, name, origin }));
}

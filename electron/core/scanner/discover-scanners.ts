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

/** The most devices one discovery round lists (a network flooded with announcements stays a short list). */
export const maxDiscoveredScanners = 256;

/** Whether an address is one an office network gives its own devices: private, shared (CGNAT), link-local IPv4, loopback, or unique-local IPv6. */
function isLanAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  return net.isIPv6(address) && (address === '::1' || /^f[cd][0-9a-f]{0,2}:/i.test(address));
}

/**
 * The address to reach a service at: IPv4 first, then a routable IPv6 (a link-local one needs a
 * zone a URL cannot carry), then the address its answer came from, then its `.local` host name.
 * An announced address outside the office network's ranges is taken only when the answer came from
 * it: anyone on the network can announce a scanner, and the station must not be sent to the Internet.
 */
function pickAddress(service: Service): string | null {
  const from = service.referer?.address;
  const usable = (service.addresses ?? []).filter((address) => typeof address === 'string' && (isLanAddress(address) || address === from));
  const v4 = usable.find((address) => net.isIPv4(address));
  if (v4) return v4;
  const v6 = usable.find((address) => net.isIPv6(address) && !/^fe80:/i.test(address));
  if (v6) return `[${v6}]`;
  if (service.referer?.family === 'IPv4' && net.isIPv4(service.referer.address)) return service.referer.address;
  const host = typeof service.host === 'string' ? service.host.replace(/\.$/, '') : '';
  return /^(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+local$/i.test(host) && host.length <= 253 ? host : null;
}

/** A text a device announces, fit to show: no control or hidden direction characters, spaces collapsed, at most `max` characters. */
function cleanText(value: string | null | undefined, max: number): string {
  if (!value) return '';
  return [...value.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim()].slice(0, max).join('').trim();
}

/** TXT `rs` as a path: plain segments only (no `..`, no URL of its own, nothing encoded into a dot), or null. */
function readResourcePath(value: string | null): string | null {
  const rs = (value ?? 'eSCL').replace(/^\/+|\/+$/g, '');
  if (rs === '') return '';
  if (rs.length > 128) return null;
  const segments = rs.split('/');
  return segments.every((segment) => /^[A-Za-z0-9._~-]+$/.test(segment) && !/^\.{1,2}$/.test(segment)) ? rs : null;
}

/** A found service as a device: the base URL from its address, port and TXT `rs` (absent: `eSCL`), its name from TXT `ty`; null when it announces nothing usable. */
export function describeService(service: Service, secure: boolean): (ScannerDevice & { uuid: string | null }) | null {
  const address = pickAddress(service);
  if (!address || !Number.isInteger(service.port) || service.port <= 0 || service.port > 65535) return null;
  const rs = readResourcePath(txtValue(service.txt, 'rs'));
  if (rs === null) return null;
  const scheme = secure ? 'https' : 'http';
  const defaultPort = secure ? 443 : 80;
  const id = `${scheme}://${address}${service.port === defaultPort ? '' : `:${service.port}`}${rs === '' ? '' : `/${rs}`}`;
  const name = cleanText(txtValue(service.txt, 'ty'), 100) || cleanText(service.name, 100) || address;
  const uuid = txtValue(service.txt, 'uuid');
  return { id, kind: 'escl', name, origin: 'discovered', uuid: uuid && /^[A-Za-z0-9{}-]{1,64}$/.test(uuid) ? uuid.toLowerCase() : null };
}

/** Collects found services as devices: one per device (its `uuid`, else its URL), plain HTTP preferred, at most `limit`. */
export function createDeviceCollector(limit = maxDiscoveredScanners): { add(service: Service, secure: boolean): void; list(): ScannerDevice[] } {
  const found = new Map<string, ScannerDevice & { uuid: string | null; secure: boolean }>();
  return {
    add(service, secure) {
      const device = describeService(service, secure);
      if (!device) return;
      const key = device.uuid ?? device.id;
      const known = found.get(key);
      if (known && (!known.secure || secure)) return;
      if (!known && found.size >= limit) return;
      found.set(key, { ...device, secure });
    },
    list: () => [...found.values()].map(({ id, kind, name, origin }) => ({ id, kind, name, origin })),
  };
}

/**
 * Listens for eSCL scanners for `timeoutMs` (or until the signal) and returns them. A device that
 * announces both services (same `uuid`) is listed once, over plain HTTP: that is how sane-airscan
 * reaches devices too, and their HTTPS certificates are self-signed anyway.
 */
export async function discoverEsclScanners(options: DiscoverOptions): Promise<ScannerDevice[]> {
  const { signal, log } = options;
  if (signal?.aborted) return [];
  const found = createDeviceCollector();
  let bonjour: Bonjour;
  let failed: (error: unknown) => void = () => undefined;
  try {
    bonjour = new Bonjour(undefined, (error: unknown) => failed(error));
  } catch (error) {
    log?.warn('escl.discovery-failed', { error });
    return [];
  }
  const onUp = (secure: boolean) => (service: Service) => found.add(service, secure);
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
  return found.list();
}

// A scanner address as a clerk types it (an IP, a host name with or without port, a full eSCL URL) turned into the device's eSCL base URL.
import net from 'node:net';
import type { ScannerDevice } from './scanner-driver.js';

const hostLabel = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Whether a URL's host part is an IP or a plausible host name (not `foo bar`, `..`, `-x`). */
function isPlausibleHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(bare) !== 0) return true;
  if (bare.length === 0 || bare.length > 253) return false;
  const labels = bare.replace(/\.$/, '').split('.');
  return labels.every((label) => hostLabel.test(label));
}

/**
 * A typed address as an eSCL device: `192.168.1.20` → `http://192.168.1.20/eSCL`, `host:8080` →
 * `http://host:8080/eSCL`, a bare or bracketed IPv6 address likewise, and an `http(s)://` URL kept
 * as given (a URL without a path gets `/eSCL`; a trailing slash is dropped). Anything else is null.
 */
export function parseScannerAddress(text: string): ScannerDevice | null {
  const typed = text.trim();
  if (typed === '' || /\s/.test(typed)) return null;
  let candidate: string;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(typed)) {
    if (!/^https?:\/\//i.test(typed)) return null;
    candidate = typed;
  } else if (!typed.startsWith('[') && (typed.match(/:/g)?.length ?? 0) >= 2) {
    // A bare IPv6 address has colons of its own; only brackets can carry a port with it.
    if (net.isIPv6(typed.split('/')[0] ?? '') === false) return null;
    const [address, ...rest] = typed.split('/');
    candidate = `http://[${address}]${rest.length > 0 ? `/${rest.join('/')}` : ''}`;
  } else {
    candidate = `http://${typed}`;
  }
  // WHATWG URLs read `192.168.1` as 192.168.0.1 and `3232235796` as an address: a typed number must be a full IPv4.
  const typedHost = /^https?:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(candidate)?.[1] ?? '';
  if (/^[\d.]+$/.test(typedHost) && !net.isIPv4(typedHost)) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash || !isPlausibleHost(url.hostname)) return null;
  const path = url.pathname.replace(/\/+$/, '');
  const id = `${url.protocol}//${url.host}${path === '' ? '/eSCL' : path}`;
  return { id, kind: 'escl', name: url.host, origin: 'typed' };
}

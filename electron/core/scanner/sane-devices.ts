// The SANE devices this desk can drive, as scanimage lists them (bounded: network backends may take long to answer).
import type { ScannerDevice } from './scanner-driver.js';
import { defaultScanimage, runScanimage } from './sane-process.js';

/** The prefix of a SANE device's id (`sane:fujitsu:ScanSnap S1500:8176`). */
export const saneIdPrefix = 'sane:';

// Unit and record separators cannot occur in a device name, vendor or model (the list printer writes them literally).
const field = '\u001f';
const listFormat = `%d${field}%v${field}%m${field}%t\u001e%n`;

/** The SANE device name inside a `sane:` id, or null for another kind of id. */
export function saneNameOf(id: string): string | null {
  return id.startsWith(saneIdPrefix) && id.length > saneIdPrefix.length ? id.slice(saneIdPrefix.length) : null;
}

/** The devices in scanimage's formatted list (see `listFormat`): id `sane:NAME`, name vendor and model. */
export function parseSaneDeviceList(text: string): ScannerDevice[] {
  const devices = new Map<string, ScannerDevice>();
  // A record counts once its end mark came: a list cut off by the time bound loses only its last device.
  for (const record of text.split('\u001e').slice(0, -1)) {
    const [name, vendor, model] = record.replace(/^\r?\n/, '').split(field);
    if (name === undefined || vendor === undefined || model === undefined || name === '' || /[\r\n]/.test(name)) continue;
    const id = `${saneIdPrefix}${name}`;
    const label = [vendor, model].map((part) => part.trim()).filter(Boolean).join(' ') || name;
    if (!devices.has(id)) devices.set(id, { id, kind: 'sane', name: label, origin: 'sane' });
  }
  return [...devices.values()];
}

/**
 * The devices SANE finds now (`scanimage -f`), at most `timeoutMs` (default 10 s: a network
 * backend that hangs is killed, and what was listed stays). No scanimage (Windows, macOS, no
 * `sane-utils`) is no devices.
 */
export async function listSaneDevices(options: { scanimage?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ScannerDevice[]> {
  try {
    const result = await runScanimage({
      scanimage: options.scanimage ?? defaultScanimage,
      args: [`--formatted-device-list=${listFormat}`],
      env: options.env,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBytes: 1024 * 1024,
      signal: options.signal,
    });
    return parseSaneDeviceList(result.stdout);
  } catch (error) {
    // Listing is a look around, never a failure: no scanimage, or one that cannot start, lists nothing.
    if (options.signal?.aborted) throw error;
    return [];
  }
}

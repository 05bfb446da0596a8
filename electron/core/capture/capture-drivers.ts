// Which driver drives which device, and how scanners are found: eSCL for http(s) ids, SANE for `sane:` ids (injected in tests).
import type { Logger } from '../log/logger.js';
import { discoverEsclScanners } from '../scanner/discover-scanners.js';
import { createEsclDriver } from '../scanner/escl-client.js';
import { listSaneDevices, saneIdPrefix } from '../scanner/sane-devices.js';
import { createSaneDriver } from '../scanner/sane-driver.js';
import { parseScannerAddress } from '../scanner/scanner-address.js';
import type { ScannerDevice, ScannerDriver } from '../scanner/scanner-driver.js';

/** How the capture reaches devices: a driver for one device, the devices found now, a typed address read. */
export interface ScannerDrivers {
  /** A driver for this device (eSCL or SANE by its id). */
  createDriver(device: ScannerDevice): ScannerDriver;
  /** Scanners found now: mDNS eSCL and SANE devices, each bounded by `timeoutMs`. */
  findDevices(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ScannerDevice[]>;
  /** A typed address (`192.168.1.20`, `http://host/eSCL`) as a device, or null when it is none. */
  parseAddress(text: string): ScannerDevice | null;
}

/** A `sane:NAME` id as a device. */
export function parseSaneId(text: string): ScannerDevice | null {
  const trimmed = text.trim();
  const name = trimmed.startsWith(saneIdPrefix) ? trimmed.slice(saneIdPrefix.length) : '';
  return name && name.length <= 500 && !/[\0\n\r]/.test(name) ? { id: `${saneIdPrefix}${name}`, kind: 'sane', name, origin: 'sane' } : null;
}

/**
 * The station's drivers: eSCL (the station's own client) for http(s) ids, SANE (`scanimage`) for
 * `sane:` ids; `workDir` holds SANE's page files; finding looks over mDNS and asks SANE at once.
 */
export function createDefaultDrivers(options: { log: Logger; workDir: string; env?: NodeJS.ProcessEnv; scanimage?: string }): ScannerDrivers {
  return {
    createDriver(device) {
      return device.kind === 'sane' || device.id.startsWith(saneIdPrefix) ? createSaneDriver({ device, log: options.log, workDir: options.workDir, scanimage: options.scanimage, env: options.env }) : createEsclDriver({ device, log: options.log });
    },
    async findDevices({ timeoutMs, signal }) {
      const bounded = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs + 1000)]) : AbortSignal.timeout(timeoutMs + 1000);
      const [escl, sane] = await Promise.all([
        discoverEsclScanners({ timeoutMs, signal, log: options.log }).catch((error: unknown) => {
          options.log.warn('capture.mdns-failed', { reason: String(error) });
          return [] as ScannerDevice[];
        }),
        listSaneDevices({ scanimage: options.scanimage, env: options.env, signal: bounded, timeoutMs: timeoutMs + 1000 }).catch((error: unknown) => {
          options.log.warn('capture.sane-list-failed', { reason: String(error) });
          return [] as ScannerDevice[];
        }),
      ]);
      return [...escl, ...sane];
    },
    parseAddress: (text) => parseSaneId(text) ?? parseScannerAddress(text),
  };
}

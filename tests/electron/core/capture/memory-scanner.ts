// A scanner in memory for the capture's unit tests: serves given pages one per pull, can run out, jam after N pages, refuse a start, and records what was asked of it.
import { CoreError } from '../../../../electron/core/base/errors.js';
import type { ScanJob, ScannerDevice, ScannerDriver, ScannedPage } from '../../../../electron/core/scanner/scanner-driver.js';
import type { ScannerDrivers } from '../../../../electron/core/capture/capture-drivers.js';

/** How the memory scanner behaves. */
export interface MemoryScannerOptions {
  pages: Uint8Array[];
  /** Throws `scanner-jammed` at the pull after this many pages (once). */
  jamAfter?: number;
  /** Refuses the start with this code (feeder empty, busy…). */
  refuse?: 'scanner-feeder-empty' | 'scanner-jammed' | 'scanner-busy';
  /** Each pull waits this long (a slow feeder), aborted by the signal. */
  delayMs?: number;
}

/** A memory scanner with its log of jobs (pages pulled, closes). */
export function createMemoryScanner(device: ScannerDevice, options: MemoryScannerOptions) {
  const jobs: Array<{ pulled: number; closed: number }> = [];
  let next = 0;
  let jammed = false;
  const driver: ScannerDriver = {
    device,
    readCapabilities: async () => ({ makeAndModel: 'Memory Scanner', sources: ['adf', 'duplex', 'flatbed'], resolutions: [200, 300], colors: ['gray', 'color'], formats: ['image/jpeg'], feederCapacity: 50 }),
    readStatus: async () => ({ condition: next >= options.pages.length ? 'feeder-empty' : 'ready', detail: null }),
    async startJob(): Promise<ScanJob> {
      if (options.refuse) throw new CoreError(options.refuse, { device: device.name });
      if (next >= options.pages.length) throw new CoreError('scanner-feeder-empty', { device: device.name });
      const record = { pulled: 0, closed: 0 };
      jobs.push(record);
      return {
        async nextPage(signal): Promise<ScannedPage | null> {
          if (options.delayMs) {
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(resolve, options.delayMs);
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                reject(new DOMException('aborted', 'AbortError'));
              }, { once: true });
            });
          }
          signal.throwIfAborted();
          if (options.jamAfter !== undefined && !jammed && next === options.jamAfter) {
            jammed = true;
            throw new CoreError('scanner-jammed', { device: device.name });
          }
          const bytes = options.pages[next];
          if (!bytes) return null;
          next += 1;
          record.pulled += 1;
          return { bytes, mime: 'image/jpeg' };
        },
        async close() {
          record.closed += 1;
        },
      };
    },
  };
  const drivers: ScannerDrivers = { createDriver: () => driver, findDevices: async () => [device], parseAddress: (text) => (text === device.id ? device : null) };
  return { driver, drivers, jobs, taken: () => next };
}

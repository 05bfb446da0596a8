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
  refuse?: 'scanner-feeder-empty' | 'scanner-jammed' | 'scanner-busy' | 'scanner-unreachable';
  /** The start waits this long (the device checked), aborted by the signal. */
  startDelayMs?: number;
  /** Called at each pull before the page is given (what the spool holds then can be looked at). */
  onPull?: () => Promise<void>;
  /** Each pull waits this long (a slow feeder), aborted by the signal. */
  delayMs?: number;
}

/** Waits `ms`, or rejects when `signal` aborts. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException('aborted', 'AbortError'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    }, { once: true });
  });
}

/** A memory scanner with its log of jobs (pages pulled, closes). */
export function createMemoryScanner(device: ScannerDevice, options: MemoryScannerOptions) {
  const jobs: Array<{ pulled: number; closed: number; uri: string }> = [];
  /** Jobs ended through the drivers' `endJob` (a crashed process's job). */
  const ended: string[] = [];
  let next = 0;
  let jammed = false;
  const driver: ScannerDriver = {
    device,
    readCapabilities: async () => ({ makeAndModel: 'Memory Scanner', sources: ['adf', 'duplex', 'flatbed'], resolutions: [200, 300], colors: ['gray', 'color'], formats: ['image/jpeg'], feederCapacity: 50 }),
    readStatus: async () => ({ condition: next >= options.pages.length ? 'feeder-empty' : 'ready', detail: null }),
    async startJob(_settings, signal): Promise<ScanJob> {
      if (options.startDelayMs) await wait(options.startDelayMs, signal);
      if (options.refuse) throw new CoreError(options.refuse, { device: device.name, reason: 'ECONNREFUSED' });
      if (next >= options.pages.length) throw new CoreError('scanner-feeder-empty', { device: device.name });
      const record = { pulled: 0, closed: 0, uri: `/eSCL/ScanJobs/memory-${jobs.length + 1}` };
      jobs.push(record);
      // Its address on the device, as a driver may tell it (`readOwnJobUri`).
      const scanJob: ScanJob & { uri: string } = {
        uri: record.uri,
        async nextPage(signal): Promise<ScannedPage | null> {
          if (options.delayMs) await wait(options.delayMs, signal);
          signal.throwIfAborted();
          await options.onPull?.();
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
      return scanJob;
    },
  };
  const drivers: ScannerDrivers = {
    createDriver: () => driver,
    findDevices: async () => [device],
    parseAddress: (text) => (text === device.id ? device : null),
    endJob: async (_device, uri) => {
      ended.push(uri);
      return true;
    },
  };
  return { driver, drivers, jobs, ended, taken: () => next };
}

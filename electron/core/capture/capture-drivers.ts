// Which driver drives which device, and how scanners are found: eSCL for http(s) ids, SANE for `sane:` ids (injected in tests).
import type { Logger } from '../log/logger.js';
import { discoverEsclScanners } from '../scanner/discover-scanners.js';
import { createEsclDriver, readJobPath } from '../scanner/escl-client.js';
import { requestDevice } from '../scanner/escl-client-http.js';
import { maxEsclXmlBytes, parseEsclStatus } from '../scanner/escl-xml.js';
import { listSaneDevices, saneIdPrefix } from '../scanner/sane-devices.js';
import { createSaneDriver } from '../scanner/sane-driver.js';
import { parseScannerAddress } from '../scanner/scanner-address.js';
import type { ScanJob, ScannerDevice, ScannerDriver } from '../scanner/scanner-driver.js';

/** How the capture reaches devices: a driver for one device, the devices found now, a typed address read. */
export interface ScannerDrivers {
  /** A driver for this device (eSCL or SANE by its id). */
  createDriver(device: ScannerDevice): ScannerDriver;
  /** Scanners found now: mDNS eSCL and SANE devices, each bounded by `timeoutMs`. */
  findDevices(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ScannerDevice[]>;
  /** A typed address (`192.168.1.20`, `http://host/eSCL`) as a device, or null when it is none. */
  parseAddress(text: string): ScannerDevice | null;
  /** The device's own address of a job just started (an eSCL job path), recorded so a crash can end it later; null when unknown. */
  findJobUri?(device: ScannerDevice, job: ScanJob, signal: AbortSignal): Promise<string | null>;
  /** Ends a job a crashed process left on the device (eSCL `DELETE`); true when it is gone (or was already). */
  endJob?(device: ScannerDevice, uri: string, signal: AbortSignal): Promise<boolean>;
}

/** A job's own address when its driver tells it (`uri` on the job: the eSCL client's job path), else null. */
export function readOwnJobUri(job: ScanJob): string | null {
  const uri: unknown = job.uri;
  return typeof uri === 'string' && uri.length > 0 && uri.length <= 1024 ? uri : null;
}

/** The job an eSCL device runs now, from its ScannerStatus: the one Processing or Pending job (a device runs one at a time; a second is refused as busy), else null. */
async function findEsclJobPath(device: ScannerDevice, job: ScanJob, signal: AbortSignal): Promise<string | null> {
  const base = new URL(device.id);
  const basePath = base.pathname.replace(/\/+$/, '');
  const own = readOwnJobUri(job);
  if (own) return readJobPath(own, basePath);
  const answer = await requestDevice(new URL(`${base.protocol}//${base.host}${basePath}/ScannerStatus`), { method: 'GET', timeoutMs: 3000, maxBytes: maxEsclXmlBytes, signal });
  if (answer.status !== 200) return null;
  const running = parseEsclStatus(answer.body.toString('utf8')).jobs.filter((entry) => entry.state === 'Processing' || entry.state === 'Pending');
  return running.length === 1 && running[0] ? readJobPath(running[0].uri, basePath) : null;
}

/** Ends an eSCL job by its path (`DELETE`, joined to the device's own host as every request is); 404/410: already gone. */
async function endEsclJob(device: ScannerDevice, uri: string, signal: AbortSignal): Promise<boolean> {
  const base = new URL(device.id);
  const jobPath = readJobPath(uri, base.pathname.replace(/\/+$/, ''));
  if (!jobPath) return true;
  const answer = await requestDevice(new URL(`${base.protocol}//${base.host}${jobPath}`), { method: 'DELETE', timeoutMs: 5000, maxBytes: 64 * 1024, signal });
  return answer.status < 300 || answer.status === 404 || answer.status === 410;
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
    // SANE's job is a child process of the station: nothing of it outlives the station on the device.
    findJobUri: (device, job, signal) => (device.kind === 'escl' && /^https?:/.test(device.id) ? findEsclJobPath(device, job, signal) : Promise.resolve(null)),
    endJob: (device, uri, signal) => (device.kind === 'escl' && /^https?:/.test(device.id) ? endEsclJob(device, uri, signal) : Promise.resolve(true)),
  };
}

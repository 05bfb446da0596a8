// The SANE driver: a device's options read from `scanimage -A`, its state (SANE has no status call), and batch scans into the capture's work folder.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { defaultDocumentLimits } from '../document/document-limits.js';
import type { Logger } from '../log/logger.js';
import type { ScanJob, ScannedPage, ScannerCapabilities, ScannerDevice, ScannerDriver, ScannerStatus, ScanSettings } from './scanner-driver.js';
import { saneNameOf } from './sane-devices.js';
import { type SaneDeviceOptions, readSaneDeviceOptions, toSaneCapabilities } from './sane-options.js';
import { defaultScanimage, runScanimage } from './sane-process.js';
import { startSaneJob } from './sane-job.js';
import { describeSaneFailure } from './sane-status.js';

/** Options of the SANE driver; only `device`, `log` and `workDir` are needed outside tests. */
export interface SaneDriverOptions {
  /** A `sane:NAME` device (from `listSaneDevices`, or typed). */
  device: ScannerDevice;
  log: Logger;
  /** Where the scan's page files are written (one folder per job, removed when the job ends): the spool's own temporary folder. */
  workDir: string;
  /** The scanimage to run (default: `scanimage` on PATH). */
  scanimage?: string;
  /** scanimage's environment (default: the station's; tests point `SANE_CONFIG_DIR` elsewhere). */
  env?: NodeJS.ProcessEnv;
  /**
   * Device options added after the desk's settings on every scan. For tests: the `test` backend's
   * `--enable-test-options --read-return-value SANE_STATUS_JAMMED` injects a device error, `--read-delay=yes` slows it.
   */
  extraArgs?: string[];
  /** Longest wait for `scanimage -A` (default 30 s: a network device may answer slowly). */
  timeoutMs?: number;
  /** Longest wait for the next page of a job before it is given up as `scanner-failed` (default 120 s). */
  pageTimeoutMs?: number;
  /** Largest page file (default: the document limits' file bytes). */
  maxPageBytes?: number;
  /** How long scanimage has to stop after SIGTERM (it cancels on the device) before SIGKILL (default 3 s). */
  killGraceMs?: number;
}

// One job per device at a time across drivers: two drivers for the same device share this.
const busyDevices = new Set<string>();

const formatByMime: Record<ScannedPage['mime'], { format: string; extension: string }> = {
  'image/jpeg': { format: 'jpeg', extension: 'jpg' },
  'image/png': { format: 'png', extension: 'png' },
  'image/tiff': { format: 'tiff', extension: 'tif' },
};

/** A driver for one SANE device, run through scanimage. */
export function createSaneDriver(options: SaneDriverOptions): ScannerDriver {
  const { device, log } = options;
  const saneName = saneNameOf(device.id);
  const scanimage = options.scanimage ?? defaultScanimage;
  let known: SaneDeviceOptions | null = null;

  const requireName = (): string => {
    if (saneName === null) throw new CoreError('scanner-not-found', { device: device.name });
    return saneName;
  };

  /** The device's options, read once per driver (`-A` opens the device, which takes a moment on real hardware). */
  const readOptions = async (signal: AbortSignal): Promise<SaneDeviceOptions> => {
    if (known) return known;
    const name = requireName();
    let result;
    try {
      // --help adds scanimage's own --format list to the device's options.
      result = await runScanimage({ scanimage, args: ['-d', name, '-A', '--help'], env: options.env, timeoutMs: options.timeoutMs ?? 30_000, maxBytes: 4 * 1024 * 1024, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new CoreError('scanner-unreachable', { device: device.name, reason: (error as { code?: string }).code ?? 'unrecognised', detail: String(error) }, { cause: error });
    }
    if (result.timedOut) throw new CoreError('scanner-unreachable', { device: device.name, reason: 'ETIMEDOUT' });
    if (result.overflowed) throw new CoreError('scanner-bad-answer', { device: device.name, reason: 'unrecognised', detail: 'more than 4 MB of options' });
    // scanimage exits 0 after --help even when the device did not open: its complaint says so.
    if (/open of device .* failed/.test(result.stderr) || (result.code !== 0 && result.code !== null)) {
      log.warn('sane-options-failed', { device: device.id, code: result.code, stderr: result.stderr.slice(-2000) });
      throw describeSaneFailure(result.stderr, result.code, device.name);
    }
    if (!/options specific to device/i.test(result.stdout)) throw new CoreError('scanner-bad-answer', { device: device.name, reason: 'unrecognised', detail: result.stdout.slice(0, 300) });
    known = readSaneDeviceOptions(result.stdout);
    return known;
  };

  /** The command-line arguments for the desk's settings, or the setting the device does not offer. */
  const settingArgs = (found: SaneDeviceOptions, settings: ScanSettings): string[] => {
    const unsupported = (setting: string, value: string | number) => new CoreError('scanner-setting-unsupported', { device: device.name, setting, value: String(value) });
    const source = found.sources[settings.source];
    if (source === undefined) throw unsupported('source', settings.source);
    const color = found.colors[settings.color];
    if (color === undefined) throw unsupported('color', settings.color);
    if (found.hasResolution && !found.resolutions.includes(settings.dpi)) throw unsupported('dpi', settings.dpi);
    return [
      ...(source === null ? [] : ['--source', source]),
      ...(settings.source === 'duplex' ? found.duplexArgs : []),
      ...(color === null ? [] : ['--mode', color]),
      ...(found.hasResolution ? ['--resolution', String(settings.dpi)] : []),
    ];
  };

  return {
    device,

    async readCapabilities(signal: AbortSignal): Promise<ScannerCapabilities> {
      return toSaneCapabilities(await readOptions(signal), device.name);
    },

    async readStatus(signal: AbortSignal): Promise<ScannerStatus> {
      signal.throwIfAborted();
      requireName();
      // SANE has no status call: a jam or an empty feeder shows only when a scan starts.
      return { condition: busyDevices.has(device.id) ? 'busy' : 'ready', detail: null };
    },

    async startJob(settings: ScanSettings, signal: AbortSignal): Promise<ScanJob> {
      const name = requireName();
      if (busyDevices.has(device.id)) throw new CoreError('scanner-busy', { device: device.name });
      const cancelled = () => new CoreError('scan-cancelled', { pages: 0 });
      const found = await readOptions(signal).catch((error: unknown) => {
        throw signal.aborted ? cancelled() : error;
      });
      const args = ['-d', name, ...settingArgs(found, settings)];
      const formats = found.formats ?? ['image/jpeg'];
      const mime = (['image/jpeg', 'image/png', 'image/tiff'] as const).find((type) => formats.includes(type));
      if (mime === undefined) throw new CoreError('scanner-setting-unsupported', { device: device.name, setting: 'format', value: 'image/jpeg' });
      if (signal.aborted) throw cancelled();
      if (busyDevices.has(device.id)) throw new CoreError('scanner-busy', { device: device.name });
      busyDevices.add(device.id);
      const { format, extension } = formatByMime[mime];
      const job = `sane-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      return startSaneJob({
        scanimage,
        args: [...args, `--format=${format}`, ...(options.extraArgs ?? [])],
        env: options.env,
        jobDir: path.join(path.resolve(options.workDir), job),
        extension,
        mime,
        device: device.name,
        feeder: settings.source !== 'flatbed',
        pageTimeoutMs: options.pageTimeoutMs ?? 120_000,
        maxPageBytes: options.maxPageBytes ?? defaultDocumentLimits.maxBytes,
        killGraceMs: options.killGraceMs ?? 3000,
        log,
        onEnd: () => busyDevices.delete(device.id),
      }, signal);
    },
  };
}

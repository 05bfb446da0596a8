// What every scanner driver offers the capture: a device's capabilities and state, and a scan job read one page at a time (eSCL and SANE here; a Windows WIA/TWAIN driver in its own process later).
import type { ScanColor, ScannerCapabilities, ScannerStatus, ScanSettings, ScanSource, ScannerDeviceKind } from '../../shared/capture/capture-types.js';

export type { ScanColor, ScannerCapabilities, ScannerStatus, ScanSettings, ScanSource, ScannerDeviceKind };

/** A scanner the station can drive: an eSCL base URL (`http://host:port/eSCL`) or a SANE device (`sane:NAME`). */
export interface ScannerDevice {
  /** The device's id as the CLI's `--device` takes it: the eSCL base URL, or `sane:` and the SANE device name. */
  id: string;
  kind: ScannerDeviceKind;
  /** What people call it: the mDNS instance name, the model, or the SANE vendor and model. */
  name: string;
  /** Found on the network (mDNS), typed by someone, or listed by SANE. */
  origin: 'discovered' | 'typed' | 'sane';
}

/** One page as the scanner sent it: the image bytes and their type (never decoded by the driver). */
export interface ScannedPage {
  bytes: Uint8Array;
  /** `image/jpeg`, `image/png` or `image/tiff` (what `openDocument` reads). */
  mime: 'image/jpeg' | 'image/png' | 'image/tiff';
}

/**
 * One scan job on a device. Pages are pulled: `nextPage` is called again only after the caller has
 * stored the page it returned, so a driver that can wait (eSCL) asks the device for the next page
 * only then. A device error mid-job is thrown as a `CoreError` (`scanner-jammed`…).
 */
export interface ScanJob {
  /** The next page, or null when the job has no more (the feeder ran out, the platen page was read). */
  nextPage(signal: AbortSignal): Promise<ScannedPage | null>;
  /** Ends the job on the device (cancels it if still running, or cleans it up); safe to call twice. */
  close(): Promise<void>;
  /** The job's own address on the device (an eSCL job path), when it has one: recorded so a crash can end it later. */
  readonly uri?: string;
}

/**
 * A driver for one device. Every call takes a signal (a cancel, Ctrl+C) and bounds its own time;
 * failures are `CoreError`s with the scanner codes of `electron/shared/error-codes.ts`.
 */
export interface ScannerDriver {
  readonly device: ScannerDevice;
  /** What the device offers (sources, resolutions, colour modes, formats). */
  readCapabilities(signal: AbortSignal): Promise<ScannerCapabilities>;
  /** The device's state now (idle, feeder empty, jammed, door open, busy). */
  readStatus(signal: AbortSignal): Promise<ScannerStatus>;
  /** Starts one job with these settings (the status checked first: an empty or jammed feeder is an error, no job). */
  startJob(settings: ScanSettings, signal: AbortSignal): Promise<ScanJob>;
}

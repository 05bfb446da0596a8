// The capture as the station runs it: scanners found and typed, the desk's scan settings, one scan job at a time into the spool (see docs/capture.md).
import type { z } from 'zod';
import type { captureJobSchema, captureSettingsSchema, captureStateSchema, scannerDeviceSchema } from '../../shared/ipc-contract.js';
import { CoreError } from '../base/errors.js';

/** A scanner as the desk lists it (with what it offers and its state, or why it could not be read). */
export type ScannerDeviceView = z.output<typeof scannerDeviceSchema>;
/** The desk's scan settings (the picked scanner and how it scans). */
export type CaptureSettings = z.output<typeof captureSettingsSchema>;
/** One scan job as the screens and `scan --json` show it. */
export type CaptureJob = z.output<typeof captureJobSchema>;
/** The whole capture state pushed to the screens. */
export type CaptureState = z.output<typeof captureStateSchema>;

/** What the Scan desk, the status bar and the CLI drive. */
export interface CaptureService {
  /** Scanners found (mDNS, SANE) and typed, each with its capabilities and state; `refresh` looks again now. */
  listDevices(options?: { refresh?: boolean; signal?: AbortSignal }): Promise<ScannerDeviceView[]>;
  /** Adds a scanner typed by address (an eSCL URL, or a host), checked by reading its capabilities. */
  addDevice(address: string): Promise<ScannerDeviceView>;
  /** Forgets a typed scanner. */
  removeDevice(id: string): Promise<boolean>;
  /** The desk's scan settings. */
  readSettings(): Promise<CaptureSettings>;
  /** Saves the desk's scan settings. */
  saveSettings(settings: CaptureSettings): Promise<CaptureSettings>;
  /** The capture now: the job, the interrupted scans, the picked scanner's state. */
  readState(): Promise<CaptureState>;
  /** Starts a job with the saved settings (or continues an interrupted scan); resolves once it is under way. */
  start(options?: { into?: string }): Promise<CaptureState>;
  /** Cancels the running job (the pages received are kept and become the stack). */
  cancel(): Promise<CaptureState>;
  /** Closes an interrupted scan into a stack with what came. */
  release(batchId: string): Promise<{ stackId: string | null }>;
  /** Tells `listener` every change of the capture state; returns the unsubscribe. */
  onChanged(listener: (state: CaptureState) => void): () => void;
  /** Stops the running job (as a cancel) and any discovery, for shutdown. */
  close(): Promise<void>;
}

/** Creates the capture service (to be replaced by the real one: issue 25, in progress). */
export function createCaptureService(): CaptureService {
  const refuse = async (): Promise<never> => {
    throw new CoreError('scanner-not-found', { device: '' });
  };
  return {
    listDevices: async () => [],
    addDevice: refuse,
    removeDevice: async () => false,
    readSettings: refuse,
    saveSettings: refuse,
    readState: refuse,
    start: refuse,
    cancel: refuse,
    release: refuse,
    onChanged: () => () => undefined,
    close: async () => undefined,
  };
}

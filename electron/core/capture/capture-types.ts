// The capture's types as the screens and the CLI see them (the IPC contract's schemas), shared by the service, its jobs and its store.
import type { z } from 'zod';
import type { captureJobSchema, captureSettingsSchema, captureStateSchema, scannerDeviceSchema } from '../../shared/ipc-contract.js';

/** A scanner as the desk lists it (with what it offers and its state, or why it could not be read). */
export type ScannerDeviceView = z.output<typeof scannerDeviceSchema>;
/** The desk's scan settings (the picked scanner and how it scans). */
export type CaptureSettings = z.output<typeof captureSettingsSchema>;
/** One scan job as the screens and `scan --json` show it. */
export type CaptureJob = z.output<typeof captureJobSchema>;
/** The whole capture state pushed to the screens. */
export type CaptureState = z.output<typeof captureStateSchema>;

// The capture's plain types shared by core, the IPC contract and the screens: scan settings, what a device offers, its state in a word.

/** Where the paper is: the document feeder one side, both sides, or the glass. */
export const scanSources = ['adf', 'duplex', 'flatbed'] as const;
/** A scan source. */
export type ScanSource = (typeof scanSources)[number];

/** Gray (the imaging system's usual) or colour. */
export const scanColors = ['gray', 'color'] as const;
/** A scan colour mode. */
export type ScanColor = (typeof scanColors)[number];

/** The resolutions the desk offers (the imaging system reads codes from 200 dpi up). */
export const scanResolutions = [200, 300] as const;

/** The kinds of device the station drives. */
export const scannerDeviceKinds = ['escl', 'sane'] as const;
/** A device kind. */
export type ScannerDeviceKind = (typeof scannerDeviceKinds)[number];

/** The desk's scan settings for one job. */
export interface ScanSettings {
  source: ScanSource;
  dpi: number;
  color: ScanColor;
}

/** The station's default scan settings: both sides from the feeder, 200 dpi, gray. */
export const defaultScanSettings: ScanSettings = { source: 'duplex', dpi: 200, color: 'gray' };

/** What a device offers, as the desk shows it. */
export interface ScannerCapabilities {
  /** The make and model it reports (null: none). */
  makeAndModel: string | null;
  /** The sources it has (duplex only when its feeder scans both sides). */
  sources: ScanSource[];
  /** Resolutions it offers (dpi), ascending. */
  resolutions: number[];
  /** Colour modes it offers. */
  colors: ScanColor[];
  /** Page formats it can send (MIME types). */
  formats: string[];
  /** Sheets its feeder holds (null: not reported). */
  feederCapacity: number | null;
}

/** A device's state in one word the desk turns into clerk words. */
export const scannerConditions = ['ready', 'busy', 'feeder-empty', 'jammed', 'door-open', 'offline', 'error'] as const;
/** A device's state. */
export type ScannerCondition = (typeof scannerConditions)[number];

/** A device's state now: the word, and the device's own text for support (never shown alone to a clerk). */
export interface ScannerStatus {
  condition: ScannerCondition;
  detail: string | null;
}

// eSCL's XML both ways: a device's ScannerCapabilities and ScannerStatus read by local element names (the scan:/pwg: prefixes vary between devices), and the ScanSettings a job is started with.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ScanColor, ScannerCapabilities, ScannerStatus, ScanSource } from '../../shared/capture/capture-types.js';
import { scanSources } from '../../shared/capture/capture-types.js';

/** What one input of a device (the glass, the feeder one side, the feeder both sides) offers. */
export interface EsclInputCaps {
  /** Bounds of a scan region in 1/300 inch (null: not reported). */
  minWidth: number | null;
  maxWidth: number | null;
  minHeight: number | null;
  maxHeight: number | null;
  /** eSCL colour modes as the device names them (`Grayscale8`, `RGB24`, `BlackAndWhite1`…). */
  colorModes: string[];
  /** MIME types from `DocumentFormat` and `DocumentFormatExt`. */
  formats: string[];
  /** Resolutions in dpi, ascending. */
  resolutions: number[];
}

/** A device's ScannerCapabilities, per input. */
export interface EsclCapabilities {
  makeAndModel: string | null;
  uuid: string | null;
  inputs: Partial<Record<ScanSource, EsclInputCaps>>;
  feederCapacity: number | null;
}

/** A device's ScannerStatus: its state words and its jobs. */
export interface EsclStatus {
  /** `pwg:State`: Idle, Processing, Testing, Stopped, Down. */
  state: string | null;
  /** `scan:AdfState`: ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam… (null: no feeder, or not reported). */
  adfState: string | null;
  jobs: Array<{ uri: string; state: string | null; imagesCompleted: number | null }>;
}

/** The XML we accept from a device at most (a capabilities document is some 15 KB). */
export const maxEsclXmlBytes = 1024 * 1024;

// Elements that repeat; parsed as arrays even when a device sends one of them.
const repeated = new Set(['SettingProfile', 'ColorMode', 'DocumentFormat', 'DocumentFormatExt', 'DiscreteResolution', 'JobInfo', 'AdfOption', 'StateReason', 'JobStateReason']);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => repeated.has(name),
});

type Node = Record<string, unknown>;

/** Parses one document and returns its root element, or throws a plain Error saying why (the caller names the device). */
function parseRoot(xml: string, root: string): Node {
  if (xml.length > maxEsclXmlBytes) throw new Error(`XML over ${maxEsclXmlBytes} bytes`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not XML: ${valid.err.msg} (line ${valid.err.line})`);
  const document = parser.parse(xml) as Node;
  const element = document[root];
  if (!element || typeof element !== 'object') throw new Error(`no ${root} element`);
  return element as Node;
}

const child = (node: unknown, name: string): Node | undefined => {
  const value = node && typeof node === 'object' ? (node as Node)[name] : undefined;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : undefined;
};
const children = (node: unknown, name: string): unknown[] => {
  const value = node && typeof node === 'object' ? (node as Node)[name] : undefined;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
};
const text = (node: unknown, name: string): string | null => {
  const value = node && typeof node === 'object' ? (node as Node)[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
};
const count = (node: unknown, name: string): number | null => {
  const value = text(node, name);
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
};
const unique = <T>(values: T[]): T[] => [...new Set(values)];

// Resolutions a range-only device is asked about: the usual steps of scanner drivers.
const commonResolutions = [75, 100, 150, 200, 240, 300, 400, 600, 1200];

/** Resolutions of one setting profile: discrete pairs (X where X = Y, else X), or the common ones inside a range. */
function readResolutions(profile: unknown): number[] {
  const supported = child(profile, 'SupportedResolutions');
  const pairs = children(child(supported, 'DiscreteResolutions'), 'DiscreteResolution').map((pair) => [count(pair, 'XResolution'), count(pair, 'YResolution')] as const);
  const square = pairs.filter(([x, y]) => x !== null && x === y).map(([x]) => x as number);
  const found = square.length > 0 ? square : pairs.flatMap(([x]) => (x === null ? [] : [x]));
  const range = child(child(supported, 'ResolutionRange'), 'XResolutionRange');
  if (range) {
    const min = count(range, 'Min') ?? 0;
    const max = count(range, 'Max') ?? 0;
    const step = count(range, 'Step') ?? 1;
    found.push(...commonResolutions.filter((dpi) => dpi >= min && dpi <= max && (step <= 1 || (dpi - min) % step === 0)));
  }
  return found.filter((dpi) => dpi > 0);
}

/** One input's caps (`PlatenInputCaps`, `AdfSimplexInputCaps`, `AdfDuplexInputCaps`). */
function readInputCaps(node: Node): EsclInputCaps {
  const profiles = children(child(node, 'SettingProfiles'), 'SettingProfile');
  const colorModes: string[] = [];
  const formats: string[] = [];
  const resolutions: number[] = [];
  for (const profile of profiles) {
    colorModes.push(...children(child(profile, 'ColorModes'), 'ColorMode').filter((mode): mode is string => typeof mode === 'string'));
    // Most devices list formats under DocumentFormats; a few older ones put them straight in the profile.
    for (const holder of [child(profile, 'DocumentFormats'), profile]) {
      for (const name of ['DocumentFormat', 'DocumentFormatExt']) {
        formats.push(...children(holder, name).filter((format): format is string => typeof format === 'string' && format !== ''));
      }
    }
    resolutions.push(...readResolutions(profile));
  }
  return {
    minWidth: count(node, 'MinWidth'),
    maxWidth: count(node, 'MaxWidth'),
    minHeight: count(node, 'MinHeight'),
    maxHeight: count(node, 'MaxHeight'),
    colorModes: unique(colorModes),
    formats: unique(formats.map((format) => format.toLowerCase())),
    resolutions: unique(resolutions).sort((a, b) => a - b),
  };
}

/** Reads a ScannerCapabilities document; throws a plain Error when it is not one. */
export function parseEsclCapabilities(xml: string): EsclCapabilities {
  const root = parseRoot(xml, 'ScannerCapabilities');
  const inputs: Partial<Record<ScanSource, EsclInputCaps>> = {};
  const platen = child(child(root, 'Platen'), 'PlatenInputCaps');
  if (platen) inputs.flatbed = readInputCaps(platen);
  const adf = child(root, 'Adf');
  const simplex = child(adf, 'AdfSimplexInputCaps');
  const duplex = child(adf, 'AdfDuplexInputCaps');
  if (simplex) inputs.adf = readInputCaps(simplex);
  // Older devices announce both sides as an AdfOption and keep one set of caps for both.
  const duplexOption = children(child(adf, 'AdfOptions'), 'AdfOption').includes('Duplex');
  if (duplex) inputs.duplex = readInputCaps(duplex);
  else if (simplex && duplexOption) inputs.duplex = inputs.adf;
  return { makeAndModel: text(root, 'MakeAndModel'), uuid: text(root, 'UUID'), inputs, feederCapacity: count(adf, 'FeederCapacity') };
}

/** The eSCL colour mode for a desk colour. */
export function toEsclColorMode(color: ScanColor): string {
  return color === 'gray' ? 'Grayscale8' : 'RGB24';
}

/** The desk colours an input offers (BlackAndWhite1 and 16/48-bit modes are not used by the desk). */
export function readScanColors(input: EsclInputCaps): ScanColor[] {
  return (['gray', 'color'] as const).filter((color) => input.colorModes.includes(toEsclColorMode(color)));
}

/** A device's capabilities as the desk shows them: the union over its inputs. */
export function summarizeEsclCapabilities(caps: EsclCapabilities): ScannerCapabilities {
  const inputs = Object.values(caps.inputs);
  return {
    makeAndModel: caps.makeAndModel,
    sources: scanSources.filter((source) => caps.inputs[source] !== undefined),
    resolutions: unique(inputs.flatMap((input) => input.resolutions)).sort((a, b) => a - b),
    colors: (['gray', 'color'] as const).filter((color) => inputs.some((input) => readScanColors(input).includes(color))),
    formats: unique(inputs.flatMap((input) => input.formats)),
    feederCapacity: caps.feederCapacity,
  };
}

/** Reads a ScannerStatus document; throws a plain Error when it is not one. */
export function parseEsclStatus(xml: string): EsclStatus {
  const root = parseRoot(xml, 'ScannerStatus');
  const jobs = children(child(root, 'Jobs'), 'JobInfo').map((job) => ({ uri: text(job, 'JobUri') ?? '', state: text(job, 'JobState'), imagesCompleted: count(job, 'ImagesCompleted') }));
  return { state: text(root, 'State'), adfState: text(root, 'AdfState'), jobs };
}

/**
 * A device's status in one word. A feeder that cannot feed (jam, open door) comes first, then a
 * job running (unless it is the caller's own), then an empty feeder (which only matters for a
 * feeder job), then the device state.
 */
export function describeEsclStatus(status: EsclStatus, options: { ownJobRunning?: boolean } = {}): ScannerStatus {
  const detail = [status.state, status.adfState].filter(Boolean).join(' / ') || null;
  const adf = status.adfState ?? '';
  const state = status.state ?? '';
  if (/Jam/i.test(adf)) return { condition: 'jammed', detail };
  if (/(Door|Cover)Open/i.test(adf)) return { condition: 'door-open', detail };
  // While the station's own job runs, Processing is that job: what the feeder says comes next.
  if ((state === 'Processing' || state === 'Testing') && !options.ownJobRunning) return { condition: 'busy', detail };
  if (adf === 'ScannerAdfEmpty') return { condition: 'feeder-empty', detail };
  if (state === 'Stopped') return { condition: 'error', detail };
  if (state === 'Down') return { condition: 'offline', detail };
  return { condition: 'ready', detail };
}

/** What a job asks the device for. */
export interface EsclScanRequest {
  source: ScanSource;
  color: ScanColor;
  dpi: number;
  format: string;
  /** The region in 1/300 inch. */
  width: number;
  height: number;
}

const escapeXml = (value: string | number) => String(value).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A ScanSettings document. Version 2.0 is what sane-airscan and NAPS2 send, and devices that speak
 * a later version accept it; `Duplex` goes only with a feeder job, as the glass has no second side.
 */
export function buildEsclScanSettings(request: EsclScanRequest): string {
  const feeder = request.source !== 'flatbed';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<scan:ScanSettings xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">',
    '  <pwg:Version>2.0</pwg:Version>',
    '  <scan:Intent>Document</scan:Intent>',
    '  <pwg:ScanRegions>',
    '    <pwg:ScanRegion>',
    '      <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>',
    '      <pwg:XOffset>0</pwg:XOffset>',
    '      <pwg:YOffset>0</pwg:YOffset>',
    `      <pwg:Width>${escapeXml(request.width)}</pwg:Width>`,
    `      <pwg:Height>${escapeXml(request.height)}</pwg:Height>`,
    '    </pwg:ScanRegion>',
    '  </pwg:ScanRegions>',
    `  <pwg:InputSource>${feeder ? 'Feeder' : 'Platen'}</pwg:InputSource>`,
    `  <scan:ColorMode>${escapeXml(toEsclColorMode(request.color))}</scan:ColorMode>`,
    `  <pwg:DocumentFormat>${escapeXml(request.format)}</pwg:DocumentFormat>`,
    `  <scan:DocumentFormatExt>${escapeXml(request.format)}</scan:DocumentFormatExt>`,
    `  <scan:XResolution>${escapeXml(request.dpi)}</scan:XResolution>`,
    `  <scan:YResolution>${escapeXml(request.dpi)}</scan:YResolution>`,
    ...(feeder ? [`  <scan:Duplex>${request.source === 'duplex'}</scan:Duplex>`] : []),
    '</scan:ScanSettings>',
    '',
  ];
  return lines.join('\n');
}

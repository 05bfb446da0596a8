// The reference eSCL scanner's XML: the capabilities and status documents it writes, and the scan settings it reads.
import { XMLParser } from 'fast-xml-parser';

const scanNs = 'http://schemas.hp.com/imaging/escl/2011/05/03';
const pwgNs = 'http://www.pwg.org/schemas/2010/12/sm';

/** The eSCL colour modes the reference scanner offers. */
export const referenceColorModes = ['Grayscale8', 'RGB24'] as const;
/** An eSCL colour mode it offers. */
export type ReferenceColorMode = (typeof referenceColorModes)[number];

/** The resolutions it offers (dpi, the same across and down). */
export const referenceResolutions = [150, 200, 300] as const;

/** Sheets its feeder holds, as it reports. */
export const referenceFeederCapacity = 100;

/** The only page format it sends. */
export const referenceFormat = 'image/jpeg';

/** A job's settings as the scanner took them from `scan:ScanSettings`. */
export interface ReferenceScanSettings {
  source: 'Platen' | 'Feeder';
  duplex: boolean;
  colorMode: ReferenceColorMode;
  resolution: number;
  format: string;
}

/** Why settings were refused: the setting and the value asked (for the 409's body and the log). */
export interface SettingsRefusal {
  setting: string;
  value: string;
}

/** What the status document says. */
export interface StatusView {
  state: 'Idle' | 'Processing';
  adfState: 'ScannerAdfLoaded' | 'ScannerAdfEmpty' | 'ScannerAdfJam';
  jobs: Array<{ uri: string; uuid: string; state: 'Pending' | 'Processing' | 'Completed' | 'Canceled' | 'Aborted'; imagesCompleted: number; ageSeconds: number }>;
}

const escape = (text: string): string => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

const document = (root: string, body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<scan:${root} xmlns:scan="${scanNs}" xmlns:pwg="${pwgNs}">\n${body}</scan:${root}>\n`;

// US Legal at most (8.5 × 14 in), in 1/300 inch, as office feeders take; a business card at least.
function inputCaps(tag: string): string {
  const resolutions = referenceResolutions.map((dpi) => `<scan:DiscreteResolution><scan:XResolution>${dpi}</scan:XResolution><scan:YResolution>${dpi}</scan:YResolution></scan:DiscreteResolution>`).join('');
  return (
    `  <scan:${tag}>` +
    '<scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth><scan:MinHeight>32</scan:MinHeight><scan:MaxHeight>4200</scan:MaxHeight>' +
    '<scan:MaxScanRegions>1</scan:MaxScanRegions>' +
    '<scan:SettingProfiles><scan:SettingProfile>' +
    `<scan:ColorModes>${referenceColorModes.map((mode) => `<scan:ColorMode>${mode}</scan:ColorMode>`).join('')}</scan:ColorModes>` +
    `<scan:DocumentFormats><pwg:DocumentFormat>${referenceFormat}</pwg:DocumentFormat><scan:DocumentFormatExt>${referenceFormat}</scan:DocumentFormatExt></scan:DocumentFormats>` +
    `<scan:SupportedResolutions><scan:DiscreteResolutions>${resolutions}</scan:DiscreteResolutions></scan:SupportedResolutions>` +
    '<scan:ColorSpaces><scan:ColorSpace>sRGB</scan:ColorSpace></scan:ColorSpaces>' +
    '</scan:SettingProfile></scan:SettingProfiles>' +
    '<scan:SupportedIntents><scan:Intent>Document</scan:Intent><scan:Intent>TextAndGraphic</scan:Intent><scan:Intent>Photo</scan:Intent><scan:Intent>Preview</scan:Intent></scan:SupportedIntents>' +
    '<scan:MaxOpticalXResolution>300</scan:MaxOpticalXResolution><scan:MaxOpticalYResolution>300</scan:MaxOpticalYResolution>' +
    `</scan:${tag}>\n`
  );
}

/** `ScannerCapabilities`: platen, a duplex feeder, grey and colour JPEG at the offered resolutions. */
export function writeCapabilitiesXml(options: { makeAndModel: string; uuid: string; serial: string; adminUri: string }): string {
  return document(
    'ScannerCapabilities',
    '  <pwg:Version>2.63</pwg:Version>\n' +
      `  <pwg:MakeAndModel>${escape(options.makeAndModel)}</pwg:MakeAndModel>\n` +
      `  <pwg:SerialNumber>${escape(options.serial)}</pwg:SerialNumber>\n` +
      `  <scan:UUID>${escape(options.uuid)}</scan:UUID>\n` +
      `  <scan:AdminURI>${escape(options.adminUri)}</scan:AdminURI>\n` +
      `  <scan:Platen>\n${inputCaps('PlatenInputCaps')}  </scan:Platen>\n` +
      `  <scan:Adf>\n${inputCaps('AdfSimplexInputCaps')}${inputCaps('AdfDuplexInputCaps')}` +
      `  <scan:FeederCapacity>${referenceFeederCapacity}</scan:FeederCapacity>\n` +
      '  <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions>\n' +
      '  </scan:Adf>\n',
  );
}

const jobStateReason: Record<StatusView['jobs'][number]['state'], string> = {
  Pending: 'JobInitializing',
  Processing: 'JobScanning',
  Completed: 'JobCompletedSuccessfully',
  Canceled: 'JobCanceledByUser',
  Aborted: 'AbortedBySystem',
};

/** `ScannerStatus`: the scanner's state, its feeder's, and the jobs it remembers (newest first). */
export function writeStatusXml(view: StatusView): string {
  const jobs = view.jobs
    .map(
      (job) =>
        '    <scan:JobInfo>' +
        `<pwg:JobUri>${escape(job.uri)}</pwg:JobUri><pwg:JobUuid>${escape(job.uuid)}</pwg:JobUuid><scan:Age>${job.ageSeconds}</scan:Age>` +
        `<pwg:ImagesCompleted>${job.imagesCompleted}</pwg:ImagesCompleted><pwg:JobState>${job.state}</pwg:JobState>` +
        `<pwg:JobStateReasons><pwg:JobStateReason>${jobStateReason[job.state]}</pwg:JobStateReason></pwg:JobStateReasons>` +
        '</scan:JobInfo>\n',
    )
    .join('');
  return document('ScannerStatus', `  <pwg:Version>2.63</pwg:Version>\n  <pwg:State>${view.state}</pwg:State>\n  <scan:AdfState>${view.adfState}</scan:AdfState>\n  <scan:Jobs>\n${jobs}  </scan:Jobs>\n`);
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  // No entity expansion at all: a settings document has no use for it, and it is the classic XML bomb.
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
});

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

/**
 * Reads a `scan:ScanSettings` document and checks it against the capabilities: the settings, a
 * refusal naming the unsupported setting, or null when the body is not a settings document at all.
 * Absent settings take the usual device defaults (platen, colour, 300 dpi, JPEG).
 */
export function readScanSettings(body: string): { ok: true; settings: ReferenceScanSettings } | { ok: false; refusal: SettingsRefusal } | null {
  let parsed: unknown;
  try {
    parsed = parser.parse(body, true);
  } catch {
    return null;
  }
  const root = (parsed as Record<string, unknown> | null)?.['ScanSettings'];
  if (typeof root !== 'object' || root === null) return null;
  const settings = root as Record<string, unknown>;
  const refuse = (setting: string, value: string) => ({ ok: false as const, refusal: { setting, value } });
  // eSCL 2.0 puts InputSource in pwg:, some clients (and old firmware) in scan:; the prefix is gone here.
  const sourceText = text(settings['InputSource']) ?? 'Platen';
  if (sourceText !== 'Platen' && sourceText !== 'Feeder') return refuse('InputSource', sourceText);
  const duplexText = text(settings['Duplex']) ?? 'false';
  if (duplexText !== 'true' && duplexText !== 'false' && duplexText !== '1' && duplexText !== '0') return refuse('Duplex', duplexText);
  const duplex = duplexText === 'true' || duplexText === '1';
  if (duplex && sourceText === 'Platen') return refuse('Duplex', duplexText);
  const colorMode = text(settings['ColorMode']) ?? 'RGB24';
  if (!(referenceColorModes as readonly string[]).includes(colorMode)) return refuse('ColorMode', colorMode);
  const x = text(settings['XResolution']) ?? '300';
  const y = text(settings['YResolution']) ?? x;
  for (const [name, value] of [['XResolution', x], ['YResolution', y]] as const) {
    if (!(referenceResolutions as readonly number[]).includes(Number(value)) || !/^\d+$/.test(value)) return refuse(name, value);
  }
  if (x !== y) return refuse('YResolution', y);
  // DocumentFormatExt wins when both are given (eSCL 2.1 and later), as devices read it.
  const format = text(settings['DocumentFormatExt']) ?? text(settings['DocumentFormat']) ?? referenceFormat;
  if (format.toLowerCase() !== referenceFormat) return refuse('DocumentFormat', format);
  return { ok: true, settings: { source: sourceText, duplex, colorMode: colorMode as ReferenceColorMode, resolution: Number(x), format: referenceFormat } };
}

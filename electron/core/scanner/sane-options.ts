// What `scanimage -d DEV -A --help` says about a SANE device, read into the desk's capabilities and the raw option values the scan needs.
import type { ScanColor, ScannerCapabilities, ScanSource } from './scanner-driver.js';
import { scanResolutions } from '../../shared/capture/capture-types.js';

/** One device option as scanimage prints it (`--name CONSTRAINT [default]`). */
export interface SaneOption {
  /** The option's name without dashes (`source`, `mode`, `resolution`, `duplex`, `l`). */
  name: string;
  /** A yes/no option (`--duplex[=(yes|no)]`). */
  bool: boolean;
  /** The choices of a list constraint (`Flatbed|ADF Duplex`, `75|150|300`), unit stripped; null for a range or free value. */
  choices: string[] | null;
  /** The bounds of a range constraint (`50..1200dpi (in steps of 1)`); null otherwise. */
  range: { min: number; max: number; step: number } | null;
  /** The current value in brackets, or null when the option is inactive. */
  value: string | null;
  /** scanimage marked it inactive (it depends on another option's value). */
  inactive: boolean;
}

/** How the desk's settings are spelled on one device's command line. */
export interface SaneDeviceOptions {
  /** Every device option found, by name. */
  options: Map<string, SaneOption>;
  /** The `--source` value for each source the device has; null when it has no `--source` (a plain flatbed). */
  sources: Partial<Record<ScanSource, string | null>>;
  /** Extra arguments that turn the feeder's duplex on when the source alone does not (`--duplex=yes`, `--adf-mode Duplex`). */
  duplexArgs: string[];
  /** The `--mode` value for each colour mode; null when the device has no `--mode`. */
  colors: Partial<Record<ScanColor, string | null>>;
  /** The resolutions (dpi) the desk may ask for, ascending; empty when the device has no `--resolution`. */
  resolutions: number[];
  /** Whether the device has a `--resolution` option at all. */
  hasResolution: boolean;
  /** The page formats scanimage can write (its `--format=` line), as MIME types; null when the text did not say. */
  formats: string[] | null;
}

const optionLine = /^ {4}(--[A-Za-z0-9][\w-]*|-[A-Za-z])(\[=\(([^)]*)\)\])?(?: (.*))?$/;
const units = /(?:dpi|mm|%|us|bit|pel)$/;

/** The start of the balanced `[…]` group that ends `text`, or -1 (brscan's defaults nest: `[24bit Color[Fast]]`). */
function openingOfLastGroup(text: string): number {
  let depth = 0;
  for (let at = text.length - 1; at >= 0; at -= 1) {
    if (text[at] === ']') depth += 1;
    else if (text[at] === '[') {
      depth -= 1;
      if (depth === 0) return at;
    }
    if (depth === 0) return -1;
  }
  return -1;
}

/** Splits `CONSTRAINT [default] [tag]…` into the constraint and its bracketed tails, read from the end. */
function splitTails(rest: string): { constraint: string; tails: string[] } {
  const tails: string[] = [];
  let text = rest.trimEnd();
  for (;;) {
    const at = openingOfLastGroup(text);
    // A tail stands apart after a space; `Color[Fast]` at the end of the choices is a choice.
    if (at < 0 || (at > 0 && text[at - 1] !== ' ')) break;
    tails.unshift(text.slice(at + 1, -1));
    text = text.slice(0, at).trimEnd();
  }
  return { constraint: text.trim(), tails };
}

/** One `    --name …` line as an option, or null for a line of another shape. */
export function parseSaneOptionLine(line: string): SaneOption | null {
  const match = optionLine.exec(line);
  if (!match) return null;
  const name = (match[1] ?? '').replace(/^-+/, '');
  const bool = match[2] !== undefined;
  const { constraint, tails } = splitTails(match[4] ?? '');
  const inactive = tails.includes('inactive');
  const value = inactive ? null : (tails[0] ?? null);
  let choices: string[] | null = null;
  let range: SaneOption['range'] = null;
  const rangeMatch = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)[a-z%]*(?:,\.\.\.)?(?: \(in steps of (\d+(?:\.\d+)?)\))?$/.exec(constraint);
  if (rangeMatch) {
    range = { min: Number(rangeMatch[1]), max: Number(rangeMatch[2]), step: rangeMatch[3] === undefined ? 0 : Number(rangeMatch[3]) };
  } else if (!bool && constraint !== '' && !constraint.startsWith('<')) {
    const list = constraint.split('|');
    // The unit is printed once, after the last choice of a number list (`75|150|300dpi`).
    const last = list.length - 1;
    if (/^-?\d+(?:\.\d+)?[a-z%]+$/.test(list[last] ?? '') && list.slice(0, last).every((item) => /^-?\d+(?:\.\d+)?$/.test(item))) {
      list[last] = (list[last] ?? '').replace(units, '');
    }
    choices = list;
  }
  return { name, bool, choices, range, value, inactive };
}

/** Every option of the device sections of scanimage's `-A`/`--help` text, and its `--format=` choices. */
export function parseSaneOptionText(text: string): { options: Map<string, SaneOption>; formats: string[] | null } {
  const options = new Map<string, SaneOption>();
  let formats: string[] | null = null;
  let inDevice = false;
  for (const line of text.split(/\r?\n/)) {
    const format = /^ {4}--format=([\w|]+)\s/.exec(line);
    if (format && !inDevice) {
      formats = (format[1] ?? '').split('|');
      continue;
    }
    if (/options specific to device/i.test(line)) {
      inDevice = true;
      continue;
    }
    if (!inDevice) continue;
    const option = parseSaneOptionLine(line);
    // The same option printed twice (`--help` and `-A` both list the device) keeps the first reading.
    if (option && !options.has(option.name)) options.set(option.name, option);
  }
  return { options, formats };
}

/** The kind of paper path a SANE source name stands for (`ADF Duplex` → duplex), or null (`ADF Back`, `Transparency Unit`). */
export function classifySaneSource(value: string): ScanSource | null {
  const text = value.toLowerCase();
  if (/duplex/.test(text)) return 'duplex';
  if (/\bback\b|transparen|film|slide|negative|positive/.test(text)) return null;
  if (/adf|feeder|\bsimplex\b|\bfront\b|\bfeed\b/.test(text)) return 'adf';
  if (/flatbed|platen|glass|^normal$/.test(text)) return 'flatbed';
  return null;
}

/** The kind of colour a SANE mode name stands for (`Grayscale` → gray), or null (`Lineart`, `Halftone`). */
export function classifySaneMode(value: string): ScanColor | null {
  const text = value.toLowerCase();
  if (/lineart|halftone|dither|diffusion|black ?(&|and) ?white|binary|mono\b|monochrome/.test(text)) return null;
  if (/gr[ae]y/.test(text)) return 'gray';
  if (/colou?r|rgb/.test(text)) return 'color';
  return null;
}

/** The choice that names a kind most plainly: the shortest, so `Color` wins over `24bit Color[Fast]`, `ADF` over `ADF Front`. */
function pickPlainest(values: string[]): string | undefined {
  return [...values].sort((a, b) => a.length - b.length || values.indexOf(a) - values.indexOf(b))[0];
}

/** Reads a device's options into the desk's settings and how each is spelled on its command line. */
export function readSaneDeviceOptions(text: string): SaneDeviceOptions {
  const { options, formats } = parseSaneOptionText(text);
  const sources: SaneDeviceOptions['sources'] = {};
  const source = options.get('source');
  if (source?.choices) {
    for (const kind of ['adf', 'duplex', 'flatbed'] as const) {
      const plainest = pickPlainest(source.choices.filter((choice) => classifySaneSource(choice) === kind));
      if (plainest !== undefined) sources[kind] = plainest;
    }
  } else {
    sources.flatbed = null;
  }
  let duplexArgs: string[] = [];
  if (sources.duplex === undefined && sources.adf !== undefined) {
    // Some backends keep one feeder source and switch the back side on with an option of its own.
    const duplexBool = options.get('duplex');
    const adfMode = options.get('adf-mode') ?? options.get('adf_mode');
    const duplexMode = adfMode?.choices?.find((choice) => /duplex/i.test(choice));
    if (duplexBool?.bool) duplexArgs = ['--duplex=yes'];
    else if (adfMode && duplexMode !== undefined) duplexArgs = [`--${adfMode.name}`, duplexMode];
    if (duplexArgs.length > 0) sources.duplex = sources.adf;
  }
  const colors: SaneDeviceOptions['colors'] = {};
  const mode = options.get('mode');
  if (mode?.choices) {
    for (const kind of ['gray', 'color'] as const) {
      const plainest = pickPlainest(mode.choices.filter((choice) => classifySaneMode(choice) === kind && !/\[/.test(choice)))
        ?? pickPlainest(mode.choices.filter((choice) => classifySaneMode(choice) === kind));
      if (plainest !== undefined) colors[kind] = plainest;
    }
  } else {
    colors.gray = null;
  }
  const resolution = options.get('resolution');
  let resolutions: number[] = [];
  if (resolution?.choices) {
    resolutions = resolution.choices.map(Number).filter((dpi) => Number.isInteger(dpi) && dpi > 0);
  } else if (resolution?.range) {
    const { min, max, step } = resolution.range;
    resolutions = scanResolutions.filter((dpi) => dpi >= min && dpi <= max && (step <= 0 || Math.abs((dpi - min) / step - Math.round((dpi - min) / step)) < 1e-6));
  }
  resolutions = [...new Set(resolutions)].sort((a, b) => a - b);
  const mimes: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', tiff: 'image/tiff' };
  return {
    options,
    sources,
    duplexArgs,
    colors,
    resolutions,
    hasResolution: resolution !== undefined,
    formats: formats === null ? null : formats.flatMap((format) => (mimes[format] ? [mimes[format]] : [])),
  };
}

/** The desk's view of a device's options: sources, colours, resolutions and formats it offers. */
export function toSaneCapabilities(device: SaneDeviceOptions, makeAndModel: string | null): ScannerCapabilities {
  return {
    makeAndModel,
    sources: (['adf', 'duplex', 'flatbed'] as const).filter((kind) => device.sources[kind] !== undefined),
    resolutions: device.resolutions,
    colors: (['gray', 'color'] as const).filter((kind) => device.colors[kind] !== undefined),
    // scanimage writes the page itself, so these are its formats, not the device's.
    formats: device.formats ?? ['image/jpeg'],
    feederCapacity: null,
  };
}

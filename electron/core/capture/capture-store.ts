// The capture's own small file in the data folder: scanners typed by address and the desk's scan settings (atomic writes, read with limits).
import path from 'node:path';
import { z } from 'zod';
import { defaultScanSettings, scanColors, scanSources } from '../../shared/capture/capture-types.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { readBoundedText } from '../fs/read-bounded.js';
import type { Logger } from '../log/logger.js';
import type { ScannerDevice } from '../scanner/scanner-driver.js';
import type { CaptureSettings } from './capture-service.js';

/** The file's name in the data folder. */
export const captureFileName = 'capture.json';

/** At most this many typed scanners are kept (an office has a few). */
export const maxTypedDevices = 50;

const deviceSchema = z.object({ id: z.string().min(1).max(2000), kind: z.enum(['escl', 'sane']), name: z.string().max(500), origin: z.enum(['discovered', 'typed', 'sane']) });
const settingsSchema = z.object({ device: z.string().min(1).max(2000).nullable(), source: z.enum(scanSources), dpi: z.number().int().min(75).max(1200), color: z.enum(scanColors) });
const fileSchema = z.object({ version: z.literal(1), devices: z.array(deviceSchema).max(maxTypedDevices), settings: settingsSchema });

/** What the capture file holds. */
export interface CaptureFile {
  devices: ScannerDevice[];
  settings: CaptureSettings;
}

/** The settings a desk starts with: no scanner picked, both sides from the feeder, 200 dpi, gray. */
export const defaultCaptureSettings: CaptureSettings = { device: null, ...defaultScanSettings };

/** Reads and writes `<data>/capture.json`: a missing or damaged file reads as the defaults (said in the log), every write atomic. */
export function createCaptureStore(options: { dataDir: string; log: Logger }) {
  const file = path.join(options.dataDir, captureFileName);
  let writing: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<CaptureFile> => {
    const text = await readBoundedText(file, 256 * 1024).catch((error: unknown) => {
      if ((error as { params?: { reason?: string } }).params?.reason !== 'ENOENT') options.log.warn('capture.file-unreadable', { reason: String(error) });
      return null;
    });
    if (text === null) return { devices: [], settings: { ...defaultCaptureSettings } };
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      options.log.warn('capture.file-damaged', { file });
      return { devices: [], settings: { ...defaultCaptureSettings } };
    }
    return { devices: parsed.data.devices, settings: parsed.data.settings };
  };
  /** One change at a time: read, changed, written atomically. */
  const change = (update: (current: CaptureFile) => CaptureFile): Promise<CaptureFile> => {
    const next = writing.then(async () => {
      const updated = update(await read());
      const checked = fileSchema.parse({ version: 1, ...updated });
      await writeFileAtomic(file, `${JSON.stringify(checked, null, 1)}\n`);
      return { devices: checked.devices, settings: checked.settings };
    });
    writing = next.catch(() => undefined);
    return next;
  };
  return { read, change };
}

/** The type of the capture store. */
export type CaptureStore = ReturnType<typeof createCaptureStore>;

// The capture's own small file in the data folder: scanners typed by address and the desk's scan settings (atomic writes, read with limits).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defaultScanSettings, scanColors, scanSources } from '../../shared/capture/capture-types.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { readBoundedText } from '../fs/read-bounded.js';
import type { Logger } from '../log/logger.js';
import type { ScannerDevice } from '../scanner/scanner-driver.js';
import type { CaptureSettings } from './capture-types.js';

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
  /** Whether the file on disk is damaged (read, not parsed): kept aside before the first write replaces it. */
  let damaged = false;
  const read = async (): Promise<CaptureFile> => {
    damaged = false;
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
      damaged = true;
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
      if (damaged) {
        // The typed scanners it may still hold are not lost: the damaged file is kept beside it for support.
        const aside = `${file}.damaged-${new Date().toISOString().replace(/[-:.]/g, '')}`;
        await fs.copyFile(file, aside).catch((error: unknown) => options.log.warn('capture.file-aside-failed', { reason: String(error) }));
        options.log.warn('capture.file-kept-aside', { file, aside });
      }
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

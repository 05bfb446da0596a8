import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { defaultCodeRules } from '../cover/image-code-rules.js';
import type { Logger } from '../log/logger.js';
import { createSpool, type BillAction, type IngestOutcome, type SpoolBill, type StackRecord } from './spool.js';

/** One page as the Scan desk shows it: number, what it is, and its thumbnail. */
export interface DeskPage {
  page: number;
  kind: StackRecord['pages'][number]['kind'];
  thumbPng: string;
}

/** A stack on the Scan desk: its source, its pages (thumbnails) and its bills. */
export interface DeskStack {
  id: string;
  name: string;
  importedAt: string;
  pages: DeskPage[];
  bills: SpoolBill[];
  orphans: number[];
  blank: number[];
}

/** What the Scan desk page drives: taking files in, seeing stacks and bills, acting on held bills. */
export interface ScanDeskService {
  /** Takes an uploaded file (a drop on the page) into the spool, exactly as a watched file. */
  importUpload(name: string, bytes: Uint8Array): Promise<IngestOutcome>;
  /** The newest stacks first, with thumbnails. */
  overview(limit?: number): Promise<DeskStack[]>;
  changeBill(billId: string, change: BillAction): Promise<SpoolBill>;
}

/** Creates the service over `<data>/spool`; uploads pass through `<tmp>/uploads` and are removed after. */
export function createScanDeskService(options: { spoolDir: string; tmpDir: string; log: Logger; now: () => Date }): ScanDeskService {
  const spool = createSpool({ dir: options.spoolDir, log: options.log, now: options.now, rules: defaultCodeRules });
  let recovered: Promise<unknown> | null = null;
  const ready = () => (recovered ??= spool.recover());
  return {
    async importUpload(name, bytes) {
      await ready();
      const dir = path.join(options.tmpDir, 'uploads', randomBytes(6).toString('hex'));
      await fs.mkdir(dir, { recursive: true });
      const file = path.join(dir, path.basename(name));
      try {
        await fs.writeFile(file, bytes);
        return await spool.ingest(file);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
    async overview(limit = 30) {
      await ready();
      const stacks = (await spool.listStacks()).slice(-limit).reverse();
      return Promise.all(
        stacks.map(async (stack) => ({
          id: stack.id,
          name: stack.source.name,
          importedAt: stack.importedAt,
          orphans: stack.orphans,
          blank: stack.blank,
          bills: stack.bills,
          pages: await Promise.all(
            stack.pages.map(async (page) => ({
              page: page.page,
              kind: page.kind,
              thumbPng: `data:image/png;base64,${(await fs.readFile(path.join(options.spoolDir, 'stacks', stack.id, 'thumbs', `${String(page.page).padStart(4, '0')}.png`))).toString('base64')}`,
            })),
          ),
        })),
      );
    },
    async changeBill(billId, change) {
      await ready();
      return spool.changeBill(billId, change);
    },
  };
}

import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { defaultCodePattern } from '../codes/image-code-rules.js';
import { defaultRescanReasons, describeRescanReasonsFault, maxRescanReasonsBytes, parseRescanReasonsBytes } from '../../shared/imaging/rescan-reasons.js';
import { CoreError } from '../base/errors.js';
import { readBoundedFile } from '../fs/read-bounded.js';
import { createBillStore, describeBill, readScanFields, voidedBillError, type BillConflict, type BillManifest, type BillScan, type RoundOutcome } from './bill-store.js';
import { ImagingError, pageExtension, readBillState, unknownBill, type BillState, type ImagingAdapter, type RescanReason } from './imaging-adapter.js';

const conflictText: Record<BillConflict, string> = {
  'idempotency-conflict': 'the idempotency key was used for other bytes',
  'page-conflict': 'the folder already holds other bytes for this page',
  'bill-closed': 'the bill is already closed',
  'bill-returned': 'the bill was returned for a rescan: a new round must be opened first',
  'bill-voided': 'the bill was voided: it takes nothing more',
};

/** This machine's first non-internal IPv4 address: the station's address as a folder records it. */
export function findStationIp(): string | null {
  for (const addresses of Object.values(os.networkInterfaces())) {
    const found = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (found) return found.address;
  }
  return null;
}

/**
 * The rescan reasons a folder offers: `rescan-reasons.json` in it when present (a regular file, read
 * with a byte bound, UTF-8, checked as the reference server checks its file), else the default list.
 */
export async function readFolderRescanReasons(folder: string): Promise<RescanReason[]> {
  const name = 'rescan-reasons.json';
  const refuse = (description: string) => new ImagingError('imaging-rejected', { errcode: '1001', description }, 'needs-person');
  let bytes: Buffer;
  try {
    // A FIFO there would hang an ordinary open for good, a device would never end: only a regular file is read.
    bytes = await readBoundedFile(path.join(folder, name), maxRescanReasonsBytes, name);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    const cause = error.cause as NodeJS.ErrnoException | undefined;
    if (cause?.code === 'ENOENT') return [...defaultRescanReasons];
    if (error.code === 'file-too-large') throw refuse(`${name} is larger than ${maxRescanReasonsBytes} bytes`);
    if (error.params.reason === 'not-regular-file') throw refuse(`${name} is not a regular file`);
    // Anything else (no permission, a failing disk) is the folder's trouble: the adapter's guard says so.
    throw cause ?? error;
  }
  const parsed = parseRescanReasonsBytes(bytes);
  if (!parsed.ok) throw refuse(`${name}: ${describeRescanReasonsFault(parsed.fault)}`);
  return parsed.reasons;
}

/**
 * Writes each bill to `<folder>/<imageCode>/`: page files `0001.jpg`… and `bill.json` (pages with
 * SHA-256, status, declared page count), all temp-file-and-rename. An importer should take a bill
 * only once its `bill.json` says `"status": "closed"`.
 */
export function createFolderAdapter(options: { folder: string; now?: () => Date }): ImagingAdapter {
  const store = createBillStore({ root: options.folder, now: options.now ?? (() => new Date()) });
  /** The image code becomes a folder name: only the image-code pattern gets that far. */
  const checkCode = (imageCode: string) => {
    if (!defaultCodePattern.test(imageCode)) throw new ImagingError('imaging-rejected', { errcode: '2001', description: 'not a valid image code' }, 'needs-person');
  };
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ImagingError) throw error;
      const reason = String((error as NodeJS.ErrnoException).code ?? (error as Error).message);
      throw new ImagingError('folder-unwritable', { folder: options.folder, reason }, reason === 'ENOSPC' || reason === 'EACCES' || reason === 'EPERM' ? 'fix-settings' : 'retry', { cause: error });
    }
  };
  const queryBill = async (imageCode: string): Promise<BillState> => {
    checkCode(imageCode);
    const manifest = await guard(() => store.readBill(imageCode));
    return manifest ? readBillState(imageCode, describeBill(manifest)) : unknownBill(imageCode);
  };
  const stateOf = (manifest: BillManifest) => readBillState(manifest.imageCode, describeBill(manifest));
  const roundAnswer = (imageCode: string, outcome: RoundOutcome, refusal: string): BillState => {
    switch (outcome.kind) {
      case 'done':
        return stateOf(outcome.manifest);
      case 'voided':
        throw voidedBillError(imageCode);
      case 'unknown':
        throw new ImagingError('imaging-rejected', { errcode: '2404', description: 'no such bill' }, 'needs-person');
      case 'conflict':
        throw new ImagingError('imaging-conflict', { errcode: '2009', description: refusal }, 'needs-person');
    }
  };
  return {
    kind: 'folder',
    async uploadPage(upload) {
      checkCode(upload.imageCode);
      // The same promise as the server's hash check: what lands on the share is what was scanned.
      if (createHash('sha256').update(upload.bytes).digest('hex') !== upload.sha256) throw new ImagingError('imaging-rejected', { errcode: '2002', description: 'the file does not match its sha256' }, 'needs-person');
      const outcome = await guard(() => store.putPage({ ...upload, extension: pageExtension(upload.bytes) }));
      if ('conflict' in outcome && outcome.conflict === 'bill-voided') throw voidedBillError(upload.imageCode);
      if ('conflict' in outcome) throw new ImagingError('imaging-conflict', { errcode: outcome.conflict, description: conflictText[outcome.conflict] }, 'needs-person');
      return outcome.receipt;
    },
    async closeBill(imageCode, pageCount, scan) {
      checkCode(imageCode);
      const fields = readScanFields({ ...scan });
      if (!fields.ok) throw new ImagingError('imaging-rejected', { errcode: '1001', description: fields.description }, 'needs-person');
      const details: BillScan = { ...fields.scan, stationIp: fields.scan.stationIp ?? findStationIp() };
      const outcome = await guard(() => store.closeBill(imageCode, pageCount, details));
      switch (outcome.kind) {
        case 'closed':
          return queryBill(imageCode);
        case 'voided':
          throw voidedBillError(imageCode);
        case 'unknown':
          throw new ImagingError('imaging-rejected', { errcode: '2404', description: 'no such bill' }, 'needs-person');
        case 'returned':
          throw new ImagingError('imaging-conflict', { errcode: '2008', description: conflictText['bill-returned'] }, 'needs-person');
        case 'missing':
          throw new ImagingError('imaging-conflict', { errcode: '2006', description: `missing ${outcome.missing.join(',')}` }, 'needs-person');
        case 'beyond':
          throw new ImagingError('imaging-conflict', { errcode: '2007', description: `beyond ${outcome.beyond.join(',')}` }, 'needs-person');
      }
    },
    queryBill,
    async openRound(imageCode, round) {
      checkCode(imageCode);
      return roundAnswer(imageCode, await guard(() => store.openRound(imageCode, round)), 'the bill is not returned, or that is not its next round');
    },
    async returnBill(imageCode, reason) {
      checkCode(imageCode);
      const code = reason.code?.trim() || null;
      let text = reason.text?.trim() ?? '';
      if (code !== null) {
        const known = (await guard(() => readFolderRescanReasons(options.folder))).find((candidate) => candidate.code === code);
        if (!known) throw new ImagingError('imaging-rejected', { errcode: '1001', description: `unknown rescan reason code ${code}` }, 'needs-person');
        if (text === '') text = known.name;
      }
      if (text === '' || text.length > 500) throw new ImagingError('imaging-rejected', { errcode: '1001', description: 'a reason (1–500 characters) or a rescan reason code is needed' }, 'needs-person');
      return roundAnswer(imageCode, await guard(() => store.returnBill(imageCode, { reason: text, reasonCode: code })), 'only a closed bill can be returned');
    },
    async voidBill(imageCode, reason) {
      checkCode(imageCode);
      const text = reason.trim();
      if (text === '' || text.length > 500) throw new ImagingError('imaging-rejected', { errcode: '1001', description: 'a reason (1–500 characters) is needed' }, 'needs-person');
      return roundAnswer(imageCode, await guard(() => store.voidBill(imageCode, text)), 'the bill cannot be voided');
    },
    listRescanReasons: () => guard(() => readFolderRescanReasons(options.folder)),
    setNeedImageScan() {
      // A folder has no ERP behind it to hold 是否需要影像扫描: every bill in it needs its images.
      return Promise.reject(new ImagingError('imaging-rejected', { errcode: '1001', description: 'a shared folder has no ERP behind it: "no images needed" is set in the ERP (or on the training server)' }, 'needs-person'));
    },
  };
}

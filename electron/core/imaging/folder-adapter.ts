import { createHash } from 'node:crypto';
import { defaultCodePattern } from '../cover/image-code-rules.js';
import { createBillStore, describeBill, type BillConflict, type RoundOutcome } from './bill-store.js';
import { ImagingError, pageExtension, readBillState, unknownBill, type BillState, type ImagingAdapter } from './imaging-adapter.js';

const conflictText: Record<BillConflict, string> = {
  'idempotency-conflict': 'the idempotency key was used for other bytes',
  'page-conflict': 'the folder already holds other bytes for this page',
  'bill-closed': 'the bill is already closed',
  'bill-returned': 'the bill was returned for a rescan: a new round must be opened first',
};

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
  const roundAnswer = (imageCode: string, outcome: RoundOutcome, refusal: string): BillState => {
    switch (outcome.kind) {
      case 'done':
        return readBillState(imageCode, describeBill(outcome.manifest));
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
      if ('conflict' in outcome) throw new ImagingError('imaging-conflict', { errcode: outcome.conflict, description: conflictText[outcome.conflict] }, 'needs-person');
      return outcome.receipt;
    },
    async closeBill(imageCode, pageCount) {
      checkCode(imageCode);
      const outcome = await guard(() => store.closeBill(imageCode, pageCount));
      switch (outcome.kind) {
        case 'closed':
          return queryBill(imageCode);
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
      return roundAnswer(imageCode, await guard(() => store.returnBill(imageCode, reason)), 'only a closed bill can be returned');
    },
  };
}

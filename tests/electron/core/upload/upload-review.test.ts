import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { unknownBill, type ImagingAdapter } from '../../../../electron/core/imaging/imaging-adapter.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { defaultSplitOptions } from '../../../../electron/core/split/split-stack.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { createUploadQueue } from '../../../../electron/core/upload/upload-queue.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** An imaging side that stores every page and records the calls. */
function recordingImaging() {
  const calls: string[] = [];
  const adapter: ImagingAdapter = {
    kind: 'http',
    async uploadPage(upload) {
      calls.push(`page ${upload.imageCode} ${upload.page}`);
      return { receiptId: `r-${upload.imageCode}-${upload.page}`, imageCode: upload.imageCode, page: upload.page, sha256: upload.sha256, bytes: upload.bytes.length, receivedAt: '2026-12-06T09:00:00Z' };
    },
    async closeBill(imageCode, pageCount) {
      calls.push(`close ${imageCode} ${pageCount}`);
      return { ...unknownBill(imageCode), status: 'closed', pageCount };
    },
    queryBill: async (imageCode) => unknownBill(imageCode),
    openRound: async () => Promise.reject(new Error('not used')),
    returnBill: async () => Promise.reject(new Error('not used')),
    voidBill: async () => Promise.reject(new Error('not used')),
    listRescanReasons: async () => Promise.reject(new Error('not used')),
    setNeedImageScan: async () => Promise.reject(new Error('not used')),
  };
  return { adapter, calls };
}

test('review mode in the queue: a bill in review is never taken (nor one held as a repeated code); released, it goes up', async () => {
  const root = await makeTempDir();
  let release: 'auto' | 'review' = 'review';
  const settings = async () => ({ rules: defaultCodeRules, blankInkShare: 0.003, split: defaultSplitOptions, recycleDays: 30, importedDays: 0, doneDays: 30, release });
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules, settings });
  await spool.recover();
  const outcome = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000961' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000962' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000962' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(outcome.status === 'ingested');
  const imaging = recordingImaging();
  const stacksDir = path.join(root, 'spool', 'stacks');
  const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(root, 'queue.json'), endpoint: { openAdapter: async () => imaging.adapter, describe: async () => ({ mode: 'basic', stationId: 's' }), recheck: async () => true }, log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), inFlight: 1 });
  const before = await queue.runOnce();
  assert.deepEqual(imaging.calls, [], 'nothing goes up before a person released it');
  assert.deepEqual(before.counts, { queued: 0, sending: 0, waiting: 0, held: 0, done: 0 });
  // Switching back to auto does not release what already waits (a person still has to).
  release = 'auto';
  assert.deepEqual((await queue.runOnce()).counts.done, 0);
  await spool.changeBill(outcome.stack.bills[0]?.id as string, { action: 'release' });
  const after = await queue.runOnce();
  assert.deepEqual(imaging.calls, ['page FY-2026-000961 1', 'page FY-2026-000961 2', 'close FY-2026-000961 2']);
  assert.equal(after.counts.done, 1);
});

import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createHttpAdapter } from '../../../../electron/core/imaging/http-adapter.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool, type Spool } from '../../../../electron/core/spool/spool.js';
import { bookkeepingRetryMs, classifyBookkeepingFailure } from '../../../../electron/core/upload/bookkeeping-failure.js';
import { appendReceipts, writeManifest } from '../../../../electron/core/spool/upload-manifest.js';
import { createUploadQueue } from '../../../../electron/core/upload/upload-queue.js';
import type { QueueBookkeeping } from '../../../../electron/core/upload/queue-bookkeeping.js';
import type { QueueStatus } from '../../../../electron/core/upload/queue-status.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { assertEveryBillDelivered } from '../../../helpers/delivered-bills.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** An error as node:fs raises it for a full disk (or another errno). */
function fsError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, write '/data/spool/stacks/x/upload/y.json'`), { code, errno: -28, syscall: 'write' });
}

/**
 * The queue's bookkeeping over the real files, with a switch that makes every write (manifests,
 * receipts journal, audit lines) fail as a full disk would, after `allowed` writes went through.
 */
function diskThatFills(spool: Spool, allowed: number, code = 'ENOSPC') {
  const disk = { full: false, roomMade: false, writes: 0, refused: 0 };
  const gate = () => {
    if (!disk.roomMade && disk.writes >= allowed) disk.full = true;
    disk.writes += 1;
    if (disk.full) {
      disk.refused += 1;
      throw fsError(code);
    }
  };
  const bookkeeping: QueueBookkeeping = {
    writeManifest: async (...args) => {
      gate();
      await writeManifest(...args);
    },
    appendReceipts: async (...args) => {
      gate();
      await appendReceipts(...args);
    },
  };
  const auditing: Spool = {
    ...spool,
    audit: (record) => {
      if (disk.full) {
        disk.refused += 1;
        throw fsError(code);
      }
      spool.audit(record);
    },
  };
  const makeRoom = () => {
    disk.full = false;
    disk.roomMade = true;
  };
  return { disk, bookkeeping, spool: auditing, makeRoom };
}

const bills: StackPage[][] = [
  [{ kind: 'cover', code: 'FY-2026-003001' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-003002' }, { kind: 'content' }],
  [{ kind: 'cover', code: 'FY-2026-003003' }, { kind: 'content' }, { kind: 'content' }],
];

async function spoolWith(stacks: StackPage[][]) {
  const root = await makeTempDir();
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date(), rules: defaultCodeRules });
  await spool.recover();
  for (const pages of stacks) assert.equal((await spool.ingest(await writeStack(pages, await makeTempDir(), 'pdf'))).status, 'ingested');
  return { spool, stacksDir: path.join(root, 'spool', 'stacks') };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('bookkeeping failures by errno: a full disk or quota, an unwritable folder, a failing one, a fault in the code', () => {
  assert.equal(classifyBookkeepingFailure(fsError('ENOSPC')), 'data-disk-full');
  assert.equal(classifyBookkeepingFailure(fsError('EDQUOT')), 'data-disk-full');
  assert.equal(classifyBookkeepingFailure(fsError('EROFS')), 'data-folder-unwritable');
  assert.equal(classifyBookkeepingFailure(fsError('EACCES')), 'data-folder-unwritable');
  assert.equal(classifyBookkeepingFailure(fsError('EIO')), 'data-folder-failing');
  assert.equal(classifyBookkeepingFailure(new TypeError('x is undefined')), 'queue-fault');
  assert.equal(bookkeepingRetryMs(1, () => 0.99), 15_000, 'the first retry after 15 s');
  assert.equal(bookkeepingRetryMs(2, () => 0.99), 29_850, 'later ones within 15–30 s');
  assert.equal(bookkeepingRetryMs(9, () => 0), 15_000);
});

test('a full disk mid-bill: the queue waits saying so, tries again by itself, and once there is room delivers every bill exactly once', async () => {
  const { spool, stacksDir } = await spoolWith(bills);
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients: { 'station-1': 'secret-1' } });
  // Three records go through (the first bill's manifest and two receipts), then the disk is full.
  const { disk, bookkeeping, spool: auditing, makeRoom } = diskThatFills(spool, 3);
  const log = createMemoryLogger();
  const changes: string[] = [];
  const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-1' }, clientSecret: 'secret-1', env: {} });
  const queue = createUploadQueue({
    spool: auditing,
    stacksDir,
    stateFile: path.join(stacksDir, '..', 'queue.json'),
    endpoint: { openAdapter: async () => adapter, describe: async () => ({ mode: 'basic', stationId: 'station-1' }), recheck: async () => true },
    log,
    now: () => new Date(),
    inFlight: 1,
    bookkeeping,
    bookkeepingRetryMs: 40,
    onChange: () => changes.push(queue.glance().reason ?? ''),
  });
  queue.start();
  try {
    let stalled: QueueStatus | null = null;
    await until('the queue waits for the full disk', async () => {
      stalled = await queue.status();
      return stalled.reason === 'data-disk-full';
    });
    assert.ok(stalled);
    const seen = stalled as QueueStatus;
    assert.equal(seen.state, 'waiting', 'shown like any other wait');
    assert.ok(seen.nextAttemptAt && Date.parse(seen.nextAttemptAt) > Date.now() - 1000, 'with the time of the next try');
    assert.deepEqual(queue.glance(), { state: 'waiting', reason: 'data-disk-full', nextAttemptAt: seen.nextAttemptAt });
    // It keeps trying by itself, and keeps waiting while the disk stays full: the loop is alive.
    await until('several tries on the full disk', () => log.records.filter((record) => record.event === 'upload.bookkeeping-failed').length >= 3);
    assert.equal((await queue.status()).reason, 'data-disk-full');
    assert.ok(!log.records.some((record) => record.event === 'upload.crashed'));
    assert.equal((await queue.status()).counts.done, 0);

    makeRoom();
    await until('every bill delivered', async () => (await queue.status()).counts.done === 3);
    const after = await queue.status();
    assert.deepEqual([after.state, after.reason, after.counts], ['idle', null, { queued: 0, sending: 0, waiting: 0, held: 0, done: 3 }]);
    assert.ok(disk.refused >= 3);
    assert.ok(changes.includes('data-disk-full') && changes.at(-1) === '', 'the UI heard of the wait and of its end');
    assert.ok(log.records.some((record) => record.event === 'upload.bookkeeping-recovered'));
    await assertEveryBillDelivered(spool, adapter);
    const stored = await readdir(path.join(dataDir, 'bills', 'FY-2026-003001'));
    assert.deepEqual(stored.filter((name) => name.endsWith('.bin')).sort(), ['0001.bin', '0002.bin', '0003.bin', '0004.bin'], 'no page stored twice');
  } finally {
    await queue.stop();
    await server.close();
  }
});

test('upload --once style: a read-only data folder ends the run with the reason instead of a crash', async () => {
  const { spool, stacksDir } = await spoolWith([bills[1] as StackPage[]]);
  const { bookkeeping, spool: auditing } = diskThatFills(spool, 0, 'EROFS');
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-1': 'secret-1' } });
  try {
    const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-1' }, clientSecret: 'secret-1', env: {} });
    const queue = createUploadQueue({ spool: auditing, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: { openAdapter: async () => adapter, describe: async () => ({ mode: 'basic', stationId: 'station-1' }), recheck: async () => true }, log: createMemoryLogger(), now: () => new Date(), bookkeeping, bookkeepingRetryMs: 40 });
    const status = await queue.runOnce();
    assert.deepEqual([status.state, status.reason, status.counts.queued], ['waiting', 'data-folder-unwritable', 1]);
  } finally {
    await server.close();
  }
});

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { test } from 'node:test';
import { createCore } from '../../../../electron/core/create-core.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createHandlers } from '../../../../electron/ipc/handlers.js';
import { writeLargeSpool } from '../../../fixtures/large-spool.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const ctx = { emit: () => undefined };

/** Counts the files read below `spool/stacks` while `body` runs (the spool's records and manifests). */
async function stackReadsDuring(body: () => Promise<unknown>): Promise<number> {
  const original = fs.readFile;
  let reads = 0;
  fs.readFile = ((file: Parameters<typeof fs.readFile>[0], ...rest: unknown[]) => {
    if (/[\\/]spool[\\/]stacks[\\/].*\.json$/.test(String(file))) reads += 1;
    return (original as (...args: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFile;
  try {
    await body();
  } finally {
    fs.readFile = original;
  }
  return reads;
}

async function coreOver(bills: number, startUploadQueue = false) {
  const dataDir = await makeTempDir();
  const spool = await writeLargeSpool(dataDir, bills);
  const core = await createCore({ dataDir, appVersion: 'test', log: createMemoryLogger(), startUploadQueue });
  const handlers = createHandlers(core, 'browser');
  return { core, handlers, spool };
}

test('the screens\' polls (status-bar counts, queue card, desk list) read no stack record or manifest once the index holds the spool', async () => {
  const { core, handlers, spool } = await coreOver(120);
  try {
    const look = async () => Promise.all([handlers['upload:status']({}, ctx), handlers['scanDesk:watchStatus']({}, ctx), handlers['scanDesk:overview']({}, ctx)]);
    const [queue, watch, desk] = await look();
    assert.deepEqual(queue.counts, { queued: spool.ready, sending: 0, waiting: 0, held: 0, done: spool.done });
    assert.equal(queue.bills.filter((bill) => bill.state === 'done').length, 50, 'the 50 newest done bills, with their receipts');
    assert.equal(queue.bills.find((bill) => bill.state === 'done')?.receipts.length, 10);
    // The one status model's counts (bill-status.ts): the same bills, more states.
    assert.deepEqual({ ready: watch.counts.ready, held: watch.counts.held, review: watch.counts.review, receiving: watch.counts.receiving }, { ready: spool.ready, held: spool.held, review: 0, receiving: 0 });
    assert.equal(desk.stacks.length, spool.stacks);
    const reads = await stackReadsDuring(async () => {
      for (let poll = 0; poll < 5; poll += 1) await look();
    });
    assert.equal(reads, 0, 'five polls of all three read nothing of the spool again');
  } finally {
    await core.close();
  }
});

test('a change is in the next look: a bill held by a person, a bill discarded, a stack taken in', async () => {
  const { core, handlers, spool } = await coreOver(120);
  try {
    const before = await handlers['upload:status']({}, ctx);
    const ready = before.bills.find((bill) => bill.state === 'queued');
    assert.ok(ready);
    const held = await handlers['upload:act']({ action: 'hold', billId: ready.id }, ctx);
    assert.deepEqual([held.counts.held, held.counts.queued], [1, spool.ready - 1]);
    assert.equal((await handlers['upload:status']({}, ctx)).bills.find((bill) => bill.id === ready.id)?.state, 'held');

    const desk = await handlers['scanDesk:overview']({}, ctx);
    const heldAtIntake = desk.stacks.flatMap((stack) => stack.bills).find((bill) => bill.state === 'held');
    assert.ok(heldAtIntake);
    const countsBefore = (await handlers['scanDesk:watchStatus']({}, ctx)).counts;
    await handlers['scanDesk:billAction']({ billId: heldAtIntake.id, action: 'discard' }, ctx);
    assert.deepEqual((await handlers['scanDesk:watchStatus']({}, ctx)).counts, { ...countsBefore, held: countsBefore.held - 1 });
    assert.equal((await handlers['scanDesk:overview']({}, ctx)).stacks.flatMap((stack) => stack.bills).find((bill) => bill.id === heldAtIntake.id)?.state, 'discarded');

    const file = await writeStack([{ kind: 'cover', code: 'FY-2026-990001' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
    const taken = await handlers['scanDesk:import']({ name: 'new.pdf', dataBase64: (await fs.readFile(file)).toString('base64') }, ctx);
    assert.equal(taken.status, 'ingested');
    assert.equal((await handlers['scanDesk:overview']({}, ctx)).stacks[0]?.id, taken.stackId, 'the newest stack first');
    assert.equal((await handlers['scanDesk:watchStatus']({}, ctx)).counts.ready, countsBefore.ready + 1);
    assert.ok((await handlers['upload:status']({}, ctx)).bills.some((bill) => bill.code === 'FY-2026-990001' && bill.state === 'queued'));
  } finally {
    await core.close();
  }
});

test('a queue going round while nothing changes (the gate shut) does not change the spool\'s revision: the desk list is not reloaded for nothing', async () => {
  const { core, handlers } = await coreOver(20, true);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const first = (await handlers['scanDesk:watchStatus']({}, ctx)).revision;
    assert.equal((await handlers['upload:status']({}, ctx)).reason, 'preflight-missing');
    // The paused queue looks again every 3 s.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    assert.equal((await handlers['scanDesk:watchStatus']({}, ctx)).revision, first);
  } finally {
    await core.close();
  }
});

test('a stack taken in from the watched folder: its last bill waits while the source may still grow, and is queued once the watch closes the source', async () => {
  const dataDir = await makeTempDir();
  const folder = await makeTempDir();
  const core = await createCore({ dataDir, appVersion: 'test', log: createMemoryLogger(), startUploadQueue: false, watchSettleMs: 100, watchPollMs: 50 });
  const handlers = createHandlers(core, 'browser');
  try {
    await handlers['scanDesk:setWatch']({ folder, paused: false }, ctx);
    const file = await writeStack([{ kind: 'cover', code: 'FY-2026-990101' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-990102' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
    await fs.copyFile(file, `${folder}/scan.pdf`);
    const stateOf = async (code: string) => (await handlers['upload:status']({}, ctx)).bills.find((bill) => bill.code === code)?.state;
    const deadline = Date.now() + 30_000;
    // The status bar polls too: its counts must not keep the wait they saw before the source closed.
    while ((await stateOf('FY-2026-990102')) !== 'queued') {
      await handlers['scanDesk:watchStatus']({}, ctx);
      assert.ok(Date.now() < deadline, `the last bill is ${await stateOf('FY-2026-990102')} after the source was closed`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await stateOf('FY-2026-990101'), 'queued');
    await fs.access(`${folder}/imported/scan.pdf`);
    assert.deepEqual((await handlers['scanDesk:watchStatus']({}, ctx)).counts, { ready: 2, held: 0, receiving: 0, review: 0, sending: 0, sentToday: 0 });
    const desk = await handlers['scanDesk:overview']({}, ctx);
    assert.deepEqual(desk.stacks.flatMap((stack) => stack.bills.map((bill) => [bill.code, bill.state])), [['FY-2026-990101', 'ready'], ['FY-2026-990102', 'ready']]);
  } finally {
    await core.close();
  }
});

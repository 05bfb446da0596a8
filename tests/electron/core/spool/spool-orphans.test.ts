import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { unknownBill, type ImagingAdapter } from '../../../../electron/core/imaging/imaging-adapter.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool, type SpoolOptions } from '../../../../electron/core/spool/spool.js';
import type { GiveStep } from '../../../../electron/core/spool/page-gives.js';
import { orphansId, pagesLeftOut, type StackRecord } from '../../../../electron/core/spool/stack-record.js';
import { createUploadQueue } from '../../../../electron/core/upload/upload-queue.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { assertEveryBillDelivered } from '../../../helpers/delivered-bills.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A spool over `dir` (a second one over the same folder is a restart). */
const openSpool = (dir: string, extra: Partial<SpoolOptions> = {}) => createSpool({ dir, log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules, ...extra });

/** A spool holding two stacks: A begins with two orphan pages, B is one bill. */
async function twoStacks(extra: Partial<SpoolOptions> = {}) {
  const dir = path.join(await makeTempDir(), 'spool');
  const spool = openSpool(dir, extra);
  await spool.recover();
  const stackOf = async (pages: StackPage[]) => {
    const outcome = await spool.ingest(await writeStack(pages, await makeTempDir(), 'pdf'));
    assert.ok(outcome.status === 'ingested');
    return outcome.stack;
  };
  const a = await stackOf([{ kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-003001' }, { kind: 'content' }]);
  const b = await stackOf([{ kind: 'cover', code: 'FY-2026-003101' }, { kind: 'content' }]);
  return { dir, spool, a, b };
}

const find = async (spool: ReturnType<typeof openSpool>, id: string) => (await spool.findStack(id)) as StackRecord;

test('orphan pages have an id that discard accepts: discarded, audited, kept with the stack; a stack of nothing but orphans goes to the recycle folder', async () => {
  const { dir, spool, a } = await twoStacks();
  const discarded = await spool.changeBill(orphansId(a.id), { action: 'discard' });
  assert.deepEqual([discarded.id, discarded.state, discarded.pages], [`${a.id}-orphans`, 'discarded', [1, 2]]);
  const after = await find(spool, a.id);
  assert.deepEqual([after.orphans, after.orphansDiscarded, after.bills.map((bill) => bill.state)], [[], [1, 2], ['ready']]);
  // The page files stay (a stack with a live bill stays whole in stacks/).
  assert.deepEqual((await readdir(path.join(dir, 'stacks', a.id, 'pages'))).length, 4);
  // Twice: the pages are no longer there, said with the file's name, never an id.
  await assert.rejects(spool.changeBill(orphansId(a.id), { action: 'discard' }), (error) => error instanceof CoreError && error.code === 'orphans-not-changeable' && error.params['file'] === 'stack.pdf' && error.params['reason'] === 'no-orphans');
  // Orphans are no bill: release is refused with what to do instead.
  const only = await spool.ingest(await writeStack([{ kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(only.status === 'ingested');
  await assert.rejects(spool.changeBill(orphansId(only.stack.id), { action: 'release' }), (error) => error instanceof CoreError && error.params['reason'] === 'orphans-only');
  await spool.changeBill(orphansId(only.stack.id), { action: 'discard' });
  assert.deepEqual(await readdir(path.join(dir, 'recycle')), [only.stack.id]);
  assert.equal(await spool.findStack(only.stack.id), null);
  const events = (await readFile(path.join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { event: string; bill?: string });
  assert.deepEqual(events.filter((line) => line.bill?.endsWith('-orphans')).map((line) => line.event), ['discarded', 'discarded']);
  assert.equal(events.at(-1)?.event, 'recycled');
});

test('orphan pages given to a bill of another stack are copied into it, numbered after its own pages, and uploaded with it byte for byte', async () => {
  const { dir, spool, a, b } = await twoStacks();
  const target = b.bills[0]?.id as string;
  const given = await spool.changeBill(orphansId(a.id), { action: 'give-orphans', to: target });
  assert.deepEqual(given.pages, [1, 2, 3, 4]);
  const [source, into] = [await find(spool, a.id), await find(spool, b.id)];
  assert.deepEqual(source.orphans, []);
  assert.deepEqual(into.pages.slice(2).map((page) => [page.page, page.file, page.sha256, page.from?.page]), [
    [3, 'pages/0003.jpg', a.pages[0]?.sha256, 1],
    [4, 'pages/0004.jpg', a.pages[1]?.sha256, 2],
  ]);
  assert.equal(sha(await readFile(path.join(dir, 'stacks', b.id, 'pages', '0003.jpg'))), a.pages[0]?.sha256);
  assert.ok((await readdir(path.join(dir, 'stacks', b.id, 'thumbs'))).includes('0004.png'));
  assert.deepEqual(await readdir(path.join(dir, 'stacks', a.id)).then((names) => names.includes('giving.json')), false);
  // A given page left out of the bill can be put back into it.
  await spool.changeBill(target, { action: 'exclude-page', page: 4 });
  assert.deepEqual(pagesLeftOut(await find(spool, b.id), target), [4]);
  await spool.changeBill(target, { action: 'restore-page', page: 4 });
  // The same through the receiving bill: `take-orphans` from another stack's orphans entry.
  const more = await spool.ingest(await writeStack([{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-003201' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(more.status === 'ingested');
  assert.deepEqual((await spool.changeBill(target, { action: 'take-orphans', from: orphansId(more.stack.id) })).pages, [1, 2, 3, 4, 5]);
  // The upload queue sends the bill's own pages and the given ones, in order.
  const server = new Map<string, Array<{ page: number; sha256: string }>>();
  const adapter: ImagingAdapter = {
    kind: 'http',
    async uploadPage(upload) {
      server.set(upload.imageCode, [...(server.get(upload.imageCode) ?? []).filter((page) => page.page !== upload.page), { page: upload.page, sha256: sha(upload.bytes) }]);
      return { receiptId: `r-${upload.page}`, imageCode: upload.imageCode, page: upload.page, sha256: upload.sha256, bytes: upload.bytes.length, receivedAt: '2026-12-06T09:00:00Z' };
    },
    async closeBill(imageCode, pageCount) {
      return { ...unknownBill(imageCode), status: 'closed', pageCount };
    },
    async queryBill(imageCode) {
      const pages = (server.get(imageCode) ?? []).sort((x, y) => x.page - y.page);
      return { ...unknownBill(imageCode), status: 'closed', pageCount: pages.length, pages: pages.map((page) => ({ ...page, bytes: 0, receiptId: '', receivedAt: '' })) };
    },
    openRound: async () => Promise.reject(new Error('not used')),
    returnBill: async () => Promise.reject(new Error('not used')),
    voidBill: async () => Promise.reject(new Error('not used')),
    listRescanReasons: async () => Promise.reject(new Error('not used')),
    setNeedImageScan: async () => Promise.reject(new Error('not used')),
  };
  const stacksDir = path.join(dir, 'stacks');
  const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(dir, 'queue.json'), endpoint: { openAdapter: async () => adapter, describe: async () => ({ mode: 'basic', stationId: 'station-1' }), recheck: async () => true }, log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z') });
  await queue.runOnce();
  assert.deepEqual([...(server.get('FY-2026-003101') ?? [])].sort((x, y) => x.page - y.page).map((page) => page.sha256), [b.pages[0]?.sha256, b.pages[1]?.sha256, a.pages[0]?.sha256, a.pages[1]?.sha256, more.stack.pages[0]?.sha256]);
  await assertEveryBillDelivered(spool, adapter);
  // Sent: nothing more is given to it, and it is named by its code.
  const late = await spool.ingest(await writeStack([{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-003301' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(late.status === 'ingested');
  await assert.rejects(spool.changeBill(orphansId(late.stack.id), { action: 'give-orphans', to: target }), (error) => error instanceof CoreError && error.code === 'bill-not-changeable' && error.params['bill'] === 'FY-2026-003101' && error.params['reason'] === 'uploaded');
  assert.deepEqual((await find(spool, late.stack.id)).orphans, [1]);
});

test('a failure (a crash) between any two steps of a give leaves the pages orphans or in the bill, never both after a restart, never neither', async () => {
  const steps: GiveStep[] = ['intent-written', 'pages-copied', 'target-committed', 'source-updated'];
  for (const step of steps) {
    const crash: { at: GiveStep | null } = { at: step };
    const { dir, spool, a, b } = await twoStacks({
      afterGiveStep: (done) => {
        if (done === crash.at) throw new Error(`killed after ${done}`);
      },
    });
    const target = b.bills[0]?.id as string;
    await assert.rejects(spool.changeBill(orphansId(a.id), { action: 'give-orphans', to: target }), /killed after/);
    // Never both uploadable, even before the restart: orphans are not uploaded, the bill at most once.
    const bill = (await find(spool, b.id)).bills[0];
    assert.ok(bill?.pages.length === 2 || bill?.pages.length === 4, step);
    // The restart finishes or forgets the give.
    crash.at = null;
    const restarted = openSpool(dir);
    await restarted.recover();
    const [source, into] = [await find(restarted, a.id), await find(restarted, b.id)];
    const inBill = into.bills[0]?.pages.length === 4;
    const stillOrphans = source.orphans.length === 2;
    assert.ok(inBill !== stillOrphans, `${step}: exactly one of orphans (${stillOrphans}) or in the bill (${inBill})`);
    assert.equal(inBill, step !== 'intent-written' && step !== 'pages-copied', step);
    assert.ok(!(await readdir(path.join(dir, 'stacks', a.id))).includes('giving.json'), step);
    // Given again when it did not happen: once, whatever the copies left before.
    if (stillOrphans) await restarted.changeBill(orphansId(a.id), { action: 'give-orphans', to: target });
    const final = await find(restarted, b.id);
    assert.deepEqual(final.bills[0]?.pages, [1, 2, 3, 4], step);
    assert.deepEqual(final.pages.map((page) => page.sha256), [...b.pages, ...a.pages.slice(0, 2)].map((page) => page.sha256), step);
    assert.deepEqual((await find(restarted, a.id)).orphans, [], step);
  }
});

test('an orphan page marked as a cover starts a bill with the orphan pages after it; the pages before stay orphans', async () => {
  const dir = path.join(await makeTempDir(), 'spool');
  const spool = openSpool(dir);
  await spool.recover();
  const outcome = await spool.ingest(await writeStack([{ kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-003401' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(outcome.status === 'ingested');
  const id = orphansId(outcome.stack.id);
  await assert.rejects(spool.changeBill(id, { action: 'mark-cover', page: 4, code: 'FY-2026-003402' }), (error) => error instanceof CoreError && error.params['reason'] === 'not-an-orphan');
  await assert.rejects(spool.changeBill(id, { action: 'mark-cover', page: 2, code: 'not a code!' }), (error) => error instanceof CoreError && error.params['reason'] === 'invalid-code');
  const created = await spool.changeBill(id, { action: 'mark-cover', page: 2, code: 'FY-2026-003402' });
  assert.deepEqual([created.code, created.cover, created.pages, created.state], ['FY-2026-003402', 2, [2, 3], 'ready']);
  const stack = await find(spool, outcome.stack.id);
  assert.deepEqual(stack.orphans, [1]);
  assert.deepEqual(stack.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-003402', [2, 3]], ['FY-2026-003401', [4, 5]]]);
});

test('the last bill of a stack whose file is still open, released by a person, goes up without waiting', async () => {
  const dir = path.join(await makeTempDir(), 'spool');
  const spool = openSpool(dir);
  await spool.recover();
  const outcome = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-003501' }, { kind: 'content' }], await makeTempDir(), 'pdf'), { sourceMayGrow: true });
  assert.ok(outcome.status === 'ingested');
  const bill = outcome.stack.bills[0]?.id as string;
  assert.equal((await find(spool, outcome.stack.id)).bills[0]?.held, 'source-open');
  await spool.changeBill(bill, { action: 'release' });
  assert.deepEqual([(await find(spool, outcome.stack.id)).bills[0]?.state, (await find(spool, outcome.stack.id)).bills[0]?.held], ['ready', null]);
});

test('a give left by a crash in the intent\'s older shape (one stack\'s orphans: from and pages at its top) is still finished at start', async () => {
  const crash: { at: GiveStep | null } = { at: 'target-committed' };
  const { dir, spool, a, b } = await twoStacks({
    afterGiveStep: (done) => {
      if (done === crash.at) throw new Error(`killed after ${done}`);
    },
  });
  await assert.rejects(spool.changeBill(orphansId(a.id), { action: 'give-orphans', to: b.bills[0]?.id as string }), /killed after/);
  const intent = path.join(dir, 'stacks', a.id, 'giving.json');
  const { parts, ...rest } = JSON.parse(await readFile(intent, 'utf8')) as { parts: Array<{ from: string; pages: unknown }> };
  await writeFile(intent, JSON.stringify({ ...rest, from: parts[0]?.from, pages: parts[0]?.pages }));
  crash.at = null;
  const restarted = openSpool(dir);
  await restarted.recover();
  assert.deepEqual([(await find(restarted, a.id)).orphans, (await find(restarted, b.id)).bills[0]?.pages], [[], [1, 2, 3, 4]]);
  assert.ok(!(await readdir(path.join(dir, 'stacks', a.id))).includes('giving.json'));
});

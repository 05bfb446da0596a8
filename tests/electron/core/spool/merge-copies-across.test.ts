import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { unknownBill, type ImagingAdapter } from '../../../../electron/core/imaging/imaging-adapter.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool, type SpoolOptions } from '../../../../electron/core/spool/spool.js';
import type { GiveStep } from '../../../../electron/core/spool/page-gives.js';
import type { StackRecord } from '../../../../electron/core/spool/stack-record.js';
import { manifestPath } from '../../../../electron/core/spool/upload-manifest.js';
import { createUploadQueue } from '../../../../electron/core/upload/upload-queue.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { assertEveryBillDelivered } from '../../../helpers/delivered-bills.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const code = 'FY-2026-004001';

/** A spool over `dir` whose clock moves a minute per stack taken in (a second one over the same folder is a restart). */
const openSpool = (dir: string, extra: Partial<SpoolOptions> = {}) => {
  let minute = 0;
  return createSpool({ dir, log: createMemoryLogger(), now: () => new Date(Date.UTC(2026, 11, 6, 9, minute++)), rules: defaultCodeRules, ...extra });
};

/**
 * Three stacks, scanned in this order, each with a copy of `code` (the page fixture's noise follows
 * the page's place, so the copies' content pages sit at places no other copy has: their bytes differ):
 * A: the code (pages 1–3); B: another bill, then the code (pages 3–5); C: two other bills, then the code (pages 6–7).
 */
const threeStacks: StackPage[][] = [
  [{ kind: 'cover', code }, { kind: 'content' }, { kind: 'content' }],
  [{ kind: 'cover', code: 'FY-2026-004002' }, { kind: 'content' }, { kind: 'cover', code }, { kind: 'content' }, { kind: 'content' }],
  [{ kind: 'cover', code: 'FY-2026-004003' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-004004' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code }, { kind: 'content' }],
];

async function spoolWith(stacks: StackPage[][], extra: Partial<SpoolOptions> = {}) {
  const dir = path.join(await makeTempDir(), 'spool');
  const spool = openSpool(dir, extra);
  await spool.recover();
  const taken: StackRecord[] = [];
  for (const pages of stacks) {
    const outcome = await spool.ingest(await writeStack(pages, await makeTempDir(), 'pdf'));
    assert.ok(outcome.status === 'ingested');
    taken.push(outcome.stack);
  }
  return { dir, spool, stacks: taken };
}

const find = async (spool: ReturnType<typeof openSpool>, id: string) => (await spool.findStack(id)) as StackRecord;
const copyOf = (stack: StackRecord) => stack.bills.find((bill) => bill.code === code)?.id as string;
const auditOf = async (dir: string) => (await readFile(path.join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { event: string; stack?: string; bill?: string; detail?: string });
/** The SHA-256 of each page of a bill, as its stack stores it (what the queue uploads). */
const pageHashes = (stack: StackRecord, billId: string) => (stack.bills.find((bill) => bill.id === billId)?.pages ?? []).map((page) => stack.pages.find((stored) => stored.page === page)?.sha256);
const stored = (stack: StackRecord, pages: number[]) => pages.map((page) => stack.pages.find((candidate) => candidate.page === page)?.sha256);

/** An imaging side in memory that counts every call, so a bill sent twice shows. */
function countingImaging() {
  const server = new Map<string, Array<{ page: number; sha256: string }>>();
  const calls: string[] = [];
  const adapter: ImagingAdapter = {
    kind: 'http',
    async uploadPage(upload) {
      calls.push(`page ${upload.imageCode} ${upload.page}`);
      server.set(upload.imageCode, [...(server.get(upload.imageCode) ?? []).filter((page) => page.page !== upload.page), { page: upload.page, sha256: sha(upload.bytes) }]);
      return { receiptId: `r-${upload.page}`, imageCode: upload.imageCode, page: upload.page, sha256: upload.sha256, bytes: upload.bytes.length, receivedAt: '2026-12-06T09:00:00Z' };
    },
    async closeBill(imageCode, pageCount) {
      calls.push(`close ${imageCode} ${pageCount}`);
      return { ...unknownBill(imageCode), status: 'closed', pageCount };
    },
    async queryBill(imageCode) {
      const pages = [...(server.get(imageCode) ?? [])].sort((x, y) => x.page - y.page);
      return { ...unknownBill(imageCode), status: 'closed', pageCount: pages.length, pages: pages.map((page) => ({ ...page, bytes: 0, receiptId: '', receivedAt: '' })) };
    },
    openRound: async () => Promise.reject(new Error('not used')),
    returnBill: async () => Promise.reject(new Error('not used')),
    voidBill: async () => Promise.reject(new Error('not used')),
    listRescanReasons: async () => Promise.reject(new Error('not used')),
    setNeedImageScan: async () => Promise.reject(new Error('not used')),
  };
  return { adapter, server, calls };
}

/** Runs the upload queue once over the spool and checks every live bill arrived whole; returns the calls. */
async function uploadAll(dir: string, spool: ReturnType<typeof openSpool>) {
  const imaging = countingImaging();
  const queue = createUploadQueue({ spool, stacksDir: path.join(dir, 'stacks'), stateFile: path.join(dir, 'queue.json'), endpoint: { openAdapter: async () => imaging.adapter, describe: async () => ({ mode: 'basic', stationId: 'station-1' }), recheck: async () => true }, log: createMemoryLogger(), now: () => new Date('2026-12-06T10:00:00Z') });
  await queue.runOnce();
  await assertEveryBillDelivered(spool, imaging.adapter);
  return imaging;
}

test('a code in two stacks: merge copies the later copy\'s pages (not its cover) into the first copy\'s stack, byte for byte, discards it with mergedInto, audited on both sides, uploaded once whole', async () => {
  const { dir, spool, stacks } = await spoolWith(threeStacks.slice(0, 2));
  const [a, b] = stacks as [StackRecord, StackRecord];
  assert.deepEqual((await spool.listBills()).filter((bill) => bill.code === code).map((bill) => [bill.state, bill.held]), [['held', 'duplicate-code'], ['held', 'duplicate-code']], 'both copies held before the merge');
  // Asked from the later copy: scan order decides, the first copy (stack A) is the merged bill.
  const merged = await spool.changeBill(copyOf(b), { action: 'merge-copies' });
  assert.deepEqual([merged.id, merged.state, merged.held, merged.pages], [copyOf(a), 'ready', null, [1, 2, 3, 4, 5]]);
  const [intoA, fromB] = [await find(spool, a.id), await find(spool, b.id)];
  assert.deepEqual(intoA.pages.slice(3).map((page) => [page.page, page.file, page.from?.stackId, page.from?.page, page.from?.bill]), [
    [4, 'pages/0004.jpg', b.id, 4, copyOf(a)],
    [5, 'pages/0005.jpg', b.id, 5, copyOf(a)],
  ]);
  assert.deepEqual(pageHashes(intoA, copyOf(a)), [...stored(a, [1, 2, 3]), ...stored(b, [4, 5])]);
  assert.equal(new Set(pageHashes(intoA, copyOf(a))).size, 5, 'five different pages');
  for (const page of [4, 5]) assert.equal(sha(await readFile(path.join(dir, 'stacks', a.id, 'pages', `000${page}.jpg`))), stored(b, [page])[0]);
  assert.ok((await readdir(path.join(dir, 'stacks', a.id, 'thumbs'))).includes('0005.png'));
  // The copy in B is discarded, its pages the merged bill's; B's other bill is untouched.
  assert.deepEqual(fromB.bills.map((bill) => [bill.code, bill.state, bill.pages, bill.mergedInto ?? null]), [['FY-2026-004002', 'ready', [1, 2], null], [code, 'discarded', [], copyOf(a)]]);
  for (const stack of [a, b]) assert.ok(!(await readdir(path.join(dir, 'stacks', stack.id))).includes('giving.json'));
  // Audited on both sides: the target took the pages (still held), the source discarded its copy, then the merged bill was released.
  const audit = (await auditOf(dir)).slice(-3);
  assert.deepEqual(audit.map((line) => [line.event, line.stack, line.bill]), [['edited', a.id, copyOf(a)], ['discarded', b.id, copyOf(b)], ['merged', a.id, copyOf(a)]]);
  assert.match(audit[0]?.detail ?? '', /held until every copy is discarded/);
  assert.match(audit[1]?.detail ?? '', new RegExp(`merged into ${copyOf(a)} of stack ${a.id}`));
  // The queue uploads the merged bill once, with all its pages, and never the discarded copy.
  const imaging = await uploadAll(dir, spool);
  assert.deepEqual(imaging.calls.filter((call) => call.startsWith('close')).sort(), [`close ${code} 5`, 'close FY-2026-004002 2']);
  assert.equal(imaging.calls.filter((call) => call.startsWith(`page ${code}`)).length, 5);
});

test('a code in three stacks (twice in the first): the copies\' pages in scan order, oldest stack first, then page order; a stack left with nothing goes to the recycle folder', async () => {
  const stacks = [[...(threeStacks[0] as StackPage[]), { kind: 'cover', code: 'FY-2026-004005' }, { kind: 'content' }, { kind: 'cover', code }, { kind: 'content' }] as StackPage[], threeStacks[1] as StackPage[], [{ kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code }, { kind: 'content' }] as StackPage[]];
  const { dir, spool, stacks: taken } = await spoolWith(stacks);
  const [a, b, c] = taken as [StackRecord, StackRecord, StackRecord];
  // C: eight orphan pages, then its copy (pages 9–10): discarding the orphans leaves it nothing but the copy.
  await spool.changeBill(`${c.id}-orphans`, { action: 'discard' });
  const first = a.bills[0]?.id as string;
  const merged = await spool.changeBill(copyOf(c), { action: 'merge-copies' });
  // A's own copy (pages 6–7: its cover left out), then B's (4, 5 → 8, 9), then C's (10 → 10).
  assert.deepEqual([merged.id, merged.state, merged.pages], [first, 'ready', [1, 2, 3, 7, 8, 9, 10]]);
  const intoA = await find(spool, a.id);
  assert.deepEqual(pageHashes(intoA, first), [...stored(a, [1, 2, 3, 7]), ...stored(b, [4, 5]), ...stored(c, [10])]);
  assert.deepEqual(intoA.bills.map((bill) => [bill.code, bill.state, bill.mergedInto ?? null]), [[code, 'ready', null], ['FY-2026-004005', 'ready', null], [code, 'discarded', first]]);
  assert.deepEqual((await find(spool, b.id)).bills.map((bill) => [bill.state, bill.mergedInto ?? null]), [['ready', null], ['discarded', first]]);
  assert.equal(await spool.findStack(c.id), null, 'C had nothing left');
  assert.deepEqual(await readdir(path.join(dir, 'recycle')), [c.id]);
  assert.deepEqual((await spool.listBills()).filter((bill) => bill.code === code && bill.state !== 'discarded').map((bill) => bill.id), [first], 'one live bill of the code');
  const audit = await auditOf(dir);
  assert.deepEqual(audit.filter((line) => line.event === 'discarded' && line.detail?.startsWith('repeated code')).map((line) => line.stack), [a.id, b.id, c.id]);
  const imaging = await uploadAll(dir, spool);
  assert.deepEqual(imaging.calls.filter((call) => call.startsWith(`close ${code}`)), [`close ${code} 7`]);
  assert.deepEqual(imaging.server.get(code)?.map((page) => page.sha256).sort(), pageHashes(intoA, first).sort());
});

test('merge across stacks is refused while any copy has started uploading (as within one stack)', async () => {
  const { dir, spool, stacks } = await spoolWith(threeStacks.slice(0, 2));
  const [a, b] = stacks as [StackRecord, StackRecord];
  await mkdir(path.join(dir, 'stacks', a.id, 'upload'), { recursive: true });
  await writeFile(manifestPath(path.join(dir, 'stacks'), a.id, copyOf(a)), JSON.stringify({ version: 1, billId: copyOf(a), stackId: a.id, code, pages: [], state: 'sending', attempts: 0, nextAttemptAt: null, lastError: null, held: null, startedAt: '2026-12-06T09:00:00Z', closedAt: null }));
  await assert.rejects(spool.changeBill(copyOf(b), { action: 'merge-copies' }), (error) => error instanceof CoreError && error.params['reason'] === 'copy-sent');
  assert.deepEqual((await find(spool, b.id)).bills[1]?.state, 'held');
});

test('a failure (a crash) after any step of a merge across stacks: never a page in two live bills that go up, never lost; the restart finishes or forgets it', async () => {
  const steps: GiveStep[] = ['intent-written', 'pages-copied', 'target-committed', 'source-updated', 'target-released'];
  for (const step of steps) {
    const crash: { at: GiveStep | null } = { at: step };
    const { dir, spool, stacks } = await spoolWith(threeStacks, {
      afterGiveStep: (done) => {
        if (done === crash.at) throw new Error(`killed after ${done}`);
      },
    });
    const [a, b, c] = stacks as [StackRecord, StackRecord, StackRecord];
    const first = copyOf(a);
    await assert.rejects(spool.changeBill(copyOf(b), { action: 'merge-copies' }), /killed after/);
    // Before the restart: nothing of the code may go up unless the merge is whole (its last step done).
    const live = (await spool.listBills()).filter((bill) => bill.code === code && bill.state !== 'discarded');
    const ready = live.filter((bill) => bill.state === 'ready');
    if (step === 'target-released') assert.deepEqual([live.length, ready[0]?.id], [1, first], step);
    else assert.deepEqual(ready, [], `${step}: every copy still held`);
    crash.at = null;
    const restarted = openSpool(dir);
    await restarted.recover();
    for (const stack of stacks) assert.ok(!(await readdir(path.join(dir, 'stacks', stack.id))).includes('giving.json'), step);
    const committed = step !== 'intent-written' && step !== 'pages-copied';
    const after = (await restarted.listBills()).filter((bill) => bill.code === code && bill.state !== 'discarded');
    if (committed) assert.deepEqual(after.map((bill) => [bill.id, bill.state, bill.pages]), [[first, 'ready', [1, 2, 3, 4, 5, 6]]], step);
    else {
      assert.deepEqual(after.map((bill) => [bill.id, bill.state, bill.held]), [[first, 'held', 'duplicate-code'], [copyOf(b), 'held', 'duplicate-code'], [copyOf(c), 'held', 'duplicate-code']], `${step}: every copy as it was`);
      assert.deepEqual(after.map((bill) => bill.pages), [[1, 2, 3], [3, 4, 5], [6, 7]], step);
      // Merged again: once, whatever the copies left before.
      await restarted.changeBill(copyOf(c), { action: 'merge-copies' });
    }
    const intoA = await find(restarted, a.id);
    assert.deepEqual(intoA.bills[0]?.pages, [1, 2, 3, 4, 5, 6], step);
    assert.deepEqual(pageHashes(intoA, first), [...stored(a, [1, 2, 3]), ...stored(b, [4, 5]), ...stored(c, [7])], step);
    assert.deepEqual([(await find(restarted, b.id)).bills[1]?.mergedInto, (await find(restarted, c.id)).bills[2]?.mergedInto], [first, first], step);
    const imaging = await uploadAll(dir, restarted);
    assert.deepEqual(imaging.calls.filter((call) => call.startsWith(`close ${code}`)), [`close ${code} 6`], step);
  }
});

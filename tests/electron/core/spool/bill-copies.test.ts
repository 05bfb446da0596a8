import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { defaultSplitOptions } from '../../../../electron/core/split/split-stack.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { manifestPath } from '../../../../electron/core/spool/upload-manifest.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const spoolAt = async (release: 'auto' | 'review' = 'auto') => {
  const dir = path.join(await makeTempDir(), 'spool');
  const settings = async () => ({ rules: defaultCodeRules, blankInkShare: 0.003, split: defaultSplitOptions, recycleDays: 30, importedDays: 0, doneDays: 30, release });
  const spool = createSpool({ dir, log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules, settings });
  await spool.recover();
  return { dir, spool };
};
const refusal = (reason: string) => (error: unknown) => error instanceof CoreError && error.params['reason'] === reason;
const auditOf = async (dir: string) => (await readFile(path.join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { event: string; bill?: string; detail?: string });

test('review mode: every new bill waits in review (the queue takes only ready), R releases one, "release all reviewed" the rest', async () => {
  const { spool } = await spoolAt('review');
  const outcome = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000901' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000902' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000903' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(outcome.status === 'ingested');
  assert.deepEqual(outcome.stack.bills.map((bill) => bill.state), ['review', 'review', 'review']);
  assert.equal((await spool.changeBill(outcome.stack.bills[0]?.id as string, { action: 'release' })).state, 'ready');
  const released = await spool.releaseReviewed();
  assert.deepEqual(released.map((bill) => bill.code), ['FY-2026-000902', 'FY-2026-000903']);
  assert.deepEqual((await spool.listBills()).map((bill) => bill.state), ['ready', 'ready', 'ready']);
  assert.deepEqual(await spool.releaseReviewed(), [], 'nothing left to release');
});

test('a code twice in one stack: both copies held; merge puts the pages in scan order into the first, the other discarded, one atomic write, audited', async () => {
  const { dir, spool } = await spoolAt();
  const outcome = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000911' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000912' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000911' }, { kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(outcome.status === 'ingested');
  const [first, other, second] = outcome.stack.bills;
  assert.deepEqual(outcome.stack.bills.map((bill) => [bill.code, bill.state, bill.held]), [['FY-2026-000911', 'held', 'duplicate-code'], ['FY-2026-000912', 'ready', null], ['FY-2026-000911', 'held', 'duplicate-code']]);
  // Released one by one, a copy would go up beside the other: refused while another copy waits.
  await assert.rejects(spool.changeBill(first?.id as string, { action: 'release' }), refusal('copies-left'));
  // Asked from the first copy (asked from the second, the result is the same: scan order decides).
  const merged = await spool.changeBill(first?.id as string, { action: 'merge-copies' });
  assert.deepEqual([merged.id, merged.state, merged.held, merged.pages], [first?.id, 'ready', null, [1, 2, 6, 7]], 'the first copy leads; the second copy\'s cover is not a page twice');
  const bills = (await spool.listStacks())[0]?.bills ?? [];
  assert.deepEqual(bills.map((bill) => [bill.state, bill.pages, bill.mergedInto ?? null]), [['ready', [1, 2, 6, 7], null], ['ready', other?.pages, null], ['discarded', [], first?.id]]);
  const audit = await auditOf(dir);
  assert.deepEqual(audit.slice(-2).map((line) => [line.event, line.bill]), [['discarded', second?.id], ['merged', first?.id]]);
});

test('a code in two stacks not yet sent: the earlier copy is held too before the new stack exists; keep one discards the other stack\'s copy first', async () => {
  const { dir, spool } = await spoolAt();
  const a = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000921' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  const b = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000921' }, { kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(a.status === 'ingested' && b.status === 'ingested');
  const stacks = await spool.listStacks();
  assert.deepEqual(stacks.map((stack) => [stack.bills[0]?.state, stack.bills[0]?.held]), [['held', 'duplicate-code'], ['held', 'duplicate-code']]);
  const audit = await auditOf(dir);
  const heldEarlier = audit.findIndex((line) => line.event === 'held' && line.bill === a.stack.bills[0]?.id);
  const importedLater = audit.findIndex((line) => line.event === 'imported' && line !== audit[0]);
  assert.ok(heldEarlier >= 0 && heldEarlier < importedLater, 'the earlier copy is held before the new stack is in');
  const kept = await spool.changeBill(b.stack.bills[0]?.id as string, { action: 'keep-copy' });
  assert.deepEqual([kept.state, kept.held], ['ready', null]);
  assert.deepEqual((await spool.listBills()).map((bill) => [bill.code, bill.state]), [['FY-2026-000921', 'ready']], 'the earlier stack, all discarded, went to the recycle folder');
  const events = (await auditOf(dir)).slice(-3).map((line) => line.event);
  assert.deepEqual(events, ['discarded', 'recycled', 'released'], 'the other copy is discarded before this one is released: a crash between leaves this one held');
});

test('crash safety of keep-copy across stacks: a failure after the other stack\'s discard leaves the kept copy held, never two copies that go up', async () => {
  const { dir, spool } = await spoolAt();
  const a = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000931' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000932' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  const b = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000931' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(a.status === 'ingested' && b.status === 'ingested');
  // The kept copy's stack cannot be written (its edits file's place is a folder): the second write fails.
  await mkdir(path.join(dir, 'stacks', b.stack.id, 'edits.json'), { recursive: true });
  await assert.rejects(spool.changeBill(b.stack.bills[0]?.id as string, { action: 'keep-copy' }));
  const live = (await spool.listBills()).filter((bill) => bill.code === 'FY-2026-000931' && bill.state === 'ready');
  assert.deepEqual(live, [], 'no copy of the code may go up: the kept one is still held');
});

test('a code the server closed already: the new copy is held code-closed (discard, or release as the rescan of a returned bill); one being sent makes it taken-in-before', async () => {
  const { dir, spool } = await spoolAt();
  const a = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000941' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000942' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(a.status === 'ingested');
  const manifest = (billId: string, state: string) => ({ version: 1, billId, stackId: a.stack.id, code: 'x', pages: [], state, attempts: 0, nextAttemptAt: null, lastError: null, held: null, startedAt: '2026-12-06T09:00:00Z', closedAt: state === 'done' ? '2026-12-06T09:01:00Z' : null });
  await mkdir(path.join(dir, 'stacks', a.stack.id, 'upload'), { recursive: true });
  await writeFile(manifestPath(path.join(dir, 'stacks'), a.stack.id, a.stack.bills[0]?.id as string), JSON.stringify(manifest(a.stack.bills[0]?.id as string, 'done')));
  await writeFile(manifestPath(path.join(dir, 'stacks'), a.stack.id, a.stack.bills[1]?.id as string), JSON.stringify(manifest(a.stack.bills[1]?.id as string, 'sending')));
  // A rescan (one more page: never the same file, which would be "already taken in").
  const b = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000941' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000942' }, { kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(b.status === 'ingested');
  assert.deepEqual(b.stack.bills.map((bill) => bill.held), ['code-closed', 'taken-in-before']);
  assert.equal((await spool.changeBill(b.stack.bills[0]?.id as string, { action: 'discard' })).state, 'discarded');
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createWatchIntake } from '../../../../electron/core/intake/watch-intake.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('a multi-page TIFF the scanner appends to after a pause is taken in as one stack: the last bill waits, the new pages join it, nothing is lost or stored twice', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 2000, now: () => clock });
  const pages: StackPage[] = [{ kind: 'cover', code: 'FY-2026-006001' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-006002' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-006003' }, { kind: 'content' }];
  // The same pages render the same: the first five of the eight are the five written before the jam.
  const five = await readFile(await writeStack(pages.slice(0, 5), await makeTempDir(), 'tiff', 100));
  const eight = await readFile(await writeStack(pages, await makeTempDir(), 'tiff', 100));
  // The scanner keeps its file open and writes through it, whatever the file's name becomes.
  const scanner = await open(path.join(folder, 'scan.tif'), 'w+');
  await scanner.write(five, 0, five.length, 0);
  await scanner.sync();

  await watcher.lookOnce();
  clock += 2500;
  const first = await watcher.lookOnce();
  assert.deepEqual(first.map((event) => event.kind), ['taken']);
  const bills = await spool.listBills();
  assert.deepEqual(bills.map((bill) => [bill.code, bill.pages, bill.state, bill.held]), [
    ['FY-2026-006001', [1, 2, 3], 'ready', null],
    ['FY-2026-006002', [4, 5], 'held', 'source-open'],
  ], 'the last bill is not released while its file may still grow');

  // The jam is cleared within the quiet gap: pages 6 to 8 arrive.
  clock += 1000;
  await scanner.write(eight, 0, eight.length, 0);
  await scanner.truncate(eight.length);
  await scanner.sync();
  for (let look = 0; look < 6; look += 1) {
    clock += 2500;
    await watcher.lookOnce();
  }
  await scanner.close();

  const stacks = await spool.listStacks();
  assert.equal(stacks.length, 1, 'one stack: the continuation, not a second stack');
  const [stack] = stacks;
  assert.equal(stack?.pages.length, 8);
  assert.equal(new Set(stack?.pages.map((page) => page.sha256)).size, 8, 'no page stored twice');
  assert.equal(stack?.source.sha256, sha(eight));
  assert.deepEqual(stack?.bills.map((bill) => [bill.code, bill.pages, bill.state, bill.held]), [
    ['FY-2026-006001', [1, 2, 3], 'ready', null],
    ['FY-2026-006002', [4, 5, 6], 'ready', null],
    ['FY-2026-006003', [7, 8], 'ready', null],
  ]);
  assert.deepEqual(await readdir(path.join(folder, 'imported')), ['scan.tif']);
  assert.equal(sha(await readFile(path.join(folder, 'imported', 'scan.tif'))), sha(eight), 'moved only once it stopped growing');
  const audit = await readFile(path.join(root, 'spool', 'audit.log'), 'utf8');
  assert.match(audit, /"event":"continued".*"pages":\[6,7,8\]/);
  // The first content is known as taken in too: it is never a stack of its own.
  assert.equal((await spool.ingest(path.join(folder, 'imported', 'scan.tif'))).status, 'already');
});

test('a person changing a bill while the stack’s source is open does not freeze the waiting last bill: it goes up once the source is closed', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-006101' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-006102' }, { kind: 'content' }], folder, 'pdf', 100);
  const outcome = await spool.ingest(file, { sourceMayGrow: true });
  assert.equal(outcome.source, 'kept');
  const stackId = outcome.status === 'ingested' ? outcome.stack.id : '';
  assert.deepEqual((await spool.listBills()).map((bill) => bill.state), ['ready', 'held']);
  await spool.changeBill(`${stackId}-1`, { action: 'discard' });
  assert.equal(await spool.closeSource(stackId, file, { name: 'stack.pdf', moveSourceTo: path.join(folder, 'imported'), read: outcome.read }), 'moved');
  assert.deepEqual((await spool.listBills()).map((bill) => [bill.state, bill.held]), [['discarded', null], ['ready', null]]);
});

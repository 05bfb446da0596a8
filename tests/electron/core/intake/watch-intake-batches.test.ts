import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { isLoosePageFile, parsePageName } from '../../../../electron/core/intake/page-files.js';
import { compareNatural } from '../../../../electron/core/text/natural-order.js';
import { createWatchIntake } from '../../../../electron/core/intake/watch-intake.js';
import type { WatchEvent } from '../../../../electron/core/intake/watch-report.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import type { StackRecord } from '../../../../electron/core/spool/stack-record.js';
import { encodeJpeg, encodeMultiPageTiff, encodeLzwTiff } from '../../../fixtures/encode.js';
import { renderStackPage, writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const dpi = 100;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A page file as a page-per-file scanner writes it. */
async function pageJpeg(page: StackPage, seed: number): Promise<Buffer> {
  return encodeJpeg(renderStackPage(page, dpi, seed), dpi);
}

async function setUp(options: { root?: string; clock?: { now: number } } = {}) {
  const root = options.root ?? (await makeTempDir());
  const folder = path.join(root, 'scans');
  await mkdir(folder, { recursive: true });
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  const clock = options.clock ?? { now: 0 };
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, now: () => clock.now, batchGapMs: () => 5000 });
  /** Two looks a settle time apart: what was written is settled and taken. */
  const settle = async (): Promise<WatchEvent[]> => {
    const first = await watcher.lookOnce();
    clock.now += 1000;
    return [...first, ...(await watcher.lookOnce())];
  };
  return { root, folder, spool, watcher, clock, settle };
}

/** The stacks made (closed batches) among a look's events. */
function stacksOf(events: WatchEvent[]): StackRecord[] {
  return events.flatMap((event) => (event.kind === 'taken' && event.outcome.status === 'ingested' ? [event.outcome.stack] : []));
}

test('page names: natural order, the number and the pattern around it; loose page files are one-page images', async () => {
  assert.deepEqual(['scan_10.jpg', 'scan_2.jpg', 'scan_1.jpg'].sort(compareNatural), ['scan_1.jpg', 'scan_2.jpg', 'scan_10.jpg']);
  assert.deepEqual(parsePageName('Scan_0012.JPG'), { pattern: 'scan_#', number: 12 });
  assert.deepEqual(parsePageName('IMG (3).png'), { pattern: 'img (#)', number: 3 });
  assert.deepEqual(parsePageName('page-7_front.tif'), { pattern: 'page-#_front', number: 7 });
  assert.equal(parsePageName('cover.jpg').number, null);
  const dir = await makeTempDir();
  const image = renderStackPage({ kind: 'content' }, dpi, 1);
  await writeFile(path.join(dir, 'one.tif'), await encodeLzwTiff(image, dpi));
  await writeFile(path.join(dir, 'two.tif'), await encodeMultiPageTiff([image, image], dpi));
  await writeFile(path.join(dir, 'a.jpg'), await encodeJpeg(image, dpi));
  assert.equal(await isLoosePageFile(path.join(dir, 'one.tif')), true);
  assert.equal(await isLoosePageFile(path.join(dir, 'two.tif')), false, 'a multi-page TIFF is a document of its own');
  assert.equal(await isLoosePageFile(path.join(dir, 'a.jpg')), true);
});

test('page files form one open batch in natural order (scan_2 before scan_10), shown as receiving, closed after the quiet gap and split exactly', async () => {
  const { folder, watcher, clock, settle, spool } = await setUp();
  const pages: Array<[string, StackPage]> = [
    ['scan_1.jpg', { kind: 'cover', code: 'FY-2026-000101' }],
    ['scan_10.jpg', { kind: 'content' }],
    ['scan_2.jpg', { kind: 'content' }],
    ['scan_3.jpg', { kind: 'cover', code: 'FY-2026-000102' }],
  ];
  const bytes = new Map<string, Buffer>();
  for (const [n, [name, page]] of pages.entries()) bytes.set(name, await pageJpeg(page, n + 1));
  // scan_1 and scan_10 arrive first; scan_2 and scan_3 a few seconds later (out of name order).
  await writeFile(path.join(folder, 'scan_1.jpg'), bytes.get('scan_1.jpg') as Buffer);
  await writeFile(path.join(folder, 'scan_10.jpg'), bytes.get('scan_10.jpg') as Buffer);
  const early = await settle();
  assert.deepEqual(early.map((event) => [event.kind, path.basename(event.file)]), [['batched', 'scan_1.jpg'], ['batched', 'scan_10.jpg']]);
  assert.equal(watcher.batch()?.pages, 2, 'receiving… 2 pages');
  assert.deepEqual(await spool.listStacks(), [], 'no stack (no bill to upload) while the batch is open');
  assert.deepEqual((await readdir(path.join(folder, 'imported'))).sort(), ['scan_1.jpg', 'scan_10.jpg'], 'each source moved once its page is in the batch');
  clock.now += 3000;
  await writeFile(path.join(folder, 'scan_2.jpg'), bytes.get('scan_2.jpg') as Buffer);
  await writeFile(path.join(folder, 'scan_3.jpg'), bytes.get('scan_3.jpg') as Buffer);
  await settle();
  assert.equal(watcher.batch()?.pages, 4);
  clock.now += 4000;
  assert.deepEqual(stacksOf(await watcher.lookOnce()), [], 'still inside the quiet gap');
  clock.now += 1500;
  const [stack] = stacksOf(await watcher.lookOnce());
  assert.ok(stack, 'closed after the quiet gap');
  assert.equal(watcher.batch(), null);
  assert.deepEqual(stack.pages.map((page) => page.sha256), ['scan_1.jpg', 'scan_2.jpg', 'scan_3.jpg', 'scan_10.jpg'].map((name) => sha(bytes.get(name) as Buffer)), 'pages in natural name order, bytes untouched');
  assert.deepEqual(stack.bills.map((bill) => [bill.code, bill.pages, bill.held]), [['FY-2026-000101', [1, 2], null], ['FY-2026-000102', [3, 4], null]]);
  assert.deepEqual(await readdir(path.join(path.dirname(folder), 'spool', 'batches')), [], 'the batch folder is gone once its stack is in');
  // A page file given again later is known as taken in: only moved.
  await writeFile(path.join(folder, 'scan_2.jpg'), bytes.get('scan_2.jpg') as Buffer);
  const again = await settle();
  assert.deepEqual(again.map((event) => (event.kind === 'batched' ? event.status : event.kind)), ['already']);
  assert.equal((await spool.listStacks()).length, 1);
});

test('a restart of the numbering and a change of name pattern close the open batch; the clerk’s request closes it at the next look', async () => {
  const { folder, watcher, settle, spool } = await setUp();
  await writeFile(path.join(folder, 'scan_1.jpg'), await pageJpeg({ kind: 'cover', code: 'FY-2026-000201' }, 1));
  await writeFile(path.join(folder, 'scan_2.jpg'), await pageJpeg({ kind: 'content' }, 2));
  await settle();
  // The scanner starts again at 1: a new batch.
  await writeFile(path.join(folder, 'scan_1.jpg'), await pageJpeg({ kind: 'cover', code: 'FY-2026-000202' }, 3));
  const restarted = stacksOf(await settle());
  assert.deepEqual(restarted.map((stack) => stack.bills.map((bill) => bill.code)), [['FY-2026-000201']], 'numbering restarted: the first batch closed');
  assert.equal(watcher.batch()?.pages, 1);
  // Another name pattern (another scanner profile): the batch closes.
  await writeFile(path.join(folder, 'IMG_0001.jpg'), await pageJpeg({ kind: 'cover', code: 'FY-2026-000203' }, 4));
  const changed = stacksOf(await settle());
  assert.deepEqual(changed.map((stack) => stack.bills.map((bill) => bill.code)), [['FY-2026-000202']], 'pattern changed: the batch closed');
  // "Batch complete": a request file in the batch's folder, read at the next look.
  const [open] = await spool.batches.listBatches(folder);
  assert.ok(open);
  assert.equal(await spool.batches.requestClose(open.id), true);
  const requested = stacksOf(await watcher.lookOnce());
  assert.deepEqual(requested.map((stack) => stack.bills.map((bill) => bill.code)), [['FY-2026-000203']]);
  assert.equal(watcher.batch(), null);
  assert.equal((await spool.listStacks()).length, 3);
});

test('an open batch survives a restart (a new watch over the same spool resumes it)', async () => {
  const root = await makeTempDir();
  const clock = { now: 0 };
  const first = await setUp({ root, clock });
  await writeFile(path.join(first.folder, 'scan_0001.jpg'), await pageJpeg({ kind: 'cover', code: 'FY-2026-000301' }, 1));
  await writeFile(path.join(first.folder, 'scan_0002.jpg'), await pageJpeg({ kind: 'content' }, 2));
  await first.settle();
  assert.equal(first.watcher.batch()?.pages, 2);
  // "Restart": a new spool and watch over the same folders.
  const second = await setUp({ root, clock });
  await writeFile(path.join(second.folder, 'scan_0003.jpg'), await pageJpeg({ kind: 'content' }, 3));
  await second.settle();
  assert.equal(second.watcher.batch()?.pages, 3, 'resumed: the new page joined the batch opened before the restart');
  clock.now += 6000;
  const [stack] = stacksOf(await second.watcher.lookOnce());
  assert.deepEqual(stack?.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-000301', [1, 2, 3]]]);
  assert.equal(stack?.batch?.sources.length, 3);
});

test('a crash after a batch became a stack but before its folder went: the next start removes the folder, the pages stay in one stack', async () => {
  const { folder, settle, spool, root } = await setUp();
  await writeFile(path.join(folder, 'scan_1.jpg'), await pageJpeg({ kind: 'cover', code: 'FY-2026-000351' }, 1));
  await settle();
  const [open] = await spool.batches.listBatches(folder);
  assert.ok(open);
  const kept = path.join(root, 'kept-batch');
  await cp(path.join(root, 'spool', 'batches', open.id), kept, { recursive: true });
  const stack = await spool.batches.closeBatch(open.id);
  assert.ok(stack);
  // As if the kill came between the stack's rename and the batch folder's removal.
  await cp(kept, path.join(root, 'spool', 'batches', open.id), { recursive: true });
  const restarted = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules });
  await restarted.recover();
  assert.deepEqual(await readdir(path.join(root, 'spool', 'batches')), []);
  assert.deepEqual((await restarted.listStacks()).map((found) => found.id), [stack.id]);
});

test('a subfolder is one stack once it is stable: its files in natural order, moved to imported/<folder>/; the station’s own folders are ignored', async () => {
  const { folder, settle, clock, watcher } = await setUp();
  const sub = path.join(folder, 'batch-07');
  await mkdir(sub);
  await writeFile(path.join(sub, 'p10.jpg'), await pageJpeg({ kind: 'content' }, 3));
  await writeFile(path.join(sub, 'p2.jpg'), await pageJpeg({ kind: 'content' }, 2));
  await writeFile(path.join(sub, 'p1.jpg'), await pageJpeg({ kind: 'cover', code: 'FY-2026-000401' }, 1));
  const events = await settle();
  clock.now += 1000;
  const stacks = stacksOf([...events, ...(await watcher.lookOnce())]);
  assert.equal(stacks.length, 1);
  assert.equal(stacks[0]?.source.name, 'batch-07');
  assert.deepEqual(stacks[0]?.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-000401', [1, 2, 3]]]);
  assert.deepEqual(stacks[0]?.batch?.sources.map((source) => source.name), ['p1.jpg', 'p2.jpg', 'p10.jpg']);
  assert.deepEqual((await readdir(path.join(folder, 'imported', 'batch-07'))).sort(), ['p1.jpg', 'p10.jpg', 'p2.jpg']);
  assert.deepEqual((await readdir(folder)).sort(), ['imported'], 'the subfolder is gone from the watched folder, nothing else made');
  clock.now += 10_000;
  assert.deepEqual(stacksOf(await settle()), [], 'imported/ itself is never taken as a subfolder');
});

test('several images taken at once are one stack in the order given; a failing file takes nothing in', async () => {
  const { root, spool } = await setUp();
  const files: Array<{ file: string; name: string }> = [];
  const pages: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000501' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000502' }];
  for (const [n, page] of pages.entries()) {
    const file = path.join(root, `drop_${n + 1}.jpg`);
    await writeFile(file, await pageJpeg(page, n + 1));
    files.push({ file, name: path.basename(file) });
  }
  const progress: string[] = [];
  const outcome = await spool.ingestBatch(files, { onProgress: (step) => progress.push(`${step.name}:${step.page}/${step.pages}`) });
  assert.equal(outcome.status, 'ingested');
  assert.ok(outcome.status === 'ingested');
  assert.deepEqual(outcome.stack.bills.map((bill) => [bill.code, bill.pages]), [['FY-2026-000501', [1, 2]], ['FY-2026-000502', [3]]]);
  assert.deepEqual(progress, ['drop_1.jpg:0/1', 'drop_1.jpg:1/1', 'drop_2.jpg:0/1', 'drop_2.jpg:1/1', 'drop_3.jpg:0/1', 'drop_3.jpg:1/1']);
  for (const { file } of files) assert.ok((await readFile(file)).length > 0, 'the sources of one call are never moved');
  const bad = path.join(root, 'bad_1.jpg');
  await writeFile(bad, 'not an image at all, long enough to be read as one'.repeat(10));
  await assert.rejects(spool.ingestBatch([{ file: files[0]?.file as string, name: 'again_1.jpg' }, { file: bad, name: 'bad_1.jpg' }]));
  assert.equal((await spool.listStacks()).length, 1, 'nothing half taken in');
  assert.deepEqual(await readdir(path.join(root, 'spool', 'batches')), []);
});

test('the file being received is shown page by page while it is taken in, and nothing between files', async () => {
  const { folder, watcher, clock } = await setUp();
  const made = await writeStack([{ kind: 'cover', code: 'FY-2026-000601' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }], path.dirname(folder), 'pdf', 100);
  await writeFile(path.join(folder, 'scan-0005.pdf'), await readFile(made));
  await watcher.lookOnce();
  clock.now += 1000;
  const seen = new Set<string>();
  const timer = setInterval(() => {
    const now = watcher.receiving();
    if (now) seen.add(`${now.name} ${now.page}/${now.pages}`);
  }, 1);
  await watcher.lookOnce();
  clearInterval(timer);
  assert.ok([...seen].some((line) => /^scan-0005\.pdf [1-5]\/6$/.test(line)), `progress seen mid-file: ${[...seen].join(', ')}`);
  assert.equal(watcher.receiving(), null);
});

test('stopping the watch of a folder closes its open batch (its pages never wait for a watch that will not come)', async () => {
  const { folder, watcher, settle, spool } = await setUp();
  await writeFile(path.join(folder, 'scan_1.jpg'), await pageJpeg({ kind: 'cover', code: 'FY-2026-000651' }, 1));
  await settle();
  assert.equal(watcher.batch()?.pages, 1);
  const stack = await watcher.closeBatchNow();
  assert.deepEqual(stack?.bills.map((bill) => bill.code), ['FY-2026-000651']);
  assert.equal(watcher.batch(), null);
  assert.deepEqual(await spool.batches.listBatches(), []);
});

test('a page committed to the open batch just before a crash (its source not yet moved) is taken again as already in: the batch stays open, no restart', async () => {
  const root = await makeTempDir();
  const clock = { now: 0 };
  const first = await setUp({ root, clock });
  const pages: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000301' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }];
  const bytes = await Promise.all(pages.map((page, index) => pageJpeg(page, index + 1)));
  for (const index of [0, 1]) await writeFile(path.join(first.folder, `scan_${index + 1}.jpg`), bytes[index] as Buffer);
  await first.settle();
  const [open] = await first.spool.batches.listBatches(first.folder);
  assert.ok(open);
  // The crash's state: scan_3's page is in the batch (the commit came) but the file was never moved.
  await writeFile(path.join(first.folder, 'scan_3.jpg'), bytes[2] as Buffer);
  await first.spool.batches.addToBatch(open.id, path.join(first.folder, 'scan_3.jpg'), { name: 'scan_3.jpg', number: 3 });
  // The station starts again over the same spool and folder.
  const again = await setUp({ root, clock });
  const events = await again.settle();
  assert.deepEqual(events.map((event) => [event.kind, path.basename(event.file), event.kind === 'batched' ? event.status : '']), [['batched', 'scan_3.jpg', 'already']]);
  assert.deepEqual(await again.spool.listStacks(), [], 'the batch is still open: a file already in it is no restart of the numbering');
  await writeFile(path.join(again.folder, 'scan_4.jpg'), bytes[3] as Buffer);
  await again.settle();
  clock.now += 6000;
  const closed = stacksOf(await again.watcher.lookOnce());
  assert.deepEqual(closed.map((stack) => stack.pages.map((page) => page.sha256 === sha(bytes[page.page - 1] as Buffer))), [[true, true, true, true]], 'one stack, every page once, in order');
});

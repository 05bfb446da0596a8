import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { pagesLeftOut } from '../../../../electron/core/spool/stack-record.js';
import { formatBytes } from '../../../../electron/core/base/format.js';
import { encodeJpeg, encodeScannerPdf } from '../../../fixtures/encode.js';
import { overwriteScannerPdfPages, paddedJpeg, repeatedJpegPdf } from '../../../fixtures/hostile.js';
import { renderStackPage, writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const spoolAt = async () => {
  const dir = path.join(await makeTempDir(), 'spool');
  const spool = createSpool({ dir, log: createMemoryLogger(), now: () => new Date('2026-11-27T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  return { dir, spool };
};

test('a stack goes in once: pages stored as the imaging system gets them, the source moved only after, the same file recognised', async () => {
  const { dir, spool } = await spoolAt();
  const watch = await makeTempDir();
  const file = await writeStack([{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-000701' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-2026-000702' }, { kind: 'content' }], watch, 'tiff');
  const copy = path.join(await makeTempDir(), 'again.tif');
  await writeFile(copy, await readFile(file));
  const first = await spool.ingest(file, { moveSourceTo: path.join(watch, 'imported') });
  assert.equal(first.status, 'ingested');
  if (first.status !== 'ingested') return;
  // A gray TIFF page is stored losslessly as PNG; every page listed with its hash.
  assert.deepEqual(first.stack.pages.map((page) => [page.format, page.kind]), [['png', 'content'], ['png', 'cover'], ['png', 'content'], ['png', 'blank'], ['png', 'cover'], ['png', 'content']]);
  assert.deepEqual(await readdir(path.join(watch, 'imported')), ['stack.tif']);
  assert.deepEqual(first.stack.orphans, [1]);
  const again = await spool.ingest(copy);
  assert.deepEqual(again.status === 'already' && [again.stackId, again.importedAt], [first.stack.id, '2026-11-27T09:00:00.000Z']);
  assert.equal((await spool.listStacks()).length, 1);
  // Refused without reading: a FIFO.
  const fifo = path.join(watch, 'pipe.pdf');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(spool.ingest(fifo), (error) => error instanceof CoreError && error.params['reason'] === 'not-regular-file');
  // The audit log tells the story line by line.
  const audit = (await readFile(path.join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { event: string; reason?: string });
  assert.deepEqual(audit.map((line) => line.event), ['imported', 'split', 'split', 'held', 'already-imported']);
  assert.equal(audit[3]?.reason, 'orphans');
});

test('people act on held bills: orphans taken by a bill, a suspect cover given its code, a duplicate released, one discarded', async () => {
  const { dir, spool } = await spoolAt();
  const file = await writeStack([{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-000801' }, { kind: 'content' }, { kind: 'suspect', payload: 'bad code!' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000801' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  const outcome = await spool.ingest(file);
  assert.equal(outcome.status, 'ingested');
  const [good, suspect, duplicate] = await spool.listBills();
  // Both copies of the repeated code are held (issue 22 item 3).
  assert.deepEqual([good?.held, suspect?.held, duplicate?.held], ['duplicate-code', 'suspect-cover', 'duplicate-code']);
  await assert.rejects(spool.changeBill(suspect?.id ?? '', { action: 'release' }), (error) => error instanceof CoreError && error.params['reason'] === 'needs-code');
  await assert.rejects(spool.changeBill(suspect?.id ?? '', { action: 'set-code', code: '../../x' }), (error) => error instanceof CoreError && error.params['reason'] === 'invalid-code');
  assert.deepEqual((await spool.changeBill(good?.id ?? '', { action: 'take-orphans' })).pages, [2, 3, 1]);
  assert.deepEqual((await spool.listStacks())[0]?.orphans, []);
  const fixed = await spool.changeBill(suspect?.id ?? '', { action: 'set-code', code: 'FY-2026-000899' });
  assert.deepEqual([fixed.code, fixed.state, fixed.held], ['FY-2026-000899', 'ready', null]);
  assert.equal((await spool.changeBill(duplicate?.id ?? '', { action: 'discard' })).state, 'discarded');
  await assert.rejects(spool.changeBill(duplicate?.id ?? '', { action: 'release' }), (error) => error instanceof CoreError && error.code === 'bill-not-changeable');
  // The other copy discarded, the one left is released as any held bill.
  assert.equal((await spool.changeBill(good?.id ?? '', { action: 'release' })).state, 'ready');
  await assert.rejects(spool.changeBill('../../etc-1', { action: 'release' }), (error) => error instanceof CoreError && error.code === 'bill-not-found');
  assert.deepEqual((await spool.listBills()).map((bill) => bill.state), ['ready', 'ready', 'discarded']);
  const events = (await readFile(path.join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { event: string }).event);
  assert.deepEqual(events.slice(-4), ['edited', 'edited', 'discarded', 'released']);
});

test('a crash leftover in tmp/ is removed at start and its source is taken in again', async () => {
  const { dir, spool } = await spoolAt();
  await mkdir(path.join(dir, 'tmp', 'half-done', 'pages'), { recursive: true });
  await writeFile(path.join(dir, 'tmp', 'half-done', 'pages', '0001.jpg'), 'partial');
  assert.deepEqual(await spool.recover(), { removedTemp: 1, stacks: 0 });
  assert.deepEqual(await readdir(path.join(dir, 'tmp')), []);
});

test('an image code taken in from an earlier stack not yet sent: both copies held, not merged or sent twice by guess; a discarded earlier bill frees the code', async () => {
  const { spool } = await spoolAt();
  const first = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000801' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  const rescan = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000801' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000802' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(first.status === 'ingested' && rescan.status === 'ingested');
  assert.deepEqual(rescan.stack.bills.map((bill) => [bill.code, bill.held, bill.state]), [['FY-2026-000801', 'duplicate-code', 'held'], ['FY-2026-000802', null, 'ready']]);
  // Issue 22 item 3: the earlier copy (nothing sent yet) is held too, before either goes up.
  assert.deepEqual((await spool.findStack(first.stack.id))?.bills.map((bill) => [bill.held, bill.state]), [['duplicate-code', 'held']]);
  // 退扫重扫: the earlier bill is discarded first; a third scan of the code is then not held.
  await spool.changeBill(first.stack.bills[0]?.id as string, { action: 'discard' });
  await spool.changeBill(rescan.stack.bills[0]?.id as string, { action: 'discard' });
  const third = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000801' }, { kind: 'content' }, { kind: 'blank' }], await makeTempDir(), 'pdf'));
  assert.ok(third.status === 'ingested');
  assert.deepEqual(third.stack.bills.map((bill) => [bill.code, bill.held]), [['FY-2026-000801', null]]);
});

test('pages move between neighbouring bills, are left out and put back, each change one atomic write of the stack\'s edits', async () => {
  const { dir, spool } = await spoolAt();
  const outcome = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-000901' }, { kind: 'content' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-2026-000902' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(outcome.status === 'ingested');
  const [first, second] = outcome.stack.bills.map((bill) => bill.id) as [string, string];
  const pagesOf = async () => (await spool.listBills()).map((bill) => bill.pages);
  // The scanner fed page 3 with the wrong bill: it goes to the bill after, right after its cover.
  await spool.changeBill(first, { action: 'move-page', page: 3, to: 'next' });
  assert.deepEqual(await pagesOf(), [[1, 2], [5, 3, 6]]);
  // Page 4 was a blank back; it is really a faint form: put back, in stack order.
  const stack = (await spool.listStacks())[0] as NonNullable<Awaited<ReturnType<typeof spool.listStacks>>[number]>;
  assert.deepEqual(pagesLeftOut(stack, first), [4]);
  await spool.changeBill(first, { action: 'restore-page', page: 4 });
  await spool.changeBill(first, { action: 'exclude-page', page: 2 });
  assert.deepEqual(await pagesOf(), [[1, 4], [5, 3, 6]]);
  await spool.changeBill(second, { action: 'move-page', page: 3, to: 'previous' });
  assert.deepEqual(await pagesOf(), [[1, 4, 3], [5, 6]]);
  // Refused: moving a cover, a page the bill does not have, past the last bill, putting back a page another bill has.
  for (const [bill, change, reason] of [
    [first, { action: 'move-page', page: 1, to: 'next' }, 'not-movable'],
    [first, { action: 'exclude-page', page: 6 }, 'not-movable'],
    [second, { action: 'move-page', page: 6, to: 'next' }, 'no-neighbour'],
    [first, { action: 'restore-page', page: 6 }, 'not-left-out'],
  ] as const) {
    await assert.rejects(spool.changeBill(bill, change), (error) => error instanceof CoreError && error.params['reason'] === reason, reason);
  }
  // Concurrent changes are applied one after another, none lost.
  await Promise.all([spool.changeBill(first, { action: 'restore-page', page: 2 }), spool.changeBill(second, { action: 'release' }), spool.changeBill(first, { action: 'move-page', page: 3, to: 'next' })]);
  assert.deepEqual(await pagesOf(), [[1, 2, 4], [5, 3, 6]]);
  // One file holds every change; no per-bill files, no temp leftovers.
  assert.deepEqual((await readdir(path.join(dir, 'stacks', stack.id))).sort(), ['edits.json', 'pages', 'stack.json', 'thumbs']);
});

test('a cover the split missed starts a new bill from its page; a cover that is none joins the bill before, or waits as orphans', async () => {
  const { spool } = await spoolAt();
  const outcome = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-001201' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'suspect', payload: 'NOT A CODE!' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(outcome.status === 'ingested');
  const [first, suspect] = outcome.stack.bills.map((bill) => bill.id) as [string, string];
  // Page 3 was a cover printed too faintly: it starts bill FY-2026-001202 with the page after it.
  await assert.rejects(spool.changeBill(first, { action: 'mark-cover', page: 3, code: '../x' }), (error) => error instanceof CoreError && error.params['reason'] === 'invalid-code');
  await spool.changeBill(first, { action: 'mark-cover', page: 3, code: 'FY-2026-001202' });
  const bills = await spool.listBills();
  assert.deepEqual(bills.map((bill) => [bill.id.replace(/^.*-/, ''), bill.code, bill.cover, bill.pages, bill.state]), [['1', 'FY-2026-001201', 1, [1, 2], 'ready'], ['3', 'FY-2026-001202', 3, [3, 4], 'ready'], ['2', null, 5, [5, 6], 'held']]);
  // The suspect "cover" is a content page with a stray QR: its pages join FY-2026-001202.
  await spool.changeBill(suspect, { action: 'not-a-cover' });
  const after = await spool.listBills();
  assert.deepEqual(after.map((bill) => [bill.code, bill.pages, bill.state]), [['FY-2026-001201', [1, 2], 'ready'], ['FY-2026-001202', [3, 4, 5, 6], 'ready'], [null, [], 'discarded']]);
  // The first bill of a stack is no cover: its pages wait as orphans.
  await spool.changeBill(first, { action: 'not-a-cover' });
  assert.deepEqual((await spool.listStacks())[0]?.orphans, [1, 2]);
});

test('a stack with overwritten pages goes in held: damaged pages kept as placeholders in no bill, never offered to put back, nothing ready', async () => {
  const { spool } = await spoolAt();
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000921' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000922' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await writeFile(file, overwriteScannerPdfPages(await readFile(file), [2], 'entropy'));
  const outcome = await spool.ingest(file);
  assert.equal(outcome.status, 'ingested');
  if (outcome.status !== 'ingested') return;
  assert.deepEqual(outcome.stack.pages.map((page) => [page.format, page.kind]), [['jpeg', 'cover'], ['png', 'damaged'], ['jpeg', 'cover'], ['jpeg', 'content']]);
  assert.deepEqual(outcome.stack.bills.map((bill) => [bill.code, bill.pages, bill.state, bill.held, bill.damaged]), [
    ['FY-2026-000921', [1], 'held', 'damaged-pages', [2]],
    ['FY-2026-000922', [3, 4], 'held', 'damaged-pages', [2]],
  ]);
  assert.deepEqual(pagesLeftOut(outcome.stack, outcome.stack.bills[0]?.id ?? ''), []);
  await assert.rejects(spool.changeBill(outcome.stack.bills[0]?.id ?? '', { action: 'restore-page', page: 2 }), (error) => error instanceof CoreError && error.params['reason'] === 'not-left-out');
});

test('a JPEG page padded with megabytes of APP segments and trailing bytes is stored without them (a JPEG file and a scanner PDF page)', async () => {
  const { dir: spoolDir, spool } = await spoolAt();
  const dir = await makeTempDir();
  const image = renderStackPage({ kind: 'cover', code: 'FY-2026-000801' }, 100, 1);
  const jpeg = await encodeJpeg(image, 100);
  const padded = paddedJpeg(jpeg, 3 * 1024 * 1024, 1024 * 1024);
  const file = path.join(dir, 'padded.jpg');
  await writeFile(file, padded);
  const pdf = path.join(dir, 'padded.pdf');
  await writeFile(pdf, await encodeScannerPdf([{ kind: 'jpeg', bytes: padded, width: image.width, height: image.height, dpi: 100 }, { kind: 'jpeg', bytes: await encodeJpeg(renderStackPage({ kind: 'content' }, 100, 2), 100), width: image.width, height: image.height, dpi: 100 }]));
  for (const source of [file, pdf]) {
    const outcome = await spool.ingest(source);
    assert.equal(outcome.status, 'ingested');
    if (outcome.status !== 'ingested') return;
    const stored = await readFile(path.join(spoolDir, 'stacks', outcome.stack.id, outcome.stack.pages[0]?.file ?? ''));
    assert.ok(stored.length <= jpeg.length + 64, `${path.basename(source)}: stored ${stored.length} bytes for a ${jpeg.length}-byte page padded to ${padded.length}`);
    assert.deepEqual(outcome.stack.bills.map((bill) => bill.code), ['FY-2026-000801']);
  }
});

test('a small file whose pages store far more than it (one JPEG repeated on every page) is refused before the spool grows past max(4 × its size, the floor)', async () => {
  const dir = path.join(await makeTempDir(), 'spool');
  // The floor lowered for the test (512 MiB at the station): the budget is then 4 × the source.
  const spool = createSpool({ dir, log: createMemoryLogger(), now: () => new Date('2026-11-27T09:00:00Z'), rules: defaultCodeRules, stackBytesFloor: 0 });
  await spool.recover();
  const image = renderStackPage({ kind: 'content' }, 100, 3);
  const jpeg = await encodeJpeg(image, 100);
  const file = path.join(await makeTempDir(), 'repeated.pdf');
  await writeFile(file, await repeatedJpegPdf(jpeg, image.width, image.height, 100, 40));
  const size = (await readFile(file)).length;
  assert.ok(size < 2 * jpeg.length, 'the file holds the JPEG once');
  await assert.rejects(spool.ingest(file), (error: unknown) => error instanceof CoreError && error.code === 'stack-too-large' && error.params['limit'] === formatBytes(4 * size));
  assert.deepEqual(await readdir(path.join(dir, 'stacks')), []);
  assert.deepEqual(await readdir(path.join(dir, 'tmp')), []);
});

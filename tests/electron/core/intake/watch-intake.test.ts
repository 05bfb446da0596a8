import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createWatchIntake } from '../../../../electron/core/intake/watch-intake.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createDeskSettingsStore, defaultDeskSettings } from '../../../../electron/core/desk/desk-settings.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { unknownBill, type ImagingAdapter } from '../../../../electron/core/imaging/imaging-adapter.js';
import { createUploadQueue } from '../../../../electron/core/upload/upload-queue.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

async function setUp() {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-11-27T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, incompleteGraceMs: 60_000, now: () => clock });
  return { root, folder, spool, watcher, advance: (ms: number) => (clock += ms) };
}

test('a settled, complete stack is taken in and moved to imported/; one still being written waits, then is refused after a long quiet', async () => {
  const { folder, watcher, advance } = await setUp();
  const bytes = await readFile(await writeStack([{ kind: 'cover', code: 'FY-2026-000701' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  await writeFile(path.join(folder, 'done.pdf'), bytes);
  await writeFile(path.join(folder, 'half.pdf'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  assert.deepEqual(await watcher.lookOnce(), [], 'nothing is taken before it settles');
  advance(1500);
  const events = await watcher.lookOnce();
  assert.deepEqual(events.map((event) => [event.kind, path.basename(event.file)]), [['taken', 'done.pdf']]);
  assert.deepEqual(watcher.status(), { state: 'watching', folder, lastLookAt: new Date(1500).toISOString(), waiting: 1, backlog: 0, claimedElsewhere: [] });
  // The quiet gap: moved once it stayed unchanged for the settle time after it was read.
  advance(1500);
  await watcher.lookOnce();
  assert.deepEqual(await readdir(path.join(folder, 'imported')), ['done.pdf']);
  advance(61_000);
  const later = await watcher.lookOnce();
  assert.deepEqual(later.map((event) => [event.kind, path.basename(event.file), 'error' in event ? event.error.code : '']), [['refused', 'half.pdf', 'file-incomplete']]);
  assert.deepEqual(await readdir(path.join(folder, 'refused')), ['half.pdf']);
});

test('links, FIFOs and a linked watch folder are refused without being opened; a missing folder is reported', async () => {
  const { root, folder, watcher } = await setUp();
  await writeFile(path.join(root, 'secret.pdf'), 'not for the spool');
  await symlink(path.join(root, 'secret.pdf'), path.join(folder, 'link.pdf'));
  execFileSync('mkfifo', [path.join(folder, 'pipe.pdf')]);
  const events = await watcher.lookOnce();
  assert.deepEqual(events.map((event) => [event.kind, path.basename(event.file)]).sort(), [['refused', 'link.pdf'], ['refused', 'pipe.pdf']]);
  assert.deepEqual((await readdir(path.join(folder, 'refused'))).sort(), ['link.pdf', 'pipe.pdf']);
  assert.equal(await readFile(path.join(root, 'secret.pdf'), 'utf8'), 'not for the spool', 'the link target is untouched');

  const linked = path.join(root, 'linked-scans');
  await symlink(folder, linked);
  const spool = createSpool({ dir: path.join(root, 'spool2'), log: createMemoryLogger(), now: () => new Date(), rules: defaultCodeRules });
  const viaLink = createWatchIntake({ folder: linked, spool, log: createMemoryLogger(), settleMs: 0 });
  await viaLink.lookOnce();
  assert.deepEqual({ ...viaLink.status(), detail: '' }, { state: 'unavailable', folder: linked, reason: 'link', detail: '' });

  const gone = createWatchIntake({ folder: path.join(root, 'unplugged'), spool, log: createMemoryLogger(), settleMs: 0 });
  await gone.lookOnce();
  assert.deepEqual(gone.status(), { state: 'unavailable', folder: path.join(root, 'unplugged'), reason: 'missing', detail: 'ENOENT' });
});

test('imported/ retention: off by default; when set, sources we moved are deleted after the days once their bills are uploaded; a file put there by hand or changed is never touched', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  const store = createDeskSettingsStore(root);
  let day = new Date('2026-11-27T09:00:00Z');
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => day, rules: defaultCodeRules, settings: store.resolve });
  await spool.recover();
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, now: () => clock });
  const scans = await makeTempDir();
  for (const [n, name] of [[1, 'a.pdf'], [2, 'b.pdf']] as const) await writeFile(path.join(folder, name), await readFile(await writeStack([{ kind: 'cover', code: `FY-2026-00090${n}` }, { kind: 'content' }], scans, 'pdf')));
  await watcher.lookOnce();
  clock += 1500;
  assert.equal((await watcher.lookOnce()).filter((event) => event.kind === 'taken').length, 2);
  clock += 1500;
  await watcher.lookOnce();
  const imported = path.join(folder, 'imported');
  // Someone drops their own file into imported/, and edits b.pdf there.
  await writeFile(path.join(imported, 'mine.pdf'), 'not ours');
  await writeFile(path.join(imported, 'b.pdf'), 'changed by hand');

  // Default: kept for ever, however old.
  day = new Date('2027-11-27T09:00:00Z');
  assert.equal(await spool.sweepImported(imported), 0);
  assert.deepEqual((await readdir(imported)).sort(), ['a.pdf', 'b.pdf', 'mine.pdf']);

  await store.save({ ...defaultDeskSettings, importedDays: 14 });
  day = new Date('2026-12-11T08:59:00Z');
  assert.equal(await spool.sweepImported(imported), 0, 'a minute short of 14 days: kept');
  day = new Date('2026-12-11T09:00:01Z');
  assert.equal(await spool.sweepImported(imported), 0, 'past the days, but its bills are not uploaded yet: kept');
  // The bills go up (to an imaging side that keeps them in memory).
  const adapter: ImagingAdapter = {
    kind: 'http',
    uploadPage: async (upload) => ({ receiptId: `r${upload.page}`, imageCode: upload.imageCode, page: upload.page, sha256: upload.sha256, bytes: upload.bytes.length, receivedAt: day.toISOString() }),
    closeBill: async (imageCode, pageCount) => ({ ...unknownBill(imageCode), status: 'closed', pageCount }),
    queryBill: async (imageCode) => unknownBill(imageCode),
    openRound: async () => Promise.reject(new Error('not used')),
    returnBill: async () => Promise.reject(new Error('not used')),
    voidBill: async () => Promise.reject(new Error('not used')),
    listRescanReasons: async () => Promise.reject(new Error('not used')),
    setNeedImageScan: async () => Promise.reject(new Error('not used')),
  };
  const queue = createUploadQueue({ spool, stacksDir: path.join(root, 'spool', 'stacks'), stateFile: path.join(root, 'spool', 'queue.json'), endpoint: { openAdapter: async () => adapter, describe: async () => ({ mode: 'basic', stationId: 's' }), recheck: async () => true }, log: createMemoryLogger(), now: () => day });
  assert.equal((await queue.runOnce()).counts.done, 2);
  // The running watch applies it by itself (the first look swept already; an hour later it sweeps again).
  clock += 60 * 60_000;
  await watcher.lookOnce();
  assert.deepEqual((await readdir(imported)).sort(), ['b.pdf', 'mine.pdf'], 'only the untouched source we moved is deleted');
  assert.equal(await readFile(path.join(imported, 'b.pdf'), 'utf8'), 'changed by hand');
  assert.equal(await readFile(path.join(root, 'spool', 'imported-sources.jsonl'), 'utf8'), '', 'the ledger forgets what it dealt with');
  const audit = await readFile(path.join(root, 'spool', 'audit.log'), 'utf8');
  assert.match(audit, /"event":"source-deleted","source":"a\.pdf".*14-day retention has passed and every bill from it is uploaded/);
  assert.doesNotMatch(audit, /"source-deleted","source":"b\.pdf"/);
});

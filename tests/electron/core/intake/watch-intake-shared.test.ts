import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { claimsFolder } from '../../../../electron/core/intake/folder-claims.js';
import { createWatchIntake } from '../../../../electron/core/intake/watch-intake.js';
import type { WatchEvent } from '../../../../electron/core/intake/watch-report.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool, type Spool } from '../../../../electron/core/spool/spool.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function makeSpool(root: string, name: string): Promise<Spool> {
  const spool = createSpool({ dir: path.join(root, name), log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  return spool;
}

async function stackFile(code: string): Promise<Buffer> {
  return readFile(await writeStack([{ kind: 'cover', code }, { kind: 'content' }], await makeTempDir(), 'pdf', 100));
}

test('a throw that is no CoreError, from one file, never leaves the look: that file fails, the next is taken, and the same failure twice refuses it', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  const real = await makeSpool(root, 'spool');
  // A page reader that throws a plain TypeError on one damaged file (as a library bug would).
  const spool: Spool = { ...real, ingest: async (file, options) => ((options?.name ?? path.basename(file)) === 'a-damaged.pdf' ? Promise.reject(new TypeError("Cannot read properties of undefined (reading 'width')")) : real.ingest(file, options)) };
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, now: () => clock });
  await writeFile(path.join(folder, 'a-damaged.pdf'), await stackFile('FY-2026-002001'));
  await writeFile(path.join(folder, 'b-good.pdf'), await stackFile('FY-2026-002002'));
  await watcher.lookOnce();
  clock += 1500;
  const first = await watcher.lookOnce();
  assert.deepEqual(first.map((event) => [event.kind, path.basename(event.file), 'error' in event ? event.error.code : '']), [['failed', 'a-damaged.pdf', 'file-unreadable'], ['taken', 'b-good.pdf', '']]);
  assert.equal(watcher.status().state, 'watching');
  clock += 1500;
  await watcher.lookOnce();
  clock += 1500;
  const second = await watcher.lookOnce();
  assert.deepEqual(second.map((event) => [event.kind, path.basename(event.file)]), [['refused', 'a-damaged.pdf']]);
  assert.deepEqual(await readdir(path.join(folder, 'refused')), ['a-damaged.pdf']);
});

test('a look that fails the same way twice in a row is the failing status (with the reason), and the watch recovers by itself', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  const spool = await makeSpool(root, 'spool');
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, now: () => clock });
  // A plain file where the station keeps its claims: no file can be claimed.
  await writeFile(path.join(folder, '.scan-station'), 'in the way');
  await writeFile(path.join(folder, 'batch.pdf'), await stackFile('FY-2026-002011'));
  await watcher.lookOnce();
  assert.equal(watcher.status().state, 'watching', 'once is a hiccup');
  clock += 1500;
  await watcher.lookOnce();
  const status = watcher.status();
  assert.equal(status.state, 'failing');
  assert.equal(status.state === 'failing' ? status.error.code : '', 'watch-look-failed');
  await rm(path.join(folder, '.scan-station'));
  clock += 1500;
  const events = await watcher.lookOnce();
  assert.equal(watcher.status().state, 'watching');
  clock += 1500;
  events.push(...(await watcher.lookOnce()));
  assert.deepEqual(events.map((event) => [event.kind, path.basename(event.file)]), [['taken', 'batch.pdf']]);
});

test('two stations watching one shared folder take each file exactly once', { timeout: 240_000 }, async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'share');
  await mkdir(folder);
  const files = new Map<string, string>();
  for (let n = 0; n < 16; n += 1) {
    const bytes = await stackFile(`FY-2026-0030${String(n).padStart(2, '0')}`);
    const name = `stack-${String(n).padStart(2, '0')}.pdf`;
    await writeFile(path.join(folder, name), bytes);
    files.set(sha(bytes), name);
  }
  const spools = [await makeSpool(root, 'station-a'), await makeSpool(root, 'station-b')];
  let clock = 0;
  const watchers = spools.map((spool) => createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, now: () => clock }));
  const events: WatchEvent[] = [];
  const importedCount = () => readdir(path.join(folder, 'imported')).then((names) => names.length, () => 0);
  for (let look = 0; look < 12 && (await importedCount()) < files.size; look += 1) {
    // Both look at the same instant, at the same files, in the same order.
    for (const batch of await Promise.all(watchers.map((watcher) => watcher.lookOnce()))) events.push(...batch);
    clock += 1500;
  }
  assert.deepEqual(events.filter((event) => event.kind !== 'taken'), [], 'no failures, nothing refused');
  const taken = (await Promise.all(spools.map((spool) => spool.listStacks()))).flat().map((stack) => stack.source.sha256);
  assert.deepEqual([...taken].sort(), [...files.keys()].sort(), 'every file taken, by exactly one station');
  assert.equal((await readdir(path.join(folder, 'imported'))).length, files.size);
  assert.ok((await spools[0]?.listStacks())?.length && (await spools[1]?.listStacks())?.length, 'both stations took a share');
});

test('a claim left by a crash of this station is taken on restart; another station’s claim, however old, is left alone and shown', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'share');
  const spool = await makeSpool(root, 'spool');
  const own = path.join(folder, claimsFolder, 'station0own');
  const other = path.join(folder, claimsFolder, 'other0station');
  await mkdir(own, { recursive: true });
  await mkdir(other, { recursive: true });
  // As a kill -9 between the claim and the intake leaves it.
  const mine = await stackFile('FY-2026-004001');
  await writeFile(path.join(own, 'mine.pdf'), mine);
  await writeFile(path.join(other, 'theirs.pdf'), await stackFile('FY-2026-004002'));
  const old = new Date('2026-01-01T00:00:00Z');
  await utimes(path.join(other, 'theirs.pdf'), old, old);
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, now: () => clock, stationId: 'station0own' });
  await watcher.lookOnce();
  clock += 1500;
  const events = await watcher.lookOnce();
  assert.deepEqual(events.map((event) => [event.kind, path.basename(event.file)]), [['taken', 'mine.pdf']]);
  clock += 1500;
  await watcher.lookOnce();
  assert.deepEqual(await readdir(path.join(folder, 'imported')), ['mine.pdf']);
  assert.equal(sha(await readFile(path.join(folder, 'imported', 'mine.pdf'))), sha(mine));
  assert.deepEqual(await readdir(other), ['theirs.pdf'], 'the other station’s claim is untouched');
  const status = watcher.status();
  assert.deepEqual(status.state === 'watching' ? status.claimedElsewhere : null, ['theirs.pdf']);
});

test('2,000 tiny junk images do not starve a good PDF that sorts and settles after them: it is taken within a few looks, the junk refused without a split', { timeout: 240_000 }, async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  const spool = await makeSpool(root, 'spool');
  const junk = await encodeJpeg({ width: 16, height: 16, data: new Uint8Array(256).fill(200) }, 72);
  for (let n = 0; n < 2000; n += 1) await writeFile(path.join(folder, `${String(n).padStart(5, '0')}.jpg`), junk);
  await writeFile(path.join(folder, 'zz-good.pdf'), await stackFile('FY-2026-005001'));
  const later = new Date(Date.now() + 60_000);
  await utimes(path.join(folder, 'zz-good.pdf'), later, later);
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log: createMemoryLogger(), settleMs: 1000, now: () => clock, lookBudgetMs: 1000 });
  await watcher.lookOnce();
  let looks = 0;
  let sawBacklog = false;
  const started = Date.now();
  while ((await spool.listStacks()).length === 0) {
    clock += 1500;
    await watcher.lookOnce();
    looks += 1;
    const status = watcher.status();
    if (status.state === 'watching' && status.backlog > 0) sawBacklog = true;
    assert.ok(looks <= 20 && Date.now() - started < 90_000, `the good PDF is still not taken after ${looks} looks`);
  }
  assert.equal((await spool.listStacks()).length, 1, 'no junk image became a stack');
  assert.ok(sawBacklog, 'the backlog shows while the looks work through it');
  assert.equal((await readdir(path.join(folder, 'refused'))).length, 2000);
});

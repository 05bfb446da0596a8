import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createWatchIntake } from '../../../../electron/core/intake/watch-intake.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { defaultDeskSettings } from '../../../../electron/core/desk/desk-settings.js';
import type { SplitSettings } from '../../../../electron/core/spool/split-settings.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { defaultSplitOptions } from '../../../../electron/core/split/split-stack.js';
import { defaultBlankInkShare } from '../../../../electron/core/split/classify-page.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const settings: SplitSettings = { rules: defaultCodeRules, blankInkShare: defaultBlankInkShare, split: defaultSplitOptions, recycleDays: defaultDeskSettings.recycleDays, importedDays: 0, doneDays: 30 };

async function stackBytes(pages: StackPage[]): Promise<Buffer> {
  return readFile(await writeStack(pages, await makeTempDir(), 'pdf', 100));
}

/** Every file under `dir` named `name` (the source itself, or this station's claim of it). */
async function findFiles(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile() && entry.name === name) found.push(path.join(entry.parentPath, entry.name));
  return found.filter((file) => !file.includes(`${path.sep}imported`) && !file.includes(`${path.sep}refused`));
}

/**
 * A real spool whose split settings are read between reading the source and moving it: the hook
 * runs there once, which is how the tests put a scanner's move at exactly that instant.
 */
async function setUp(hook: (folder: string) => Promise<unknown> = async () => undefined) {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  let armed = false;
  const log = createMemoryLogger();
  const spool = createSpool({
    dir: path.join(root, 'spool'),
    log,
    now: () => new Date('2026-12-06T09:00:00Z'),
    rules: defaultCodeRules,
    settings: async () => {
      if (armed) {
        armed = false;
        // The hook says whether it wants the next intake too.
        armed = (await hook(folder)) === true;
      }
      return settings;
    },
  });
  await spool.recover();
  let clock = 0;
  const watcher = createWatchIntake({ folder, spool, log, settleMs: 1000, now: () => clock });
  return { root, folder, spool, watcher, log, arm: () => (armed = true), advance: (ms: number) => (clock += ms) };
}

test('spool: a source replaced (atomic rename) between being read and being moved stays where it is; the stack and the hash are those of the bytes read', async () => {
  const oldBytes = await stackBytes([{ kind: 'cover', code: 'FY-2026-001001' }, { kind: 'content' }]);
  const newBytes = await stackBytes([{ kind: 'cover', code: 'FY-2026-001002' }, { kind: 'content' }, { kind: 'content' }]);
  const { root, folder, spool, arm } = await setUp(async (dir) => {
    // What scanner software does when it rewrites a batch: a temp file renamed over the name.
    await writeFile(path.join(dir, '~batch.tmp'), newBytes);
    await rename(path.join(dir, '~batch.tmp'), path.join(dir, 'batch.pdf'));
  });
  await writeFile(path.join(folder, 'batch.pdf'), oldBytes);
  arm();
  const outcome = await spool.ingest(path.join(folder, 'batch.pdf'), { moveSourceTo: path.join(folder, 'imported') });
  assert.equal(outcome.status, 'ingested');
  assert.equal(outcome.source, 'changed');
  const [stack] = await spool.listStacks();
  assert.equal(stack?.source.sha256, sha(oldBytes), 'the hash recorded is that of the bytes read');
  assert.deepEqual(stack?.bills.map((bill) => bill.code), ['FY-2026-001001'], 'the pages stored are those of the bytes read');
  assert.equal(sha(await readFile(path.join(folder, 'batch.pdf'))), sha(newBytes), 'the new file is left in the folder');
  assert.deepEqual(await readdir(folder), ['batch.pdf'], 'nothing moved to imported/');
  await assert.rejects(readFile(path.join(root, 'spool', 'imported-sources.jsonl')), 'no ledger line: nothing of it can be deleted by the retention');
  // Taken in on its own next.
  const again = await spool.ingest(path.join(folder, 'batch.pdf'), { moveSourceTo: path.join(folder, 'imported') });
  assert.equal(again.status, 'ingested');
  assert.equal(again.source, 'moved');
  assert.deepEqual((await spool.listStacks()).flatMap((candidate) => candidate.bills.map((bill) => bill.code)).sort(), ['FY-2026-001001', 'FY-2026-001002']);
});

test('spool: a source appended to in place after it was read is not moved', async () => {
  const bytes = await stackBytes([{ kind: 'cover', code: 'FY-2026-001003' }, { kind: 'content' }]);
  const { folder, spool, arm } = await setUp(async (dir) => appendFile(path.join(dir, 'growing.pdf'), '\n% one more page on its way\n'));
  await writeFile(path.join(folder, 'growing.pdf'), bytes);
  arm();
  const outcome = await spool.ingest(path.join(folder, 'growing.pdf'), { moveSourceTo: path.join(folder, 'imported') });
  assert.equal(outcome.source, 'changed');
  assert.deepEqual(await readdir(folder), ['growing.pdf']);
});

test('watch: a batch rewritten by the scanner while it is taken in is taken in again on its own, never moved to imported/ untaken', async () => {
  const oldBytes = await stackBytes([{ kind: 'cover', code: 'FY-2026-001011' }, { kind: 'content' }]);
  const newBytes = await stackBytes([{ kind: 'cover', code: 'FY-2026-001012' }, { kind: 'content' }, { kind: 'content' }]);
  const { folder, spool, watcher, arm, advance } = await setUp(async (dir) => {
    await writeFile(path.join(dir, '~batch.tmp'), newBytes);
    await rename(path.join(dir, '~batch.tmp'), path.join(dir, 'batch.pdf'));
  });
  await writeFile(path.join(folder, 'batch.pdf'), oldBytes);
  await watcher.lookOnce();
  advance(1500);
  arm();
  await watcher.lookOnce();
  for (let look = 0; look < 4; look += 1) {
    advance(1500);
    await watcher.lookOnce();
  }
  const stacks = await spool.listStacks();
  assert.deepEqual(stacks.map((stack) => stack.source.sha256).sort(), [sha(oldBytes), sha(newBytes)].sort(), 'both contents taken in');
  const imported = await readdir(path.join(folder, 'imported'));
  assert.deepEqual((await Promise.all(imported.map(async (name) => sha(await readFile(path.join(folder, 'imported', name)))))).sort(), [sha(oldBytes), sha(newBytes)].sort(), 'each moved only after it was taken in');
});

test('watch: files renamed or removed during intake, and plain files called imported and refused, never crash the watch; it says so and goes on', async () => {
  const gone = await stackBytes([{ kind: 'cover', code: 'FY-2026-001021' }, { kind: 'content' }]);
  const moved = await stackBytes([{ kind: 'cover', code: 'FY-2026-001022' }, { kind: 'content' }]);
  const good = await stackBytes([{ kind: 'cover', code: 'FY-2026-001023' }, { kind: 'content' }]);
  const hooks: Array<(folder: string) => Promise<void>> = [
    // The clerk deletes the file while it is read…
    async (folder) => {
      for (const file of await findFiles(folder, 'a-gone.pdf')) await rm(file);
    },
    // …or renames it.
    async (folder) => {
      for (const file of await findFiles(folder, 'b-moved.pdf')) await rename(file, path.join(folder, 'b-renamed.pdf'));
    },
  ];
  const { folder, spool, watcher, log, arm, advance } = await setUp(async (dir) => {
    await (hooks.shift() as (folder: string) => Promise<void>)(dir);
    return hooks.length > 0;
  });
  await writeFile(path.join(folder, 'imported'), 'a clerk’s own file that happens to be called imported');
  await writeFile(path.join(folder, 'refused'), 'and another called refused');
  await writeFile(path.join(folder, 'a-gone.pdf'), gone);
  await writeFile(path.join(folder, 'b-moved.pdf'), moved);
  await writeFile(path.join(folder, 'c-good.pdf'), good);
  await writeFile(path.join(folder, 'd-junk.pdf'), '%PDF-1.7 not a scan\n%%EOF\n');
  const events = [...(await watcher.lookOnce())];
  advance(1500);
  arm();
  events.push(...(await watcher.lookOnce()));
  assert.equal(hooks.length, 0, 'both moves happened during an intake');
  for (let look = 0; look < 4; look += 1) {
    advance(1500);
    events.push(...(await watcher.lookOnce()));
  }
  assert.equal(watcher.status().state, 'watching');
  const notices = events.filter((event) => event.kind === 'notice').map((event) => (event.kind === 'notice' ? [event.error.code, event.error.params['name'], event.error.params['using']] : []));
  assert.deepEqual(notices, [['folder-name-taken', 'imported', 'imported-2'], ['folder-name-taken', 'refused', 'refused-2']], 'said once each, on the desk and in the log');
  assert.equal(await readFile(path.join(folder, 'imported'), 'utf8'), 'a clerk’s own file that happens to be called imported', 'the clerk’s file is untouched');
  assert.deepEqual((await readdir(path.join(folder, 'imported-2'))).sort(), ['b-renamed.pdf', 'c-good.pdf']);
  assert.deepEqual(await readdir(path.join(folder, 'refused-2')), ['d-junk.pdf']);
  const codes = (await spool.listStacks()).flatMap((stack) => stack.bills.map((bill) => bill.code)).sort();
  assert.deepEqual(codes, ['FY-2026-001021', 'FY-2026-001022', 'FY-2026-001023'], 'what was read before the file went is in, once each');
  assert.ok(log.records.some((entry) => entry.event === 'spool.source-gone'), 'the vanished source is a line in the log');
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { openDocument } from '../../../../electron/core/document/read-document.js';
import type { StackRecord } from '../../../../electron/core/spool/stack-record.js';
import { seededRandom } from '../../../fixtures/cover-raster.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// Durability, proven by killing a real process: the built CLI watches a folder while stacks are
// copied in, and is killed with SIGKILL by pid at random moments and restarted. At the end every
// source page must be in exactly one spool stack, byte for byte, none twice, none lost.
const kills = Number(process.env['SCAN_STATION_SOAK_KILLS'] ?? 25);
const cliEntry = path.resolve('dist', 'cli', 'scan-station.cjs');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The bytes the spool must hold for each page of a source: its embedded JPEGs, untouched. */
async function expectedPages(file: string): Promise<string[]> {
  const document = await openDocument(file);
  try {
    const out: string[] = [];
    for (let index = 0; index < document.pageCount; index += 1) out.push(sha((await document.readPage(index)).encoded?.bytes ?? new Uint8Array()));
    return out;
  } finally {
    document.close();
  }
}

test(`intake --watch survives ${kills} SIGKILLs at random moments: every page in exactly one stack, byte for byte`, { timeout: Math.max(240_000, kills * 4000) }, async (t) => {
  const random = seededRandom(20261127);
  const sources = await makeTempDir();
  const watch = await makeTempDir();
  const dataDir = await makeTempDir();
  // Twelve small stacks: covers, content, blank backs and an orphan now and then.
  const originals: Array<{ name: string; file: string; sha256: string; pages: string[] }> = [];
  for (let n = 0; n < 12; n += 1) {
    const pages: StackPage[] = [...(n % 4 === 0 ? [{ kind: 'content' } as const] : []), { kind: 'cover', code: `FY-CRASH-${String(n).padStart(3, '0')}` }, { kind: 'content' }, ...(n % 3 === 0 ? [{ kind: 'blank' } as const] : []), { kind: 'content' }];
    const dir = path.join(sources, `s${n}`);
    await mkdir(dir);
    const made = await writeStack(pages, dir, 'pdf', 100);
    const name = `扫描 batch ${n} 📄.pdf`;
    const file = path.join(sources, name);
    await rename(made, file);
    originals.push({ name, file, sha256: sha(await readFile(file)), pages: await expectedPages(file) });
  }

  let child: ChildProcess | null = null;
  const start = (announce = false) => {
    // --json prints nothing at start; the last run says when it watches (its SIGTERM must find it ready).
    child = spawn(process.execPath, [cliEntry, 'intake', '--watch', watch, '--settle-ms', '150', ...(announce ? [] : ['--json']), '--data-dir', dataDir], { stdio: ['ignore', announce ? 'pipe' : 'ignore', 'ignore'] });
    return child;
  };
  // A failed assertion must not leave a watch running: the test run would wait on it for ever.
  t.after(() => {
    const running = child as ChildProcess | null;
    if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
  });
  // The scanner keeps writing while the station is killed and restarted.
  let copied = 0;
  const copyNext = async () => {
    const next = originals[copied];
    if (!next) return;
    copied += 1;
    if (copied % 2 === 0) {
      // Some arrive as a temp name renamed into place, as scanner software does…
      await copyFile(next.file, path.join(watch, `~${next.name}.part`));
      await rename(path.join(watch, `~${next.name}.part`), path.join(watch, next.name));
    } else await copyFile(next.file, path.join(watch, next.name)); // …some are written in place.
  };
  for (let round = 0; round < kills; round += 1) {
    if (round % Math.max(1, Math.floor(kills / originals.length)) === 0) await copyNext();
    const running = start();
    await new Promise((resolve) => setTimeout(resolve, 60 + Math.floor(random() * 900)));
    running.kill('SIGKILL');
    await once(running, 'exit');
  }
  while (copied < originals.length) await copyNext();

  // A last, undisturbed run takes in whatever is left, then stops on one SIGTERM.
  const last = start(true);
  // The folder may already be empty (the killed runs took everything): wait until this run watches.
  await once(last.stdout as NodeJS.ReadableStream, 'data');
  const deadline = Date.now() + 120_000;
  for (;;) {
    // Files still in the folder, or claimed and not yet closed and moved (the quiet gap after intake).
    const left = (await readdir(watch, { withFileTypes: true, recursive: true })).filter((entry) => entry.isFile() && !/^(imported|refused)$/.test(path.basename(entry.parentPath)));
    if (left.length === 0) break;
    assert.ok(Date.now() < deadline, `still waiting for ${left.map((entry) => entry.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  last.kill('SIGTERM');
  const [code] = (await once(last, 'exit')) as [number | null];
  assert.equal(code, 0);

  const stacksDir = path.join(dataDir, 'spool', 'stacks');
  const stacks = await Promise.all((await readdir(stacksDir)).map(async (id) => JSON.parse(await readFile(path.join(stacksDir, id, 'stack.json'), 'utf8')) as StackRecord));
  assert.equal(stacks.length, originals.length, 'one stack per source, none twice');
  for (const original of originals) {
    const matching = stacks.filter((stack) => stack.source.sha256 === original.sha256);
    assert.equal(matching.length, 1, original.name);
    const stack = matching[0] as StackRecord;
    const stored = await Promise.all(stack.pages.map(async (page) => sha(await readFile(path.join(stacksDir, stack.id, page.file)))));
    assert.deepEqual(stored, original.pages, `${original.name}: every page, byte for byte`);
    assert.deepEqual(stack.pages.map((page) => page.sha256), original.pages);
    // The source moved to imported/ only after its stack was in, and it is intact there.
    const imported = (await readdir(path.join(watch, 'imported'))).filter((name) => name.startsWith(original.name.replace(/\.pdf$/, '')));
    assert.equal(imported.length, 1, `${original.name} in imported/: ${imported.join(', ')}`);
    assert.equal(sha(await readFile(path.join(watch, 'imported', imported[0] as string))), original.sha256);
  }
  assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'tmp')), [], 'no half-written stack left behind');
});

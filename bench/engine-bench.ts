// The engine as a user runs it (issue 26): one bundled-CLI process per command, start-up included,
// peak RSS of the whole process. `split --json` of a heavy 300-dpi colour scanner PDF, `check --fast`
// and whole-page `check` over single-page colour cover scans, and start-up alone. Beside each figure
// the same command of a baseline build of an earlier commit, run alternately with the current one in
// this same run so the machine's drift hits both.
//   BENCH_ENGINE_BASE=<ref> (default 8285d31; `none` skips the baseline), BENCH_ENGINE_PAGES (300),
//   BENCH_ENGINE_FILES (200), BENCH_ENGINE_ROUNDS (1: runs of each command per build; medians shown).
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { colourCoverCode } from '../tests/fixtures/colour-stack.js';
import { writeHeavyCoverScans, writeHeavyScannerPdf } from '../tests/fixtures/heavy-pages.js';

const workDir = path.resolve('test-results', 'bench');
const cli = path.join('dist', 'cli', 'scan-station.cjs');
const peakPreload = path.resolve('bench', 'print-peak-rss.cjs');
const defaultBase = '8285d31';

interface Build {
  /** Column heading. */
  label: string;
  /** The checkout whose dist/cli bundle runs. */
  root: string;
}

interface CliRun {
  seconds: number;
  peakMb: number;
  stdout: string;
}

interface Figure {
  name: string;
  before: number | null;
  now: number;
  digits: number;
  /** `now` meets it, or null when the row has no target. */
  target: { text: string; met: (now: number) => boolean } | null;
}

function envCount(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs the bundled CLI of `build` as a user would (a new process), timed, with its peak RSS. */
function runCli(build: Build, args: string[]): CliRun {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['-r', peakPreload, path.join(build.root, cli), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  // 0: all well, 1: findings (a held bill, a warning); anything else is a failure of the run itself.
  if (run.status !== 0 && run.status !== 1) throw new Error(`${build.label}: scan-station ${args.join(' ')} failed (${run.status ?? run.signal}): ${run.stderr.slice(0, 2000)}`);
  return { seconds, peakMb: Number(/peak-rss-mb (\d+)/.exec(run.stderr)?.[1] ?? 0), stdout: run.stdout };
}

/** Runs `args` on every build, alternating builds round by round (before, now, before, now…). */
function alternate(builds: Build[], rounds: number, args: string[]): CliRun[][] {
  const runs = builds.map(() => [] as CliRun[]);
  for (let round = 0; round < rounds; round += 1) builds.forEach((build, index) => runs[index]?.push(runCli(build, args)));
  return runs;
}

/** Reads a file once so the first build timed does not pay the disk while the second gets the page cache. */
function warmPageCache(files: string[]): void {
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      while (readSync(fd, chunk, 0, chunk.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The baseline build: `git archive <ref>` unpacked into test-results/bench/engine-base-<sha>, the
 * repository's node_modules linked in, `scripts/build.mjs --node-only` run there once. An archive,
 * not a `git worktree`: nothing is registered in .git, so removing test-results, `git worktree prune`
 * or a fresh clone never meet a stale entry.
 */
function prepareBaseline(): Build | string {
  const ref = process.env['BENCH_ENGINE_BASE'] ?? defaultBase;
  if (ref === 'none') return 'none (BENCH_ENGINE_BASE=none): figures of the current build only';
  const resolved = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { encoding: 'utf8' });
  const sha = resolved.stdout.trim();
  if (resolved.status !== 0 || !sha) return `skipped: ${ref} is not a commit of this repository (BENCH_ENGINE_BASE)`;
  const short = sha.slice(0, 7);
  const root = path.join(workDir, `engine-base-${short}`);
  const build: Build = { label: `before (${short})`, root };
  if (existsSync(path.join(root, cli))) return build;
  if (!existsSync(path.join(root, 'package.json'))) {
    // Unpacked beside its place and renamed, so an interrupted run leaves no half tree that looks whole.
    const partial = `${root}.part`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', sha], { maxBuffer: 1024 * 1024 * 1024 });
    if (archive.status !== 0) return `skipped: git archive ${short} failed: ${archive.stderr.toString().slice(0, 500)}`;
    const untar = spawnSync('tar', ['-x', '-C', partial], { input: archive.stdout });
    if (untar.status !== 0) return `skipped: unpacking ${short} failed: ${untar.stderr.toString().slice(0, 500)}`;
    rmSync(root, { recursive: true, force: true });
    renameSync(partial, root);
  }
  if (!existsSync(path.join(root, 'node_modules'))) symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'), 'dir');
  console.log(`  building the baseline ${short} (once, in ${path.relative(process.cwd(), root)})`);
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--node-only'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0 || !existsSync(path.join(root, cli))) return `skipped: building ${short} failed: ${(built.stderr || built.stdout).slice(0, 1000)}`;
  return build;
}

/** A folder of exactly `files` (hard links, or copies across file systems), for `check DIR`. */
function folderOf(files: string[]): string {
  const dir = path.join(workDir, `engine-covers-${files.length}`);
  const wanted = files.map((file) => path.basename(file)).sort();
  const present = existsSync(dir) ? readdirSync(dir).sort() : [];
  if (present.length === wanted.length && present.every((name, index) => name === wanted[index])) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const target = path.join(dir, path.basename(file));
    try {
      linkSync(file, target);
    } catch {
      copyFileSync(file, target);
    }
  }
  return dir;
}

function printTable(title: string, labels: string[], figures: Figure[], notes: string[]): void {
  console.log(`\n${title}`);
  const [beforeLabel = 'before', nowLabel = 'now'] = labels.length === 2 ? labels : ['before', labels[0] ?? 'now'];
  console.log(`  ${''.padEnd(34)} ${beforeLabel.padStart(18)} ${nowLabel.padStart(10)} ${'now/before'.padStart(11)}   target`);
  for (const row of figures) {
    const before = row.before === null ? '—' : row.before.toFixed(row.digits);
    const ratio = row.before === null || row.before === 0 ? '—' : `${(row.now / row.before).toFixed(2)}x`;
    const target = row.target ? `${row.target.text.padEnd(20)} ${row.target.met(row.now) ? 'met' : 'NOT MET'}` : '';
    console.log(`  ${row.name.padEnd(34)} ${before.padStart(18)} ${row.now.toFixed(row.digits).padStart(10)} ${ratio.padStart(11)}   ${target}`.trimEnd());
  }
  for (const note of notes) console.log(`    ${note}`);
}

interface SplitJson {
  stacks: Array<{ pages: number; bills: Array<{ code: string | null; pages: number[]; held: string | null }>; orphans: number[]; error: unknown }>;
}

/** What a split printed, checked against the covers the fixture holds (in order). */
function judgeSplit(run: CliRun, covers: number): { pages: number; bills: number; held: number; right: boolean; shape: string } {
  const stack = (JSON.parse(run.stdout) as SplitJson).stacks[0];
  const bills = stack?.bills ?? [];
  const inOrder = bills.length === covers && bills.every((bill, index) => bill.code === colourCoverCode(index));
  return {
    pages: stack?.pages ?? 0,
    bills: bills.length,
    held: bills.filter((bill) => bill.held).length,
    right: inOrder && !stack?.error && (stack?.orphans.length ?? 0) === 0,
    shape: JSON.stringify(bills.map((bill) => [bill.code, bill.pages, bill.held])),
  };
}

interface CheckJson {
  files: Array<{ path: string; error: unknown; pages: Array<{ verdict: string; codes: Array<{ value: string }> }> }>;
}

/** What a check printed: every file's page must carry its own cover code. */
function judgeCheck(run: CliRun, files: number): { read: number; ok: number; other: number; errors: number; right: boolean; verdicts: string } {
  const report = JSON.parse(run.stdout) as CheckJson;
  let read = 0;
  let ok = 0;
  for (const file of report.files) {
    const n = Number(/scan-(\d+)\.jpg$/.exec(file.path)?.[1] ?? -1);
    const page = file.pages[0];
    if (page?.codes.some((code) => code.value === colourCoverCode(8000 + n))) read += 1;
    if (page?.verdict === 'ok') ok += 1;
  }
  const pages = report.files.reduce((sum, file) => sum + file.pages.length, 0);
  const errors = report.files.filter((file) => file.error).length;
  return {
    read,
    ok,
    other: pages - ok,
    errors,
    right: report.files.length === files && read === files && errors === 0,
    verdicts: JSON.stringify(report.files.map((file) => [path.basename(file.path), file.pages.map((page) => page.verdict)])),
  };
}

const targetOf = (text: string, met: (now: number) => boolean) => ({ text, met });
const rssTarget = targetOf('< 500 MB', (now) => now < 500);

/** Prints the engine section of `npm run bench` (issue 26). */
export async function runEngineBench(): Promise<void> {
  const pageCount = envCount('BENCH_ENGINE_PAGES', 300);
  const fileCount = envCount('BENCH_ENGINE_FILES', 200);
  const rounds = envCount('BENCH_ENGINE_ROUNDS', 1);
  console.log(`\nEngine (issue 26): the bundled CLI as a user runs it, one process per command, start-up included, peak RSS of the process; ${rounds} run(s) of each command per build, before and now alternated`);
  if (!existsSync(cli)) {
    console.log('  skipped: run npm run build first');
    return;
  }
  mkdirSync(workDir, { recursive: true });
  const current: Build = { label: 'now', root: process.cwd() };
  const baseline = prepareBaseline();
  if (typeof baseline === 'string') console.log(`  baseline: ${baseline}`);
  const builds = typeof baseline === 'string' ? [current] : [baseline, current];
  const labels = builds.map((build) => build.label);
  const hasBase = builds.length === 2;
  const pick = <T>(values: T[]): { before: T | null; now: T } => ({ before: hasBase ? (values[0] as T) : null, now: values[values.length - 1] as T });

  console.log(`  fixtures in ${path.relative(process.cwd(), workDir)} (generated on the first run, a few minutes at full size; cached)`);
  const pdf = await writeHeavyScannerPdf(workDir, pageCount);
  const scans = (await writeHeavyCoverScans(workDir, fileCount)).slice(0, fileCount);
  const coverDir = folderOf(scans);
  warmPageCache([pdf.file, ...scans]);
  for (const build of builds) runCli(build, ['--version']); // the bundles and node_modules read once

  // Start-up alone first: it also gives the split's rate without start-up.
  const startupRuns = 5;
  const onePage = scans[0] as string;
  const splitOne = alternate(builds, startupRuns, ['split', onePage, '--json']).map((runs) => median(runs.map((run) => run.seconds * 1000)));
  const version = alternate(builds, startupRuns, ['--version']).map((runs) => median(runs.map((run) => run.seconds * 1000)));

  // 1. The split of a heavy scanner PDF.
  const splitRuns = alternate(builds, rounds, ['split', pdf.file, '--json']);
  const splits = splitRuns.map((runs) => runs.map((run) => judgeSplit(run, pdf.covers)));
  const splitSeconds = splitRuns.map((runs) => median(runs.map((run) => run.seconds)));
  const splitPeak = splitRuns.map((runs) => Math.max(...runs.map((run) => run.peakMb)));
  const splitRate = splitSeconds.map((seconds) => pageCount / seconds);
  // Without start-up: the split's time less the one-page split's, over the other pages; only told
  // when that difference stands well clear of the start-up's own spread.
  const steadySeconds = splitSeconds.map((seconds, index) => seconds - (splitOne[index] as number) / 1000);
  const steadyKnown = steadySeconds.every((seconds, index) => seconds > 0.5 * (splitSeconds[index] as number));
  const steadyRate = steadySeconds.map((seconds) => (pageCount - 1) / seconds);
  const sizeMb = statSync(pdf.file).size / 1024 / 1024;
  const splitNotes = builds.map((build, index) => {
    const all = splits[index] as ReturnType<typeof judgeSplit>[];
    const first = all[0] as ReturnType<typeof judgeSplit>;
    const right = all.every((one) => one.right && one.pages === pageCount);
    return `${build.label}: ${first.bills} bills of ${pdf.covers} covers, ${first.held} held${right ? ', every cover a bill, in order' : ' [WRONG SPLIT]'}`;
  });
  if (hasBase) splitNotes.push(splits[0]?.[0]?.shape === splits[1]?.[0]?.shape ? 'bills, pages and holds the same as before' : 'bills, pages or holds DIFFER from before');
  const split = pick(splitSeconds);
  printTable(
    `  1. split --json of a ${pageCount}-page heavy colour scanner PDF (${sizeMb.toFixed(0)} MB, 300 dpi, ${(pdf.bytesPerPage / 1024).toFixed(0)} KB a page, ${pdf.covers} covers)`,
    labels,
    [
      { name: 'seconds', ...split, digits: 1, target: null },
      { name: 'pages/s incl. start-up', ...pick(splitRate), digits: 1, target: targetOf('≥ 60', (now) => now >= 60) },
      ...(steadyKnown ? [{ name: 'pages/s without start-up (≈)', ...pick(steadyRate), digits: 1, target: targetOf('≥ 100 (next mark)', (now) => now >= 100) }] : []),
      { name: 'peak RSS MB', ...pick(splitPeak), digits: 0, target: rssTarget },
    ],
    [
      ...splitNotes,
      steadyKnown
        ? '(without start-up: the split time less the median one-page split (4. below), over the other pages)'
        : '(without start-up: not told, the file is too short beside the start-up and its spread; next mark ≥ 100 pages/s)',
    ],
  );

  // 2 and 3. check --fast and the whole-page check over the cover scans.
  for (const [index, mode] of (['--fast', 'whole page'] as const).entries()) {
    const args = ['check', coverDir, '--json', ...(mode === '--fast' ? ['--fast'] : [])];
    const runs = alternate(builds, rounds, args);
    const judged = runs.map((list) => list.map((run) => judgeCheck(run, fileCount)));
    const seconds = runs.map((list) => median(list.map((run) => run.seconds)));
    const notes = builds.map((build, at) => {
      const all = judged[at] as ReturnType<typeof judgeCheck>[];
      const first = all[0] as ReturnType<typeof judgeCheck>;
      return `${build.label}: codes read ${first.read}/${fileCount}, verdicts ${first.ok} ok / ${first.other} other${first.errors ? `, ${first.errors} errors` : ''}${all.every((one) => one.right) ? '' : ' [CODES MISSED]'}`;
    });
    if (hasBase) notes.push(judged[0]?.[0]?.verdicts === judged[1]?.[0]?.verdicts ? 'every verdict the same as before' : 'verdicts DIFFER from before');
    const target = mode === '--fast' ? targetOf('≥ 50', (now) => now >= 50) : targetOf('≥ 30', (now) => now >= 30);
    printTable(
      `  ${index + 2}. check ${mode === '--fast' ? '--fast ' : ''}--json${mode === '--fast' ? '' : ' (default: whole page)'} of a folder of ${fileCount} single-page colour cover scans (2500 × 3522, 300 dpi, turned 0.3–1.5°)`,
      labels,
      [
        { name: 'seconds', ...pick(seconds), digits: 1, target: null },
        { name: 'pages/s incl. start-up', ...pick(seconds.map((value) => fileCount / value)), digits: 1, target },
        { name: 'peak RSS MB', ...pick(runs.map((list) => Math.max(...list.map((run) => run.peakMb)))), digits: 0, target: rssTarget },
      ],
      notes,
    );
  }

  printTable(
    `  4. start-up alone (median of ${startupRuns} processes each)`,
    labels,
    [
      { name: 'split of a one-page file, ms', ...pick(splitOne), digits: 0, target: null },
      { name: '--version, ms', ...pick(version), digits: 0, target: targetOf('< 300 ms', (now) => now < 300) },
    ],
    [],
  );
}

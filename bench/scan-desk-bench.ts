// Scan desk intake (issue 11): a 1,000-page scanner PDF of 300-dpi colour JPEG pages (a cover every
// five pages, invoices with their VAT QR top-left, busy letterheads), taken into a fresh spool by
// the bundled CLI with every page fsync'd, timed with process start-up and its peak RSS; next to
// `cp` of the same file (the floor) and zbarimg on the same pages. Then two such files in one
// run: peak RSS must stay where one file put it (memory flat, not growing per page).
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openScannerPdf } from '../electron/core/document/scanner-pdf.js';
import { writeColourScannerPdf } from '../tests/fixtures/colour-stack.js';

const workDir = path.resolve('test-results', 'bench');
const cli = 'dist/cli/scan-station.cjs';

interface IntakeRun {
  seconds: number;
  peakMb: number;
  pages: number;
  bills: number;
  held: number;
}

function runIntake(files: string[], dataDir: string): IntakeRun {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['-r', './bench/print-peak-rss.cjs', cli, 'intake', ...files, '--json', '--data-dir', dataDir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0 && run.status !== 1) throw new Error(`intake failed (${run.status}): ${run.stderr.slice(0, 2000)}`);
  const lines = run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { pages?: number; bills?: Array<{ held: string | null }> });
  return {
    seconds,
    peakMb: Number(/peak-rss-mb (\d+)/.exec(run.stderr)?.[1] ?? 0),
    pages: lines.reduce((sum, line) => sum + (line.pages ?? 0), 0),
    bills: lines.reduce((sum, line) => sum + (line.bills?.length ?? 0), 0),
    held: lines.reduce((sum, line) => sum + (line.bills?.filter((bill) => bill.held).length ?? 0), 0),
  };
}

/** A copy of `file` with different bytes (the binary comment on line 2), so the spool does not see "already imported". */
function variantOf(file: string, n: number): string {
  const target = file.replace(/\.pdf$/, `-copy${n}.pdf`);
  if (existsSync(target)) return target;
  copyFileSync(file, target);
  const fd = openSync(target, 'r+');
  // "%PDF-1.7\n%" then four bytes ≥ 128 that only say "this file is binary".
  writeSync(fd, Buffer.from([0x80 + n, 0x81, 0x82, 0x83]), 0, 4, 10);
  closeSync(fd);
  return target;
}

/** Prints the scan desk section of `npm run bench`. */
export async function runScanDeskBench(): Promise<void> {
  console.log('\nScan desk intake (bundled CLI, fresh spool, fsync on every page and folder; process start-up included)');
  if (!existsSync(cli)) {
    console.log('  skipped: run npm run build first');
    return;
  }
  mkdirSync(workDir, { recursive: true });
  const { file, covers } = await writeColourScannerPdf(workDir, 1000, 300);
  const sizeMb = statSync(file).size / 1024 / 1024;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-desk-bench-'));
  try {
    // The floor: copying the same bytes to the same disk, flushed.
    const copyStarted = performance.now();
    copyFileSync(file, path.join(dir, 'copy.pdf'));
    const fd = openSync(path.join(dir, 'copy.pdf'), 'r+');
    fsyncSync(fd);
    closeSync(fd);
    const copySeconds = (performance.now() - copyStarted) / 1000;

    const one = runIntake([file], path.join(dir, 'one'));
    console.log(`  1,000-page scanner PDF (${sizeMb.toFixed(0)} MB, 300-dpi colour JPEG pages, ${covers} covers)`);
    console.log(`    intake + split into the spool: ${one.seconds.toFixed(1)} s, ${(one.pages / one.seconds).toFixed(1)} pages/s, peak RSS ${one.peakMb} MB; ${one.bills} bills, ${one.held} held${one.bills === covers && one.held === 0 ? '' : ' [WRONG SPLIT]'}`);
    console.log(`    cp of the same file (+ fsync): ${copySeconds.toFixed(2)} s: intake takes ${(one.seconds / copySeconds).toFixed(0)}x the copy`);

    if (spawnSync('zbarimg', ['--version']).status === 0) {
      // zbarimg reads image files: the same pages' JPEG bytes, the first 50 of them.
      const pdf = await openScannerPdf(file, statSync(file).size, 5000);
      const sample: string[] = [];
      for (let index = 0; index < 50 && pdf; index += 1) {
        const page = path.join(dir, `page-${index}.jpg`);
        writeFileSync(page, await pdf.readJpeg(index));
        sample.push(page);
      }
      await pdf?.close();
      const started = performance.now();
      const run = spawnSync('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', ...sample], { encoding: 'utf8' });
      const seconds = (performance.now() - started) / 1000;
      const found = run.stdout.split('\n').filter((line) => line.startsWith('FY-')).length;
      console.log(`    zbarimg on 50 of the same pages (whole page, 1 core): ${(sample.length / seconds).toFixed(1)} pages/s (${found} of 10 covers read); intake is ${(one.pages / one.seconds / (sample.length / seconds)).toFixed(1)}x zbarimg's rate`);
    } else console.log('    zbarimg: not installed (apt install zbar-tools)');

    const files = [file, variantOf(file, 1)];
    const three = runIntake(files, path.join(dir, 'three'));
    console.log(`  2 such files in one run (${three.pages} pages): peak RSS ${three.peakMb} MB (one file: ${one.peakMb} MB; ${(three.peakMb / one.peakMb).toFixed(2)}x), ${(three.pages / three.seconds).toFixed(1)} pages/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

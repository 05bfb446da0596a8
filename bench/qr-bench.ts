// Benchmarks of the QR inspection engine (issue 3): recall on the generated corpus against zbarimg,
// throughput, and peak memory. All figures come from one run; compare ratios, not absolute times.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { createInspectionPool, inspectInParts } from '../electron/core/inspection/inspection-pool.js';
import { defaultInspectionSettings, type InspectionSettings } from '../electron/core/inspection/inspection-task.js';
import type { DocumentReport } from '../electron/core/inspection/inspect-document.js';
import { addNoise, renderCoverRaster, seededRandom } from '../tests/fixtures/cover-raster.js';
import { writeColourCoverScans, writeColourScannerPdf } from '../tests/fixtures/colour-stack.js';
import { generateHardSymbols, hardClasses } from '../tests/fixtures/hard-symbols.js';
import { generateCorpus, type CorpusExpectation } from '../tests/fixtures/corpus.js';
import { degradeRaster, encodeJpeg, encodeVectorPdf } from '../tests/fixtures/encode.js';
import { scoreCorpus } from '../tests/fixtures/evaluate.js';

const workDir = path.resolve('test-results', 'bench');
const corpusDir = path.resolve('test-results', 'corpus');

async function inspectAll(files: string[], settings: InspectionSettings, workers: number): Promise<{ reports: DocumentReport[]; seconds: number }> {
  const pool = createInspectionPool({ size: workers, timeoutMs: 30 * 60_000 });
  // Warm each worker's WebAssembly before timing.
  await Promise.all(Array.from({ length: workers }, (_, i) => pool.inspect(files[i % files.length] as string, settings)));
  const started = performance.now();
  const reports = await Promise.all(files.map((file) => pool.inspect(file, settings)));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { reports, seconds };
}

function zbarRecall(manifest: CorpusExpectation[]): { expected: number; found: number; misreads: number; seconds: number; pages: number } | null {
  if (spawnSync('zbarimg', ['--version']).status !== 0) return null;
  const raster = manifest.filter((entry) => !entry.file.endsWith('.pdf'));
  let expected = 0;
  let found = 0;
  let misreads = 0;
  const started = performance.now();
  for (const entry of raster) {
    const run = spawnSync('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', path.join(corpusDir, entry.file)], { encoding: 'utf8' });
    const values = run.stdout.split('\n').filter(Boolean);
    for (const code of entry.codes) {
      expected += 1;
      if (values.includes(code.value)) found += 1;
    }
    misreads += values.filter((value) => !entry.codes.some((code) => code.value === value)).length;
  }
  return { expected, found, misreads, seconds: (performance.now() - started) / 1000, pages: raster.length };
}

async function makeTopCornerScans(count: number): Promise<string[]> {
  const dir = path.join(workDir, 'scans-300dpi');
  mkdirSync(dir, { recursive: true });
  const random = seededRandom(7);
  const files: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const file = path.join(dir, `scan-${String(i).padStart(3, '0')}.jpg`);
    files.push(file);
    if (existsSync(file)) continue;
    let image = renderCoverRaster({ dpi: 300, qrs: [{ text: `FY-2026-${String(100000 + i)}`, placement: i % 3 === 0 ? 'top-left' : 'top-right', sizeMm: 22 }] });
    image = await degradeRaster(image, { rotationDeg: ((i % 9) - 4) * 0.5, blurSigma: i % 2 ? 0.7 : undefined });
    image = addNoise(image, 6, random);
    writeFileSync(file, await encodeJpeg(image, 300, 75));
  }
  return files;
}

async function makeTemplatePdf(pages: number): Promise<string> {
  const file = path.join(workDir, `templates-${pages}.pdf`);
  if (existsSync(file)) return file;
  mkdirSync(workDir, { recursive: true });
  const merged = await PDFDocument.create();
  for (let i = 0; i < pages; i += 1) {
    const one = await PDFDocument.load(await encodeVectorPdf({ dpi: 200, qrs: [{ text: `FY-TPL-${String(i).padStart(5, '0')}`, placement: 'top-right', sizeMm: 22 }] }));
    const [page] = await merged.copyPages(one, [0]);
    if (page) merged.addPage(page);
  }
  writeFileSync(file, await merged.save());
  return file;
}

async function makeScannerPdf(pages: number): Promise<string> {
  const file = path.join(workDir, `scanner-${pages}.pdf`);
  if (existsSync(file)) return file;
  mkdirSync(workDir, { recursive: true });
  const pdf = await PDFDocument.create();
  const random = seededRandom(11);
  const distinct = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const image = addNoise(renderCoverRaster({ dpi: 200, qrs: i % 5 === 0 ? [{ text: `FY-BIG-${i}`, placement: 'top-right', sizeMm: 22 }] : [] }), 5, random);
      return { bytes: await encodeJpeg(image, 200, 75), width: image.width, height: image.height };
    }),
  );
  for (let i = 0; i < pages; i += 1) {
    const source = distinct[i % distinct.length] as { bytes: Buffer; width: number; height: number };
    const embedded = await pdf.embedJpg(source.bytes);
    const page = pdf.addPage([(source.width / 200) * 72, (source.height / 200) * 72]);
    page.drawImage(embedded, { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });
  }
  writeFileSync(file, await pdf.save());
  return file;
}

/** Runs the QR benchmarks and prints their table. */
export async function runQrBench(): Promise<void> {
  console.log('\nQR inspection: generated corpus (3 dpi × 3 sizes × 7 placements × 5 degradations + vector templates)');
  const manifest = await generateCorpus(corpusDir, 'bench');
  const corpus = await inspectAll(manifest.map((entry) => path.join(corpusDir, entry.file)), defaultInspectionSettings, 2);
  const score = scoreCorpus(manifest, new Map(corpus.reports.map((report, index) => [manifest[index]?.file ?? '', report])));
  const pct = (a: number, b: number) => `${((a / Math.max(1, b)) * 100).toFixed(1)} %`;
  console.log(`  pages                              ${manifest.length}`);
  console.log(`  recall, QR ≥ 20 mm at ≥ 150 dpi    ${score.targetFound}/${score.targetExpected} = ${pct(score.targetFound, score.targetExpected)}`);
  console.log(`  recall, all sizes (incl. 12 mm)    ${score.allFound}/${score.allExpected} = ${pct(score.allFound, score.allExpected)}`);
  console.log(`  misreads                           ${score.misreads.length}`);
  console.log(`  position class correct             ${pct(score.allFound - score.misplaced.length, score.allFound)}`);
  console.log(`  thorough mode, 2 workers           ${(manifest.length / corpus.seconds).toFixed(1)} pages/s`);
  for (const line of [...score.missed, ...score.misreads, ...score.misplaced].slice(0, 10)) console.log(`    ${line}`);
  const zbar = zbarRecall(manifest);
  if (zbar) {
    const ours = scoreCorpus(
      manifest.filter((entry) => !entry.file.endsWith('.pdf')),
      new Map(corpus.reports.map((report, index) => [manifest[index]?.file ?? '', report])),
    );
    console.log(`  zbarimg on the same ${zbar.pages} raster pages: recall ${pct(zbar.found, zbar.expected)} (ours ${pct(ours.allFound, ours.allExpected)}), misreads ${zbar.misreads} (ours ${ours.misreads.length})`);
    const oursPerPage = corpus.seconds / manifest.length;
    console.log(`  time per page, ours (2 workers) vs zbarimg (1 process per page): ${((zbar.seconds / zbar.pages) / oursPerPage).toFixed(1)}x faster`);
  } else console.log('  zbarimg not installed (apt-get install zbar-tools): comparison skipped');

  console.log('\nQR inspection: throughput');
  const scans = await makeTopCornerScans(120);
  const fast = { ...defaultInspectionSettings, mode: 'fast' as const };
  const one = await inspectAll(scans, fast, 1);
  const two = await inspectAll(scans, fast, 2);
  const allOk = two.reports.every((report) => report.pages[0]?.codes.length === 1 && !report.error);
  console.log(`  300-dpi JPEG scans, top-corner QR, fast mode: 1 worker ${(scans.length / one.seconds).toFixed(1)} pages/s, 2 workers ${(scans.length / two.seconds).toFixed(1)} pages/s (${(one.seconds / two.seconds).toFixed(2)}x)${allOk ? '' : '  [SOME PAGES MISSED]'}`);
  // Whole-page speed (the default mode) beside --fast, grey and colour 300-dpi A4 scans, one file a page.
  const colour = await writeColourCoverScans(workDir, 120);
  for (const [name, files] of [['grey', scans], ['colour', colour]] as const) {
    const whole = await inspectAll(files, defaultInspectionSettings, 2);
    const quick = await inspectAll(files, fast, 2);
    const read = (run: typeof whole) => run.reports.filter((report) => report.pages[0]?.codes.length === 1 && !report.error).length;
    console.log(`  300-dpi ${name.padEnd(6)} A4 scans, 2 workers: default (whole page) ${(files.length / whole.seconds).toFixed(1)} pages/s · --fast ${(files.length / quick.seconds).toFixed(1)} pages/s (target ≥ 30 default); codes read ${read(whole)}/${files.length} and ${read(quick)}/${files.length}`);
  }
  // One multi-page colour scan (a scanner PDF of a mixed stack: covers, invoices, receipts, letters), its
  // pages shared between both workers as `check` does for a single long file.
  const { file: stack } = await writeColourScannerPdf(workDir, 100);
  const sharedPool = createInspectionPool({ size: 2, timeoutMs: 30 * 60_000 });
  await inspectInParts(sharedPool, stack, { ...defaultInspectionSettings, pages: { first: 1, last: 2 } }, 2);
  const sharedStarted = performance.now();
  const shared = await inspectInParts(sharedPool, stack, defaultInspectionSettings, 2);
  const sharedSeconds = (performance.now() - sharedStarted) / 1000;
  await sharedPool.close();
  console.log(`  one 100-page 300-dpi colour scanner PDF (mixed stack, 2 of 5 pages without a QR), default mode, pages shared by 2 workers: ${(shared.pages.length / sharedSeconds).toFixed(1)} pages/s, ${shared.pages.filter((page) => page.codes.length > 0).length} pages with a code`);
  // Real-world-like hard symbols: recall per class in the default mode (the recall fallbacks run only on pages without a valid code).
  const hardDir = path.join(workDir, 'hard-symbols');
  const hard = await generateHardSymbols(hardDir, 8);
  const hardRun = await inspectAll(hard.map((page) => path.join(hardDir, page.file)), defaultInspectionSettings, 2);
  const perClass = hardClasses.map((kind) => {
    const pages = hard.map((page, index) => ({ page, report: hardRun.reports[index] })).filter((entry) => entry.page.kind === kind);
    const found = pages.filter((entry) => entry.report?.pages[0]?.codes.some((code) => code.value === entry.page.code)).length;
    return `${kind} ${found}/${pages.length}`;
  });
  console.log(`  hard symbols (200-dpi photos-like pages, ${hard.length}), recall per class: ${perClass.join(', ')}; ${(hard.length / hardRun.seconds).toFixed(1)} pages/s`);
  const templates = await makeTemplatePdf(100);
  const tpl = await inspectAll([templates], defaultInspectionSettings, 1);
  console.log(`  vector PDF templates (100-page PDF, rendered at 200 dpi, thorough, 1 file = 1 worker): ${(100 / tpl.seconds).toFixed(1)} pages/s`);

  console.log('\nQR inspection: memory');
  const big = await makeScannerPdf(1000);
  const bigMb = statSync(big).size / 1e6;
  if (!existsSync('dist/cli/scan-station.cjs')) {
    console.log('  skipped: run npm run build first (the figure is for the bundled CLI, as shipped)');
    return;
  }
  // The shipped path: the bundled CLI and its bundled worker, peak RSS of the whole process.
  for (const mode of ['--fast', 'default'] as const) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['-r', './bench/print-peak-rss.cjs', 'dist/cli/scan-station.cjs', 'check', big, '--json', ...(mode === '--fast' ? ['--fast'] : [])], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const seconds = (performance.now() - started) / 1000;
    const peak = /peak-rss-mb (\d+)/.exec(run.stderr)?.[1];
    const summary = (JSON.parse(run.stdout) as { summary: { pages: number; errors: number } }).summary;
    console.log(`  1,000-page scanner PDF (${bigMb.toFixed(0)} MB, 200-dpi gray JPEG pages), check ${mode === '--fast' ? '--fast' : '(default: whole page)'}: peak RSS ${peak} MB, ${summary.pages} pages in ${seconds.toFixed(0)} s (${(summary.pages / seconds).toFixed(1)} pages/s)${summary.errors ? ' [ERRORS]' : ''}`);
  }
}

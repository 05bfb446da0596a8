import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { after, test } from 'node:test';
import { parseCoverCsv } from '../../../../electron/core/cover/cover-csv.js';
import { loadCoverFonts } from '../../../../electron/core/cover/cover-fonts.js';
import { bilingualCoverLabels } from '../../../../electron/core/cover/cover-labels.js';
import { defaultCoverLayout, type CoverLayoutOptions } from '../../../../electron/core/cover/cover-layout.js';
import { buildCoverPdf } from '../../../../electron/core/cover/cover-writer.js';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { inspectDocument } from '../../../../electron/core/inspection/inspect-document.js';
import { createInspectionPool } from '../../../../electron/core/inspection/inspection-pool.js';
import { coverFileName, selfCheckPdf, writeCovers } from '../../../../electron/core/cover/write-covers.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const pool = createInspectionPool({ size: 2 });
after(() => pool.close());

const bill = { code: 'FY-2026-000123', billNo: 'BX-2026-00042', billType: '费用报销单', company: '金蝶软件（中国）有限公司', submitter: '张三', department: '财务部', date: '2026-11-23', amount: '1234.5' };

async function options(extra: Partial<Parameters<typeof writeCovers>[1]>) {
  return { layout: defaultCoverLayout, rules: defaultCodeRules, labels: bilingualCoverLabels(), fonts: await loadCoverFonts(), pool, ...extra };
}

const hasTool = (tool: string) => spawnSync(tool, ['-v']).error === undefined;

test('one cover: Chinese text extractable, the check engine says top-right ok, zbarimg reads it', async () => {
  const out = path.join(await makeTempDir(), 'cover.pdf');
  const result = await writeCovers([{ line: 0, fields: bill }], await options({ out }));
  assert.deepEqual(result.rejected, []);
  assert.deepEqual(result.written, [{ code: bill.code, file: out, pages: 1 }]);
  const report = await inspectDocument(out, { stationDpi: 200, rules: defaultCodeRules, mode: 'thorough' });
  assert.deepEqual(report.pages.map((page) => [page.verdict, page.codes[0]?.value, page.codes[0]?.corner]), [['ok', bill.code, 'top-right']]);
  assert.ok(Math.abs((report.pages[0]?.codes[0]?.box.w ?? 0) - 22) < 0.5, 'the symbol is 22 mm');
  if (hasTool('pdftotext')) {
    const text = spawnSync('pdftotext', [out, '-'], { encoding: 'utf8' }).stdout;
    for (const expected of ['费用报销单', '金蝶软件（中国）有限公司', '张三', '财务部', '¥1,234.50', 'BX-2026-00042', '影像编码']) assert.ok(text.includes(expected), `${expected} in ${text}`);
  }
  if (hasTool('pdftoppm') && spawnSync('zbarimg', ['--version']).status === 0) {
    const png = path.join(path.dirname(out), 'page');
    spawnSync('pdftoppm', ['-r', '200', '-gray', '-png', out, png]);
    const read = spawnSync('zbarimg', ['-q', '--raw', `${png}-1.png`], { encoding: 'utf8' });
    assert.equal(read.stdout.trim(), bill.code);
  }
  // One font program per face, however many covers.
  const pdf = readFileSync(out, 'latin1');
  assert.ok(pdf.length < 120_000, `single cover is ${pdf.length} bytes`);
});

test('a GBK CSV batch → one merged PDF; bad rows rejected with their line numbers; no scratch files left', async () => {
  const lines = ['影像编码,单据编号,金额,提交人,备注'];
  for (let i = 1; i <= 40; i += 1) lines.push(`FY-B-${String(i).padStart(4, '0')},BX-${i},"${(i * 1000.5).toLocaleString('en-US')}",李四,x`);
  lines.push(',BX-none,1,王五,', 'FY-B-0003,BX-dup,1,王五,', 'FY B,BX-space,1,王五,', 'FY-B-AMT,BX-amt,12.3a,王五,');
  const csv = parseCoverCsv(iconv.encode(lines.join('\r\n'), 'gbk'), 'bills.csv');
  assert.equal(csv.encoding, 'gbk');
  assert.deepEqual(csv.ignoredColumns, ['备注']);
  const dir = await makeTempDir();
  const out = path.join(dir, 'batch.pdf');
  const result = await writeCovers(csv.rows, await options({ out }));
  assert.equal(result.written.length, 40);
  assert.deepEqual(
    result.rejected.map((entry) => [entry.line, entry.problem.reason]),
    [
      [42, 'missing-code'],
      [43, 'duplicate-code'],
      [44, 'invalid-code'],
      [45, 'invalid-amount'],
    ],
  );
  const report = await inspectDocument(out, { stationDpi: 200, rules: defaultCodeRules, mode: 'fast' });
  assert.equal(report.pages.length, 40);
  assert.ok(report.pages.every((page, index) => page.codes[0]?.value === `FY-B-${String(index + 1).padStart(4, '0')}`));
  assert.deepEqual(readdirSync(dir), ['batch.pdf']);
});

test('one PDF per bill, named by a sanitised code; a cover that fails its self-check is not written', async () => {
  const dir = path.join(await makeTempDir(), 'out');
  // 10 mm with error correction Q and a long code: modules too small at 200 dpi → self-check fails.
  const result = await writeCovers(
    [
      { line: 2, fields: { code: 'FY-2026-000001' } },
      { line: 3, fields: { code: 'CON' } },
    ],
    await options({ outDir: dir }),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['FY-2026-000001.pdf']);
  assert.deepEqual(result.rejected.map((entry) => entry.problem.reason), ['invalid-code']);
  const tiny = await writeCovers([{ line: 2, fields: { code: 'FY-2026-000000000000000000000000000000000001' } }], await options({ outDir: dir, layout: { ...defaultCoverLayout, sizeMm: 10, ecLevel: 'Q' } }));
  assert.equal(tiny.written.length, 0);
  assert.equal(tiny.rejected[0]?.problem.reason, 'self-check-failed');
  assert.match(String((tiny.rejected[0]?.problem as { detail?: string }).detail), /module-too-small|module-small/);
  assert.deepEqual(readdirSync(dir).sort(), ['FY-2026-000001.pdf'], 'nothing half-written');
});

test('file names from codes never collide or hit reserved names', () => {
  const used = new Set<string>();
  assert.equal(coverFileName('FY-a', used), 'FY-a.pdf');
  assert.equal(coverFileName('FY-A', used), 'FY-A-2.pdf');
  assert.equal(coverFileName('con', used), '_con.pdf');
  // Windows reads the part before the first dot: CON.pdf.pdf and COM1..pdf are devices too.
  assert.equal(coverFileName('CON.pdf', used), '_CON.pdf.pdf');
  assert.equal(coverFileName('COM1.', used), '_COM1..pdf');
  assert.equal(coverFileName('..\\x/y', used), '__x_y.pdf');
});

test('a batch past its time budget makes the covers checked by then and names the rest, writing nothing half-checked', async () => {
  const dir = await makeTempDir();
  const rows = Array.from({ length: 40 }, (_, index) => ({ line: index + 2, fields: { ...bill, code: `FY-TIME-${String(index).padStart(4, '0')}` } }));
  const budget = new AbortController();
  let checked = 0;
  const result = await writeCovers(rows, {
    ...(await options({ out: path.join(dir, 'batch.pdf') })),
    signal: budget.signal,
    // The budget runs out once a few pages are checked.
    onProgress: () => {
      checked += 1;
      if (checked === 5) budget.abort();
    },
  });
  assert.ok(result.written.length >= 5 && result.written.length < 40, String(result.written.length));
  assert.equal(result.written.length + result.rejected.length, 40);
  assert.ok(result.rejected.every((entry) => entry.problem.reason === 'not-checked-in-time'));
  const report = await inspectDocument(path.join(dir, 'batch.pdf'), { stationDpi: 200, rules: defaultCodeRules, mode: 'fast' });
  assert.equal(report.pages.length, result.written.length);
  assert.deepEqual(readdirSync(dir), ['batch.pdf'], 'no scratch file left behind');
});

test('the self-check reads only the symbol\'s corner and judges it as the whole page would: a QR moved, shrunk or crowded by text fails', async () => {
  const dir = await makeTempDir();
  const fonts = await loadCoverFonts();
  const labels = bilingualCoverLabels();
  const make = async (name: string, layout: CoverLayoutOptions, crowd = false) => {
    let bytes = await buildCoverPdf([bill], fonts, layout, labels);
    if (crowd) {
      // Text printed over the left quiet zone, as a template edited by hand might do.
      const pdf = await PDFDocument.load(bytes);
      const page = pdf.getPage(0);
      const symbolLeftPt = ((210 - 12 - 22) / 25.4) * 72;
      page.drawText('NOTE', { x: symbolLeftPt - 14, y: page.getHeight() - ((12 + 11) / 25.4) * 72, size: 9, font: await pdf.embedFont(StandardFonts.HelveticaBold) });
      bytes = await pdf.save();
    }
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const expected = { pool, layout: defaultCoverLayout, rules: defaultCodeRules };
  const cases = [
    { name: 'good.pdf', file: await make('good.pdf', defaultCoverLayout), pass: true },
    { name: 'moved.pdf', file: await make('moved.pdf', { ...defaultCoverLayout, corner: 'top-left' }), pass: false },
    { name: 'shrunk.pdf', file: await make('shrunk.pdf', { ...defaultCoverLayout, sizeMm: 6 }), pass: false },
    { name: 'crowded.pdf', file: await make('crowded.pdf', defaultCoverLayout, true), pass: false },
  ];
  for (const entry of cases) {
    const corner = (await selfCheckPdf(entry.file, 1, expected)).pages[0];
    const whole = (await inspectDocument(entry.file, { stationDpi: 200, renderDpi: 200, rules: defaultCodeRules, mode: 'thorough' })).pages[0];
    assert.ok(corner && whole, entry.name);
    const passes = (page: typeof corner) => page.verdict === 'ok' && page.codes.length === 1 && page.codes[0]?.value === bill.code && page.codes[0]?.corner === 'top-right';
    assert.equal(passes(corner), entry.pass, `${entry.name}: ${JSON.stringify(corner.problems)}`);
    assert.equal(passes(whole), entry.pass, `${entry.name} (whole page)`);
    // Where the corner sees the symbol, it measures what the whole page measures.
    if (entry.name !== 'moved.pdf') {
      assert.deepEqual(corner.problems.map((problem) => problem.code), whole.problems.map((problem) => problem.code), entry.name);
      // The same measures, give or take two pixels (0.25 mm at 200 dpi) of rendering a corner on its own.
      const [a, b] = [corner.codes[0], whole.codes[0]];
      assert.ok(a && b, entry.name);
      for (const key of ['x', 'y', 'w', 'h'] as const) assert.ok(Math.abs(a.box[key] - b.box[key]) <= 0.26, `${entry.name} box.${key}: ${a.box[key]} vs ${b.box[key]}`);
      assert.ok(Math.abs(a.modulePx - b.modulePx) <= 0.05, `${entry.name} modulePx ${a.modulePx} vs ${b.modulePx}`);
      assert.equal(a.quietZoneModules, b.quietZoneModules, entry.name);
    } else assert.deepEqual(corner.problems.map((problem) => problem.code), ['no-qr']);
  }
  // A batch is shared between both workers by page range and comes back whole, in order.
  const rows = Array.from({ length: 45 }, (_, index) => ({ line: index + 2, fields: { ...bill, code: `FY-SPLIT-${String(index).padStart(4, '0')}` } }));
  const batch = await writeCovers(rows, await options({ out: path.join(dir, 'batch.pdf') }));
  assert.equal(batch.written.length, 45);
  assert.deepEqual(batch.written.map((entry) => entry.code), rows.map((row) => row.fields.code));
});

test('a stopped batch (Ctrl+C) ends at the next cover: inspection-cancelled, the event loop heard it mid-drawing, and nothing is left in the output folder', async () => {
  const dir = await makeTempDir();
  const requests = Array.from({ length: 300 }, (_, index) => ({ line: index + 2, fields: { ...bill, code: `FY-2026-${String(index).padStart(6, '0')}` } }));
  const stop = new AbortController();
  // Stopped from a timer, as a signal handler would: only heard if drawing hands the loop a turn.
  const timer = setTimeout(() => stop.abort(), 300);
  const started = performance.now();
  await assert.rejects(writeCovers(requests, await options({ out: path.join(dir, 'covers.pdf'), stop: stop.signal })), (error: unknown) => (error as { code?: string }).code === 'inspection-cancelled');
  clearTimeout(timer);
  assert.ok(stop.signal.aborted, 'stopped by the timer, not finished first');
  assert.ok(performance.now() - started < 5000, `${Math.round(performance.now() - started)} ms`);
  assert.deepEqual(readdirSync(dir), [], 'no output, no scratch, no temp file');
  const outDir = path.join(dir, 'each');
  const stopped = new AbortController();
  stopped.abort();
  await assert.rejects(writeCovers(requests.slice(0, 3), await options({ outDir, stop: stopped.signal })), (error: unknown) => (error as { code?: string }).code === 'inspection-cancelled');
  assert.deepEqual(readdirSync(outDir), []);
});

// Benchmarks of the cover builder (issue 4): covers per second into one merged PDF on one core
// (CJK font included), bytes per cover, and the self-check as its own figure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import os from 'node:os';
import path from 'node:path';
import { loadCoverFonts } from '../electron/core/cover/cover-fonts.js';
import { bilingualCoverLabels } from '../electron/core/cover/cover-labels.js';
import { defaultCoverLayout } from '../electron/core/cover/cover-layout.js';
import { buildCoverPdf } from '../electron/core/cover/cover-writer.js';
import { validateCoverFields, type CoverFields } from '../electron/core/cover/cover-fields.js';
import { defaultCodeRules } from '../electron/core/codes/image-code-rules.js';
import { createInspectionPool } from '../electron/core/inspection/inspection-pool.js';
import { writeCovers } from '../electron/core/cover/write-covers.js';

const submitters = ['张三', '李四', '王五', '赵六', '钱七', '孙八', '周九', '吴十'];
const departments = ['财务部', '销售部', '研发中心', '行政部', '采购部'];

function bills(count: number): CoverFields[] {
  return Array.from({ length: count }, (_, i) => {
    const checked = validateCoverFields(
      {
        code: `FY-2026-${String(i + 1).padStart(6, '0')}`,
        billNo: `BX-2026-${String(i + 1).padStart(5, '0')}`,
        billType: i % 3 === 0 ? '差旅费报销单' : '费用报销单',
        company: '金蝶软件（中国）有限公司',
        submitter: submitters[i % submitters.length],
        department: departments[i % departments.length],
        date: `2026-11-${String((i % 28) + 1).padStart(2, '0')}`,
        amount: ((i * 137.45) % 50000).toFixed(2),
      },
      defaultCodeRules,
    );
    if (!checked.ok) throw new Error(JSON.stringify(checked.problem));
    return checked.fields;
  });
}

/** Runs the cover benchmarks and prints their table. */
export async function runCoverBench(): Promise<void> {
  console.log('\nCovers: 1,000 bills into one merged A4 PDF (Noto Sans SC subset, bilingual labels)');
  const fonts = await loadCoverFonts();
  const labels = bilingualCoverLabels();
  await buildCoverPdf(bills(5), fonts, defaultCoverLayout, labels); // warm-up (HarfBuzz WASM)
  const rows = bills(1000);
  const started = performance.now();
  const bytes = await buildCoverPdf(rows, fonts, defaultCoverLayout, labels);
  const seconds = (performance.now() - started) / 1000;
  console.log(`  build, one core                    ${(rows.length / seconds).toFixed(0)} covers/s (target ≥ 100)`);
  console.log(`  size                               ${(bytes.length / 1024 / rows.length).toFixed(1)} KB per cover, ${(bytes.length / 1e6).toFixed(1)} MB in all (target ≤ 60 KB)`);
  const many = bills(10_000);
  const startedMany = performance.now();
  const manyBytes = await buildCoverPdf(many, fonts, defaultCoverLayout, labels);
  const manySeconds = (performance.now() - startedMany) / 1000;
  console.log(`  10,000 covers, one PDF              ${manySeconds.toFixed(1)} s, ${(manyBytes.length / 1e6).toFixed(1)} MB; process peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-cover-bench-'));
  const pool = createInspectionPool({ size: 2 });
  try {
    // The self-check on its own, in process: 1,000 covers, corner-only rendering, both workers.
    const result = await writeCovers(
      rows.map((fields, index) => ({ line: index + 2, fields })),
      { out: path.join(dir, 'covers.pdf'), layout: defaultCoverLayout, rules: defaultCodeRules, labels, fonts, pool },
    );
    const checkPerSecond = result.written.length / (result.timings.checkMs / 1000);
    console.log(`  self-check alone (the QR corner rendered at 200 dpi and judged, 2 workers): ${checkPerSecond.toFixed(0)} covers/s; ${result.rejected.length} rejected`);
    // End to end, as a person runs it: the CLI with a 1,000-row GBK CSV, start-up and writing included.
    const cli = path.resolve('dist', 'cli', 'scan-station.cjs');
    if (existsSync(cli)) {
      const csv = ['影像编码,单据编号,单据类型,公司,提交人,部门,日期,金额', ...rows.map((row, i) => [row.code, row.billNo, row.billType, row.company, row.submitter, row.department, row.date, ((i * 137.45) % 50000).toFixed(2)].join(','))].join('\r\n');
      await writeFile(path.join(dir, 'bills.csv'), iconv.encode(csv, 'gbk'));
      const begun = performance.now();
      const run = spawnSync(process.execPath, [cli, 'cover', '--from', path.join(dir, 'bills.csv'), '--out', path.join(dir, 'cli.pdf'), '--json', '--data-dir', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const endToEnd = rows.length / ((performance.now() - begun) / 1000);
      const written = run.status === 0 ? (JSON.parse(run.stdout) as { written: unknown[] }).written.length : 0;
      if (run.status !== 0) console.log(`  (exit ${run.status}: ${(run.stderr || run.stdout).slice(0, 300)})`);
      console.log(`  scan-station cover --from (1,000 GBK rows, end to end, self-check included): ${endToEnd.toFixed(0)} covers/s, ${written} written (target ≥ 40; writing alone ${(rows.length / seconds).toFixed(0)} covers/s)`);
    } else console.log('  scan-station cover --from: skipped (run npm run build first)');
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

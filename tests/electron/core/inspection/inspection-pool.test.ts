import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createInspectionPool } from '../../../../electron/core/inspection/inspection-pool.js';
import { defaultInspectionSettings } from '../../../../electron/core/inspection/inspection-task.js';
import { generateCorpus } from '../../../fixtures/corpus.js';
import { scoreCorpus } from '../../../fixtures/evaluate.js';
import { corruptPdf, encryptedPdf, hostileCoverPng, hostilePayloads, hugePageCountPdf, pngDeclaring, tiffDeclaring, truncatedJpeg } from '../../../fixtures/hostile.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';
import { encodeJpeg, encodeScannerPdf } from '../../../fixtures/encode.js';

const pool = createInspectionPool({ size: 2 });
after(() => pool.close());

test('generated corpus: every code ≥ 20 mm found, no misreads, every position class right', async () => {
  const dir = path.resolve('test-results', 'corpus');
  const manifest = await generateCorpus(dir, 'test');
  const reports = await Promise.all(manifest.map((entry) => pool.inspect(path.join(dir, entry.file), defaultInspectionSettings)));
  const score = scoreCorpus(manifest, new Map(reports.map((report, index) => [manifest[index]?.file ?? '', report])));
  assert.deepEqual(score.missed, []);
  assert.equal(score.targetFound, score.targetExpected);
  assert.deepEqual(score.misreads, []);
  assert.deepEqual(score.misplaced, []);
  // And the verdicts follow the placement rule.
  manifest.forEach((entry, index) => {
    const page = reports[index]?.pages[0];
    const codes = page?.problems.map((problem) => problem.code) ?? [];
    switch (entry.placement) {
      case 'center':
        assert.ok(codes.includes('qr-not-in-corner') && page?.verdict === 'fail', entry.file);
        break;
      case 'bottom-left':
      case 'bottom-right':
        assert.ok(codes.includes('qr-bottom-corner') && page?.verdict !== 'ok', entry.file);
        break;
      case 'none':
        assert.deepEqual([codes, page?.verdict], [['no-qr'], 'fail'], entry.file);
        break;
      case 'two-codes':
        assert.ok(codes.includes('multiple-codes') && page?.verdict === 'fail', entry.file);
        break;
      case 'top-left':
      case 'top-right':
        assert.notEqual(page?.verdict, 'fail', `${entry.file}: ${codes.join(',')}`);
        break;
    }
  });
});

test('a batch of bad files: each gets its own error or problem, the rest completes', async () => {
  const dir = await makeTempDir();
  const files: Array<[string, Uint8Array, string]> = [
    ['zero.pdf', new Uint8Array(0), 'file-empty'],
    ['renamed.pdf', Buffer.from('not a pdf at all'), 'unsupported-format'],
    ['corrupt.pdf', corruptPdf(), 'corrupt-pdf'],
    ['locked.pdf', encryptedPdf(), 'pdf-encrypted'],
    ['claims-100k.pdf', hugePageCountPdf(), 'too-many-pages'],
    ['bomb.png', pngDeclaring(60000, 60000), 'image-too-large'],
    ['bomb.tif', tiffDeclaring(60000, 60000), 'image-too-large'],
    ['cut.jpg', await truncatedJpeg(), 'corrupt-image'],
  ];
  for (const payload of hostilePayloads) files.push([`qr-${payload.name}.png`, await hostileCoverPng(payload), payload.expect]);
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(path.join(dir, name), bytes);
  const reports = await Promise.all(files.map(([name]) => pool.inspect(path.join(dir, name), defaultInspectionSettings)));
  reports.forEach((report, index) => {
    const [name, , expected] = files[index] as [string, Uint8Array, string];
    const got = report.error?.code ?? report.pages[0]?.problems.map((problem) => problem.code).join(',');
    assert.equal(got, expected, name);
  });
  const huge = reports.at(-1)?.pages[0]?.codes[0];
  assert.equal(huge?.value.length, 2900, 'the full 2,900-byte payload is decoded, then refused');
});

test('a file that stops making progress is stopped; the pool carries on', async () => {
  const impatient = createInspectionPool({ size: 1, timeoutMs: 1 });
  try {
    const dir = path.resolve('test-results', 'corpus');
    const manifest = await generateCorpus(dir, 'test');
    const stuck = await impatient.inspect(path.join(dir, manifest[0]?.file ?? ''), defaultInspectionSettings);
    assert.equal(stuck.error?.code, 'inspection-timeout');
  } finally {
    await impatient.close();
  }
  const ok = await pool.inspect(path.join(path.resolve('test-results', 'corpus'), (await generateCorpus(path.resolve('test-results', 'corpus'), 'test'))[0]?.file ?? ''), defaultInspectionSettings);
  assert.equal(ok.error, null);
});

test('while another job waits, one job gets one worker: a caller with many files cannot take them all', async () => {
  const fair = createInspectionPool({ size: 2 });
  try {
    const pages = Array.from({ length: 6 }, (_, index) => renderCoverRaster({ dpi: 150, qrs: [{ text: `FY-FAIR-${index}`, placement: 'top-right', sizeMm: 22 }] }));
    const pdf = await encodeScannerPdf(await Promise.all(pages.map(async (image) => ({ kind: 'jpeg' as const, bytes: await encodeJpeg(image, 150), width: image.width, height: image.height, dpi: 150 }))));
    const started: string[] = [];
    const run = (name: string, owner: string) =>
      fair.inspect({ name, bytes: pdf }, { ...defaultInspectionSettings, mode: 'thorough' }, () => {
        if (!started.includes(name)) started.push(name);
      }, undefined, owner);
    const heavy = ['a1', 'a2', 'a3', 'a4'].map((name) => run(name, 'A'));
    const light = run('b1', 'B');
    await Promise.all([...heavy, light]);
    // b1 was queued last but starts before A's third and fourth files.
    assert.ok(started.indexOf('b1') < started.indexOf('a3'), started.join(' '));
  } finally {
    await fair.close();
  }
});

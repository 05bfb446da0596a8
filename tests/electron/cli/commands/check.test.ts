import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { renderCoverRaster } from '../../../fixtures/cover-raster.js';
import { encodeJpeg, encodeScannerPdf, encodeVectorPdf } from '../../../fixtures/encode.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout, stderr };
}

async function templates() {
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'good.pdf'), await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000001', placement: 'top-right', sizeMm: 22 }] }));
  await writeFile(path.join(dir, 'centred.pdf'), await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000002', placement: 'center', sizeMm: 22 }] }));
  return dir;
}

test('--json prints exactly one document in the documented shape; a centred QR fails (exit 1)', async () => {
  const dir = await templates();
  const result = await cli(['check', dir, '--json']);
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as {
    files: Array<{ path: string; error: null; pages: Array<{ page: number; widthMm: number; heightMm: number; verdict: string; problems: Array<{ code: string; message: string }>; codes: Array<Record<string, unknown>> }> }>;
    summary: Record<string, number>;
  };
  assert.deepEqual(report.summary, { files: 2, pages: 2, ok: 1, warn: 0, fail: 1, errors: 0 });
  const [centred, good] = report.files;
  assert.equal(path.basename(centred?.path ?? ''), 'centred.pdf');
  // The fixture's text lines run through the centre, so the quiet zone is (rightly) reported too.
  assert.deepEqual(centred?.pages[0]?.problems.map((problem) => problem.code), ['qr-not-in-corner', 'quiet-zone-small']);
  assert.match(centred?.pages[0]?.problems[0]?.message ?? '', /centre of the page/);
  const page = good?.pages[0];
  assert.deepEqual([page?.page, page?.widthMm, page?.heightMm, page?.verdict], [1, 210, 297, 'ok']);
  const code = page?.codes[0] ?? {};
  for (const key of ['value', 'corner', 'box', 'moduleMm', 'modulePx', 'quietZoneModules', 'kind', 'valid']) assert.ok(key in code, key);
  assert.deepEqual([code['value'], code['corner'], code['kind'], code['valid']], ['FY-2026-000001', 'top-right', 'cover', true]);
  const box = code['box'] as { x: number; y: number; w: number; h: number };
  assert.ok(Math.abs(box.x - 176) < 0.5 && Math.abs(box.y - 12) < 0.5 && Math.abs(box.w - 22) < 0.5, JSON.stringify(box));
  // 22 mm / 21 modules at 200 dpi = 8.25 px.
  assert.ok(Math.abs((code['modulePx'] as number) - 8.25) < 0.2);
});

test('all pages ok → exit 0; an unreadable file → exit 2 while the others are still reported', async () => {
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'scan.jpg'), await encodeJpeg(renderCoverRaster({ dpi: 200, qrs: [{ text: 'FY-OK-1', placement: 'top-left', sizeMm: 22 }] }), 200));
  assert.equal((await cli(['check', dir, '--json'])).code, 0);
  await writeFile(path.join(dir, 'broken.pdf'), 'not a pdf');
  const mixed = await cli(['check', dir, '--json']);
  assert.equal(mixed.code, 2);
  const report = JSON.parse(mixed.stdout) as { files: Array<{ error: { code: string } | null; pages: unknown[] }> };
  assert.deepEqual(report.files.map((file) => [file.error?.code ?? null, file.pages.length]), [['unsupported-format', 0], [null, 1]]);
});

test('--dpi changes the module-size judgement; --pattern and --codes change validity', async () => {
  const dir = await makeTempDir();
  // 12 mm QR, version 1: 0.57 mm modules = 3.4 px at 150 dpi (warn), 6.8 px at 300 dpi (ok).
  await writeFile(path.join(dir, 'small.pdf'), await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-SMALL-1', placement: 'top-right', sizeMm: 12 }] }));
  const low = JSON.parse((await cli(['check', dir, '--json', '--dpi', '150'])).stdout) as { files: Array<{ pages: Array<{ problems: Array<{ code: string }> }> }> };
  assert.deepEqual(low.files[0]?.pages[0]?.problems.map((problem) => problem.code), ['module-small']);
  const high = JSON.parse((await cli(['check', dir, '--json', '--dpi', '300'])).stdout) as { summary: { ok: number } };
  assert.equal(high.summary.ok, 1);
  const strict = await cli(['check', dir, '--json', '--pattern', '^IMG\\d+$']);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /"invalid-code"/);
  const codes = path.join(await makeTempDir(), 'codes.csv');
  await writeFile(codes, iconv.encode('单据编号,影像编码\nBX-1,FY-OTHER-1\n', 'gbk'));
  const unknown = await cli(['check', dir, '--json', '--dpi', '300', '--codes', codes]);
  assert.match(unknown.stdout, /"unknown-code"/);
  await writeFile(codes, iconv.encode('单据编号,影像编码\nBX-1,FY-SMALL-1\n', 'gbk'));
  assert.equal((await cli(['check', dir, '--json', '--dpi', '300', '--codes', codes])).code, 0);
});

test('--annotate writes one PNG per page; usage errors exit 2', async () => {
  const dir = await templates();
  const out = path.join(await makeTempDir(), 'annotated');
  await cli(['check', dir, '--annotate', out]);
  assert.deepEqual(readdirSync(out).sort(), ['centred.pdf-p1.png', 'good.pdf-p1.png']);
  assert.ok(existsSync(path.join(out, 'good.pdf-p1.png')));
  assert.equal((await cli(['check'])).code, 2);
  assert.equal((await cli(['check', dir, '--dpi', 'abc'])).code, 2);
  assert.equal((await cli(['check', dir, '--pattern', '(['])).code, 2);
  assert.equal((await cli(['check', dir, '--codes', '/nonexistent.csv'])).code, 2);
});

test('human output is in the chosen language, with fixes', async () => {
  const dir = await templates();
  let stdout = '';
  await runCli(['check', dir, '--lang', 'zh-CN'], { stdout: (text) => (stdout += text), stderr: () => undefined, env: {}, waitForStop: async () => undefined });
  assert.match(stdout, /页面中央/);
  assert.match(stdout, /建议：\s*把二维码移到打印模板的右上角/);
  assert.match(stdout, /2 个文件，2 页：合格 1/);
});

test('a file name carrying terminal escapes is printed escaped, never sent raw to the terminal', async () => {
  const dir = await makeTempDir();
  const name = path.join(dir, 'evil\u001b]0;pwned\u0007\u001b[2J.pdf');
  await writeFile(name, 'not a pdf at all');
  const result = await cli(['check', name]);
  assert.equal(result.code, 2);
  // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(result.stdout + result.stderr), JSON.stringify(result.stdout));
  assert.match(result.stdout, /\\u\{1b\}/);
});

test('one long scanner PDF is shared between both workers and reported whole, pages in order', async () => {
  const dir = await makeTempDir();
  const pages = await Promise.all(
    Array.from({ length: 7 }, async (_, index) => {
      const image = renderCoverRaster({ dpi: 150, qrs: index % 3 === 2 ? [] : [{ text: `FY-SHARE-${index}`, placement: 'top-right', sizeMm: 22 }] });
      return { kind: 'jpeg' as const, bytes: await encodeJpeg(image, 150), width: image.width, height: image.height, dpi: 150 };
    }),
  );
  await writeFile(path.join(dir, 'stack.pdf'), await encodeScannerPdf(pages));
  const result = await cli(['check', path.join(dir, 'stack.pdf'), '--json', '--dpi', '150']);
  const report = JSON.parse(result.stdout) as { files: Array<{ pages: Array<{ page: number; codes: Array<{ value: string }> }> }> };
  const file = report.files[0];
  assert.equal(report.files.length, 1);
  assert.deepEqual(file?.pages.map((page) => page.page), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(file?.pages.map((page) => page.codes[0]?.value ?? null), ['FY-SHARE-0', 'FY-SHARE-1', null, 'FY-SHARE-3', 'FY-SHARE-4', null, 'FY-SHARE-6']);
});

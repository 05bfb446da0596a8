import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../electron/cli/run-cli.js';
import { encodeVectorPdf } from '../../fixtures/encode.js';
import { writeStack } from '../../fixtures/stacks.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

async function cli(args: string[], lang = 'en_US.UTF-8') {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: lang }, waitForStop: () => new Promise<never>(() => undefined) });
  return { code, stdout, stderr };
}

// The ERP keeps an image code in 50 characters (NOTES.md, "The ERP's image map"): 50 is the longest a cover may carry.
const fifty = `FY-${'A'.repeat(47)}`;
const fiftyOne = `FY-${'A'.repeat(48)}`;

test('cover: a 50-character code is made; a 51-character one exits 2 with the reason, in English and Chinese, and writes nothing', async () => {
  const dir = await makeTempDir();
  const made = await cli(['cover', '--code', fifty, '--out', path.join(dir, 'fifty.pdf'), '--data-dir', path.join(dir, 'data')]);
  assert.equal(made.code, 0, made.stderr);
  assert.ok(existsSync(path.join(dir, 'fifty.pdf')));
  const refused = await cli(['cover', '--code', fiftyOne, '--out', path.join(dir, 'long.pdf'), '--data-dir', path.join(dir, 'data')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /longer than 50 characters \(the ERP stores an image code in 50 characters\)/);
  assert.equal(existsSync(path.join(dir, 'long.pdf')), false);
  const chinese = await cli(['cover', '--code', fiftyOne, '--out', path.join(dir, 'long.pdf'), '--data-dir', path.join(dir, 'data')], 'zh_CN.UTF-8');
  assert.equal(chinese.code, 2);
  assert.match(chinese.stderr, /超过 50 个字符（ERP 的影像编码最多存 50 个字符）/);
});

test('check: a template whose QR holds 51 characters fails as too long; 50 passes', async () => {
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'a-fifty.pdf'), await encodeVectorPdf({ dpi: 200, qrs: [{ text: fifty, placement: 'top-right', sizeMm: 26 }] }));
  await writeFile(path.join(dir, 'b-long.pdf'), await encodeVectorPdf({ dpi: 200, qrs: [{ text: fiftyOne, placement: 'top-right', sizeMm: 26 }] }));
  const result = await cli(['check', dir, '--json']);
  const report = JSON.parse(result.stdout) as { files: Array<{ pages: Array<{ verdict: string; problems: Array<{ code: string; message: string }> }> }> };
  const [good, long] = report.files.map((file) => file.pages[0]);
  assert.equal(good?.problems.some((problem) => problem.code === 'invalid-code'), false, JSON.stringify(good?.problems));
  assert.equal(long?.verdict, 'fail');
  const problem = long?.problems.find((candidate) => candidate.code === 'invalid-code');
  assert.ok(problem, JSON.stringify(long?.problems));
  assert.match(problem.message, /longer than 50 characters/);
});

test('split: a cover whose code is over 50 characters is a suspect cover that says so', async () => {
  const stack = await writeStack([{ kind: 'cover', code: fifty }, { kind: 'content' }, { kind: 'cover', code: fiftyOne }, { kind: 'content' }], await makeTempDir(), 'pdf', 200);
  const json = await cli(['split', stack, '--json']);
  const report = JSON.parse(json.stdout) as { stacks: Array<{ bills: Array<{ code: string | null; held: string | null; suspect?: { reason: string } }> }> };
  const bills = report.stacks[0]?.bills ?? [];
  assert.deepEqual(
    bills.map((bill) => [bill.code, bill.held, bill.suspect?.reason ?? null]),
    [
      [fifty, null, null],
      [null, 'suspect-cover', 'code-too-long'],
    ],
  );
  const text = await cli(['split', stack], 'zh_CN.UTF-8');
  assert.match(text.stdout, /可疑封面：二维码里的编码超过 50 个字符/);
});

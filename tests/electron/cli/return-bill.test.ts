import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../electron/cli/run-cli.js';
import { createHttpAdapter } from '../../../electron/core/imaging/http-adapter.js';
import { startReferenceImagingServer } from '../../../electron/core/imaging/reference-server.js';
import { writeStack } from '../../fixtures/stacks.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

async function cli(args: string[], lang = 'en_US.UTF-8', stop: Promise<undefined> = new Promise(() => undefined)) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: lang }, waitForStop: () => stop });
  return { code, stdout, stderr };
}

test('return-bill: return by reason code, void, no image needed, list the reasons; usage errors exit 2 with the reason in both languages', async () => {
  const dataDir = await makeTempDir();
  const files = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'cli-return': 'cli-secret' } });
  try {
    const on = (args: string[], lang?: string) => cli([...args, '--data-dir', dataDir], lang);
    for (const [args, en, zh] of [
      [['return-bill', 'FY-2026-1'], /A return needs --reason TEXT, --reason-code CODE, or both/, /退回需要 --reason 原因/],
      [['return-bill', 'FY-2026-1', '--void'], /A void needs --reason TEXT/, /废弃需要 --reason 原因/],
      [['return-bill', 'FY-2026-1', '--void', '--no-image-needed', '--reason', 'x'], /Give only one of/, /只能给一个/],
      [['return-bill', 'FY-2026-1', '--reason-code', 'not a code'], /--reason-code must be 1–20/, /--reason-code 必须是/],
      [['return-bill', 'FY-2026-1', '--list-reasons'], /--list-reasons takes no image code/, /--list-reasons 不带影像编码/],
      [['return-bill', 'FY-2026-1', '--image-needed', '--reason', 'x'], /take no reason/, /不带原因/],
      [['return-bill', '--reason', 'x'], /Give the image code/, /请给出影像编码/],
    ] as const) {
      const english = await on([...args]);
      assert.equal(english.code, 2, args.join(' '));
      assert.match(english.stderr, en);
      assert.match(english.stderr, /Usage: scan-station return-bill/);
      const chinese = await on([...args], 'zh_CN.UTF-8');
      assert.equal(chinese.code, 2);
      assert.match(chinese.stderr, zh);
    }

    await writeFile(path.join(files, 'secret.txt'), 'cli-secret');
    await writeFile(path.join(files, 'profile.json'), JSON.stringify({ version: 1, profileName: 'cli', preset: 'private', code: 'FPY', host: '127.0.0.1', port: server.port, scheme: 'http', apiAddress: `${server.url}/api`, mode: 'basic', clientId: 'cli-return', taxNumber: '', stationId: 'desk-cli', scanDpi: 200, adapter: 'http' }));
    assert.equal((await on(['config', 'import', path.join(files, 'profile.json')])).code, 0);
    assert.equal((await on(['config', 'set-secret', '--secret-file', path.join(files, 'secret.txt')])).code, 0);
    const preflight = await on(['preflight']);
    assert.equal(preflight.code, 0, preflight.stdout + preflight.stderr);
    const stack = await writeStack([{ kind: 'cover', code: 'FY-2026-950001' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-950002' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
    assert.equal((await on(['intake', stack])).code, 0);
    assert.equal((await on(['upload', '--once'])).code, 0);

    const listed = await on(['return-bill', '--list-reasons']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /MISSING_PAGE\s+缺页/);
    assert.ok((JSON.parse((await on(['return-bill', '--list-reasons', '--json'])).stdout) as unknown[]).length >= 6);

    const returned = await on(['return-bill', 'FY-2026-950001', '--reason-code', 'MISSING_PAGE']);
    assert.equal(returned.code, 0, returned.stderr);
    assert.match(returned.stdout, /Returned FY-2026-950001 \(round 1\): 缺页 \(rescan reason MISSING_PAGE\)/);
    const unknownCode = await on(['return-bill', 'FY-2026-950001', '--reason-code', 'NOPE']);
    assert.equal(unknownCode.code, 1, 'an unknown reason code is the server’s 1001');

    const voided = await on(['return-bill', 'FY-2026-950002', '--void', '--reason', '单据已作废', '--json']);
    assert.equal(voided.code, 0, voided.stderr);
    assert.deepEqual(((s) => [s.status, s.imageState, s.voided.reason])(JSON.parse(voided.stdout) as { status: string; imageState: string; voided: { reason: string } }), ['voided', '5', '单据已作废']);
    const noImage = await on(['return-bill', 'FY-2026-959999', '--no-image-needed']);
    assert.equal(noImage.code, 0, noImage.stderr);
    assert.match(noImage.stdout, /FY-2026-959999 now needs no images/);
    const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'cli-return' }, clientSecret: 'cli-secret', env: {} });
    assert.equal((await adapter.queryBill('FY-2026-959999')).needImageScan, false);
    assert.equal((await on(['return-bill', 'FY-2026-959999', '--image-needed'])).code, 0);
    assert.equal((await adapter.queryBill('FY-2026-959999')).needImageScan, true);
    assert.equal((await on(['return-bill', 'FY-2026-959998', '--void', '--reason', 'x'])).code, 1, 'a code never seen cannot be voided');
  } finally {
    await server.close();
  }
});

test('serve-imaging: a bad rescan reasons file or image code refuses to start with the reason in both languages; good ones are served', async () => {
  const files = await makeTempDir();
  const dataDir = await makeTempDir();
  const duplicate = path.join(files, 'duplicate.json');
  await writeFile(duplicate, JSON.stringify([{ code: 'A', name: '一' }, { code: 'A', name: '二' }]));
  const english = await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', duplicate]);
  assert.equal(english.code, 2);
  assert.match(english.stderr, /a code appears twice \(entry 2/);
  const chinese = await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', duplicate], 'zh_CN.UTF-8');
  assert.equal(chinese.code, 2);
  assert.match(chinese.stderr, /代码重复（第 2 项/);
  const notJson = path.join(files, 'not.json');
  await writeFile(notJson, 'code,name');
  assert.match((await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', notJson])).stderr, /it is not JSON/);
  const tooLong = path.join(files, 'long.json');
  await writeFile(tooLong, JSON.stringify([{ code: 'A', name: '长'.repeat(51) }]));
  assert.match((await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', tooLong])).stderr, /a name must be 1–50 characters/);
  const huge = path.join(files, 'huge.json');
  await writeFile(huge, `[${' '.repeat(70 * 1024)}]`);
  assert.equal((await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', huge])).code, 2, 'read with a byte bound');
  assert.equal((await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', path.join(files, 'missing.json')])).code, 2);
  // 影像不清晰 saved as GBK by a Windows editor: refused as not UTF-8 in both languages, never served as replacement characters.
  const gbk = path.join(files, 'gbk.json');
  await writeFile(gbk, Buffer.concat([Buffer.from('[{"code":"UNCLEAR","name":"'), Buffer.from([0xd3, 0xb0, 0xcf, 0xf1, 0xb2, 0xbb, 0xc7, 0xe5, 0xce, 0xfa]), Buffer.from('"}]')]));
  const gbkEnglish = await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', gbk]);
  assert.equal(gbkEnglish.code, 2);
  assert.match(gbkEnglish.stderr, /not UTF-8 text \(saved as GBK\?/);
  assert.match((await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', gbk], 'zh_CN.UTF-8')).stderr, /不是 UTF-8 文本/);
  const hidden = path.join(files, 'hidden.json');
  await writeFile(hidden, JSON.stringify([{ code: 'A', name: '\u202e缺页' }]));
  assert.match((await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', hidden])).stderr, /no control or direction characters/);
  if (process.platform !== 'win32') {
    const { execFileSync } = await import('node:child_process');
    const fifo = path.join(files, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const zero = path.join(files, 'zero.json');
    await symlink('/dev/zero', zero);
    for (const file of [fifo, zero]) assert.equal((await cli(['serve-imaging', '--data-dir', dataDir, '--rescan-reasons', file])).code, 2, `${file}: refused, not read`);
  }
  assert.equal((await cli(['serve-imaging', '--data-dir', dataDir, '--no-image-needed', 'FY-1,../x'])).code, 2);

  const good = path.join(files, 'good.json');
  await writeFile(good, JSON.stringify([{ code: 'R9', name: '印章不清' }]));
  let stop = () => undefined as void;
  const stopped = new Promise<undefined>((resolve) => (stop = () => resolve(undefined)));
  let stdout = '';
  const running = runCli(['serve-imaging', '--data-dir', dataDir, '--port', '0', '--rescan-reasons', good, '--no-image-needed', 'FY-2026-960001,FY-2026-960002', '--json'], { stdout: (text) => (stdout += text), stderr: () => undefined, env: { LANG: 'en_US.UTF-8' }, waitForStop: () => stopped });
  try {
    for (let wait = 0; wait < 100 && !stdout.includes('\n'); wait += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const { url } = JSON.parse(stdout) as { url: string };
    const adapter = createHttpAdapter({ settings: { apiAddress: url, clientId: 'training' }, clientSecret: 'training-secret', env: {} });
    assert.deepEqual(await adapter.listRescanReasons(), [{ code: 'R9', name: '印章不清' }]);
    assert.equal((await adapter.queryBill('FY-2026-960002')).needImageScan, false);
    assert.equal((await adapter.queryBill('FY-2026-960003')).needImageScan, true);
  } finally {
    stop();
    assert.equal(await running, 0);
  }
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { readBoundedFile, readBoundedText } from '../../../../electron/core/fs/read-bounded.js';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const refusal = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof CoreError, String(error));
    return { code: error.code, reason: error.params['reason'] };
  }
  throw new Error('accepted');
};

/** Fails the test if `work` takes longer than `ms` (a blocked FIFO read never settles). */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms).unref())]);
}

test('a FIFO, a device, a folder, a missing file and a file over the limit are refused at once, each with its reason', async () => {
  const dir = await makeTempDir();
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  assert.deepEqual(await within(2000, refusal(readBoundedFile(fifo, 1024))), { code: 'file-unreadable', reason: 'not-regular-file' });
  assert.deepEqual(await within(2000, refusal(readBoundedFile('/dev/zero', 1024))), { code: 'file-unreadable', reason: 'not-regular-file' });
  assert.deepEqual(await refusal(readBoundedFile(dir, 1024)), { code: 'file-unreadable', reason: 'not-regular-file' });
  assert.deepEqual(await refusal(readBoundedFile(path.join(dir, 'missing'), 1024)), { code: 'file-unreadable', reason: 'ENOENT' });
  // A sparse 1 GB file: refused by its size, nothing read.
  const big = path.join(dir, 'big.csv');
  const handle = await open(big, 'w');
  await handle.truncate(1024 ** 3);
  await handle.close();
  assert.equal((await refusal(readBoundedFile(big, 16 * 1024 * 1024))).code, 'file-too-large');
  const empty = path.join(dir, 'empty.txt');
  await writeFile(empty, ' \n');
  assert.equal((await refusal(readBoundedText(empty, 1024))).code, 'file-empty');
  const ok = path.join(dir, 'ok.txt');
  await writeFile(ok, '\ufeffsecret\n');
  assert.equal(await readBoundedText(ok, 1024), 'secret\n');
});

test('every CLI option that reads a file refuses a FIFO and /dev/zero at once (exit 2, a reason, no growth)', async () => {
  const dir = await makeTempDir();
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const cli = async (args: string[]) => {
    let out = '';
    const code = await runCli([...args, '--data-dir', dir], { stdout: (text) => (out += text), stderr: (text) => (out += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
    return { code, out };
  };
  const started = process.memoryUsage().rss;
  for (const source of [fifo, '/dev/zero']) {
    for (const args of [
      ['check', dir, '--codes', source],
      ['config', 'import', source],
      ['config', 'check', '--file', source],
      ['config', 'set-secret', '--secret-file', source],
      ['preflight', '--secret-file', source],
      ['preflight', '--ca', source],
      ['cover', '--from', source, '--out', path.join(dir, 'x.pdf')],
    ]) {
      const result = await within(5000, cli(args));
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.out}`);
      assert.match(result.out, /not a regular file/, args.join(' '));
    }
  }
  assert.ok(process.memoryUsage().rss - started < 200 * 1024 * 1024, 'nothing large was read');
});

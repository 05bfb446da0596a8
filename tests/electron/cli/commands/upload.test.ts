import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { StopSignal } from '../../../../electron/cli/cli-context.js';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('upload with a data folder that refuses the queue\'s records: it says why and keeps trying (no quiet exit 0); --once exits 1 with the reason', { timeout: 120_000 }, async () => {
  const dataDir = await makeTempDir();
  const files = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'cli-upload': 'cli-secret' } });
  let stop: () => void = () => undefined;
  const stopped = new Promise<StopSignal>((resolve) => (stop = () => resolve('SIGTERM')));
  let stdout = '';
  let stderr = '';
  const on = (args: string[], waitForStop: () => Promise<StopSignal | undefined> = () => new Promise(() => undefined)) =>
    runCli([...args, '--data-dir', dataDir], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop });
  try {
    await writeFile(path.join(files, 'secret.txt'), 'cli-secret');
    await writeFile(path.join(files, 'profile.json'), JSON.stringify({ version: 1, profileName: 'cli', preset: 'private', code: 'FPY', host: '127.0.0.1', port: server.port, scheme: 'http', apiAddress: `${server.url}/api`, mode: 'basic', clientId: 'cli-upload', taxNumber: '', stationId: 'desk-cli', scanDpi: 200, adapter: 'http' }));
    assert.equal(await on(['config', 'import', path.join(files, 'profile.json')]), 0);
    assert.equal(await on(['config', 'set-secret', '--secret-file', path.join(files, 'secret.txt')]), 0);
    assert.equal(await on(['preflight']), 0);
    assert.equal(await on(['intake', await writeStack([{ kind: 'cover', code: 'FY-2026-940001' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100)]), 0);
    // A real failure of the file system, no stand-in: a file where the bill's upload folder must go.
    const stacksDir = path.join(dataDir, 'spool', 'stacks');
    const [stack] = await readdir(stacksDir);
    const blocker = path.join(stacksDir, stack as string, 'upload');
    await writeFile(blocker, 'not a folder');

    stdout = '';
    const running = on(['upload'], () => stopped);
    const deadline = Date.now() + 30_000;
    while (!/Upload queue: waiting to retry · the data folder’s disk reports errors/.test(stdout)) {
      assert.ok(Date.now() < deadline, `no wait said: ${stdout}${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    let ended = false;
    void running.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(ended, false, 'still running, waiting for the folder');
    stop();
    assert.equal(await running, 0, 'a stop by a person');
    assert.match(stdout, /FY-2026-940001 {2}ready {2}0\/2/);

    stdout = '';
    assert.equal(await on(['upload', '--once', '--json']), 1);
    const once = JSON.parse(stdout) as { state: string; reason: string; nextAttemptAt: string | null };
    assert.deepEqual([once.state, once.reason], ['waiting', 'data-folder-failing']);
    assert.ok(once.nextAttemptAt);

    await rm(blocker);
    stdout = '';
    assert.equal(await on(['upload', '--once']), 0, stdout);
    assert.match(stdout, /nothing to send · 0 queued, 0 sending, 0 waiting, 0 held, 1 done/);
  } finally {
    await server.close();
  }
});

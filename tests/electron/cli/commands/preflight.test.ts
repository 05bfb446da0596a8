import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

async function cli(args: string[]) {
  let stdout = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: () => undefined, env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout };
}

test('preflight --json: {ok, steps:[{id,status,ms,code,message,fix}]}; exit 0 when all pass, 1 when a step fails', async () => {
  const dir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir: dir, clients: { 'station-cli': 'cli-secret' } });
  try {
    const secret = path.join(dir, 'secret.txt');
    await writeFile(secret, 'cli-secret\n');
    const good = await cli(['preflight', '--api', server.url, '--client-id', 'station-cli', '--secret-file', secret, '--json', '--data-dir', dir]);
    const report = JSON.parse(good.stdout) as { ok: boolean; steps: Array<{ id: string; status: string; code: string; message: string; fix: string; ms: number }> };
    assert.deepEqual([good.code, report.ok], [0, true]);
    assert.deepEqual(report.steps.map((step) => step.id), ['settings', 'proxy', 'dns', 'tcp', 'tls', 'http', 'auth', 'clock', 'whitelist', 'folder']);
    assert.equal(report.steps.find((step) => step.id === 'auth')?.message, 'Authenticated; a token was obtained.');
    await writeFile(secret, 'Wr0ng-S3cret-x91');
    const refused = await cli(['preflight', '--api', server.url, '--client-id', 'station-cli', '--secret-file', secret, '--json', '--data-dir', dir]);
    const auth = (JSON.parse(refused.stdout) as typeof report).steps.find((step) => step.id === 'auth');
    assert.deepEqual([refused.code, auth?.status, auth?.code], [1, 'fail', 'auth-refused']);
    assert.match(auth?.fix ?? '', /client id and secret/);
    assert.ok(!refused.stdout.includes('Wr0ng-S3cret-x91') && !good.stdout.includes('cli-secret'), 'secrets never appear in the output');
  } finally {
    await server.close();
  }
  assert.equal((await cli(['preflight', '--secret-file', '/nonexistent', '--data-dir', dir])).code, 2);
  assert.equal((await cli(['preflight', '--api', 'not a url', '--data-dir', dir])).code, 2);
});

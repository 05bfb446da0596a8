import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../electron/cli/run-cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout, stderr };
}

test('config check --json: {problems:[{field,code,message,fix}]}, exit 1 on errors, 0 when clean', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'hq.json');
  await writeFile(file, JSON.stringify({ version: 1, profileName: 'HQ', preset: 'private', code: 'FPY', host: '10.1.2.3', port: 80, scheme: 'http', apiAddress: 'http://10.1.2.3:8080', mode: 'basic', clientId: 'id', taxNumber: '', stationId: 's1', scanDpi: 200 }));
  const bad = await cli(['config', 'check', '--file', file, '--json']);
  assert.equal(bad.code, 1);
  assert.deepEqual(JSON.parse(bad.stdout), {
    problems: [
      {
        field: 'apiAddress',
        code: 'private-api-suffix',
        severity: 'error',
        message: 'The private deployment’s API address “http://10.1.2.3:8080” does not end in /api.',
        fix: 'Use http://10.1.2.3:8080/api (private deployments: http://IP:nginx-port/api).',
      },
    ],
  });
  const fresh = await cli(['config', 'check', '--json', '--data-dir', dir]);
  assert.deepEqual([fresh.code, JSON.parse(fresh.stdout)], [0, { problems: [] }]);
});

test('config: unreadable or malformed files and unknown actions are usage errors (exit 2)', async () => {
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'broken.json'), '{ "version": 1, ');
  await writeFile(path.join(dir, 'wrong.json'), JSON.stringify({ version: 1, host: 5 }));
  for (const args of [['config', 'check', '--file', path.join(dir, 'nope.json')], ['config', 'check', '--file', path.join(dir, 'broken.json')], ['config', 'check', '--file', path.join(dir, 'wrong.json')], ['config', 'frobnicate'], ['config', 'erp-prefix', 'ftp://x']]) {
    assert.equal((await cli(args)).code, 2, args.join(' '));
  }
  const prefix = await cli(['config', 'erp-prefix', 'http://172.0.0.1:8080/ierp/', '--json']);
  assert.equal((JSON.parse(prefix.stdout) as { prefix: string }).prefix, 'http://172.0.0.1:8080/ierp/api/');
});

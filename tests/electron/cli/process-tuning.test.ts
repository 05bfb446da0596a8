import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { cliThreadpoolSize, tuneThreadpool } from '../../../electron/cli/process-tuning.js';

test('the CLI sizes the libuv pool to its two workers unless the user chose a size', () => {
  const unset: NodeJS.ProcessEnv = {};
  tuneThreadpool(unset);
  assert.equal(unset['UV_THREADPOOL_SIZE'], cliThreadpoolSize);
  const chosen: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '8' };
  tuneThreadpool(chosen);
  assert.equal(chosen['UV_THREADPOOL_SIZE'], '8');
});

test('the bundled CLI applies it before anything runs', { skip: !existsSync('dist/cli/scan-station.cjs') && 'run npm run build first' }, () => {
  // A preload prints what libuv will see once the entry's first statement has run.
  const probe = "process.on('exit', () => process.stderr.write('pool=' + process.env.UV_THREADPOOL_SIZE))";
  const env = { ...process.env };
  delete env['UV_THREADPOOL_SIZE'];
  const run = spawnSync(process.execPath, ['-e', `${probe}; require('./dist/cli/scan-station.cjs')`, '--', '--version'], { encoding: 'utf8', env });
  assert.match(run.stderr, new RegExp(`pool=${cliThreadpoolSize}`));
});

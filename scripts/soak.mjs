// The long durability runs: the spool (intake), the upload queue and the scan (capture) crash tests
// with 300 SIGKILLs each (npm test runs 50, 50 and 6).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync(process.execPath, ['scripts/build.mjs', '--node-only'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'tests/electron/core/spool/spool-crash.test.ts', 'tests/electron/core/upload/upload-crash.test.ts', 'tests/electron/core/capture/capture-crash.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SCAN_STATION_SOAK_KILLS: process.env.SCAN_STATION_SOAK_KILLS ?? '300' },
});
process.exit(run.status ?? 1);

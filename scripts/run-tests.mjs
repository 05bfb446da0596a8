// Runs the test suites with Node's own test runner (TypeScript through tsx).
//   unit: builds the Node bundles, then every tests/**/*.test.ts outside tests/e2e
//   e2e:  builds the app, then tests/e2e/**/*.test.ts in Debian's Chromium
//   --screenshots DIR  where the e2e suite saves its screenshots (default test-results/screenshots)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [suite = 'unit', ...rest] = process.argv.slice(2);
const shotIndex = rest.indexOf('--screenshots');
const env = { ...process.env };
if (shotIndex >= 0 && rest[shotIndex + 1]) env.SCAN_STATION_SCREENSHOTS = path.resolve(rest[shotIndex + 1]);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const e2eDir = path.join(root, 'tests', 'e2e');
const files = findTests(path.join(root, 'tests'))
  .filter((file) => (suite === 'e2e' ? file.startsWith(e2eDir + path.sep) : !file.startsWith(e2eDir + path.sep)))
  .sort();
if (files.length === 0) {
  console.error(`no ${suite} tests found`);
  process.exit(1);
}

// e2e needs the whole app; unit tests check the Node bundles (the preload's requires, the CLI entry),
// so they build those too (about a second) rather than skip on a fresh clone.
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), ...(suite === 'e2e' ? [] : ['--node-only'])], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const run = spawnSync(
  process.execPath,
  // e2e files share one Chromium's timing: one at a time. Unit files spend much of their time waiting on
  // child processes, servers and timers (the SIGKILL harnesses, the network-loss run), so two at once
  // overlap those waits: 7.5 instead of 11.5 minutes on the 2-core CI machine (Node's default there is 1).
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${suite === 'e2e' ? 1 : 2}`, ...files.map((file) => path.relative(root, file))],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(run.status ?? 1);

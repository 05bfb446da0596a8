import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { isVersionAtLeast, runStationCheck } from '../../../../electron/core/diagnose/station-check.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { resolveCorePaths } from '../../../../electron/core/app/paths.js';
import { createPrefsStore } from '../../../../electron/core/prefs/prefs-store.js';
import { stationCheckStepIds } from '../../../../electron/shared/ipc-contract.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const now = () => new Date('2026-11-23T08:00:00Z');
const plentyOfSpace = async () => ({ bavail: 50_000_000, bsize: 4096 });

async function deps(statfs = plentyOfSpace, nodeVersion = '20.20.2') {
  const dataDir = await makeTempDir();
  const paths = resolveCorePaths(dataDir);
  const prefs = createPrefsStore({ file: paths.prefsFile, defaultLanguage: 'zh-CN', now, log: createMemoryLogger() });
  return { paths, prefs, now, statfs, nodeVersion };
}

test('a healthy station passes every step, in order, reporting progress for each', async () => {
  const seen: Array<[string, number, number]> = [];
  const report = await runStationCheck(await deps(), (step, index, total) => seen.push([step.id, index, total]));
  assert.equal(report.verdict, 'pass');
  assert.deepEqual(report.steps.map((step) => step.id), [...stationCheckStepIds]);
  assert.deepEqual(seen, stationCheckStepIds.map((id, index) => [id, index, stationCheckStepIds.length]));
});

test('low disk warns and critical disk fails, with the free space in the message params', async () => {
  const low = await runStationCheck(await deps(async () => ({ bavail: 1_000_000_000 / 4096, bsize: 4096 })));
  assert.equal(low.verdict, 'warn');
  assert.equal(low.steps.find((step) => step.id === 'disk-space')?.code, 'disk-low');
  const critical = await runStationCheck(await deps(async () => ({ bavail: 10, bsize: 4096 })));
  assert.equal(critical.verdict, 'fail');
  const disk = critical.steps.find((step) => step.id === 'disk-space');
  assert.equal(disk?.code, 'disk-critical');
  assert.equal(disk?.params['free'], '41.0 KB');
});

test('an unwritable data folder fails that step and the rest still run', async () => {
  const d = await deps();
  // A plain file where the tmp folder should be makes every write below it fail.
  await writeFile(d.paths.tmpDir, 'not a folder');
  const report = await runStationCheck(d);
  const dataDir = report.steps.find((step) => step.id === 'data-dir');
  assert.equal(dataDir?.status, 'fail');
  assert.equal(dataDir?.code, 'data-dir-unwritable');
  assert.equal(report.steps.length, stationCheckStepIds.length);
  assert.equal(report.verdict, 'fail');
});

test('an old Node.js fails the runtime step; a damaged prefs file warns', async () => {
  const d = await deps(plentyOfSpace, '18.19.0');
  await writeFile(path.join(d.paths.dataDir, 'prefs.json'), 'garbage');
  const report = await runStationCheck(d);
  assert.equal(report.steps.find((step) => step.id === 'runtime')?.status, 'fail');
  assert.equal(report.steps.find((step) => step.id === 'prefs')?.status, 'warn');
});

test('version comparison', () => {
  assert.ok(isVersionAtLeast('20.19.0', '20.19.0'));
  assert.ok(isVersionAtLeast('22.1.0', '20.19.0'));
  assert.ok(!isVersionAtLeast('20.18.9', '20.19.0'));
});

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createPrefsStore } from '../../../../electron/core/prefs/prefs-store.js';
import { createDeskSettingsStore } from '../../../../electron/core/desk/desk-settings.js';
import { createScanDeskService, type WatchReport } from '../../../../electron/core/desk/scan-desk-service.js';
import { findNameProblem } from '../../../../electron/shared/file-names.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeCoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const noEvents = () => undefined;
const stationFiles = ['endpoint.json', 'prefs.json', 'secrets.json', 'secrets.key'];

test('the data folder (or a folder inside, around or linked to it) cannot be the scan folder: refused with a code, nothing of the station moved', async () => {
  const parent = await makeTempDir();
  const dataDir = path.join(parent, 'Scan Station');
  const { core, dispatcher } = await makeCoreHarness({ dataDir, watchSettleMs: 0, watchPollMs: 50 });
  try {
    // The station's own files, as a configured station has them.
    await core.endpoint.saveSettings((await core.endpoint.readSettings()).settings, 'secret-1');
    await core.prefs.updatePrefs({ language: 'en' });
    const linkToData = path.join(await makeTempDir(), 'scans');
    await fs.symlink(dataDir, linkToData);
    for (const folder of [dataDir, `${dataDir}${path.sep}`, path.join(dataDir, 'spool'), path.join(dataDir, 'spool', 'stacks', '..', '..'), path.join(dataDir, 'not-yet', 'scans'), parent, linkToData]) {
      const answer = await dispatcher.dispatch('scanDesk:setWatch', { folder, paused: false }, { transport: 'in-process' }, noEvents);
      assert.equal(answer.ok ? 'watched' : answer.error.code, 'watch-folder-is-station-data', folder);
      assert.match(answer.ok ? '' : answer.error.message, /cannot be watched: it is the station’s own data folder/);
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const name of stationFiles) await fs.access(path.join(dataDir, name));
    assert.deepEqual(await fs.readdir(dataDir).then((names) => names.filter((name) => name === 'refused' || name === 'imported')), []);
    const report = await dispatcher.dispatch('scanDesk:watchStatus', {}, { transport: 'in-process' }, noEvents);
    assert.deepEqual(report.ok && (report.value as WatchReport).status, { state: 'off' });
    assert.equal((await core.prefs.readPrefs()).watchFolder, undefined, 'a refused folder is not remembered');
    assert.equal((await core.endpoint.readSettings()).secret.stored, true);

    // A folder beside the data folder is fine.
    const beside = path.join(parent, 'Scan Station scans');
    await fs.mkdir(beside);
    const fine = await dispatcher.dispatch('scanDesk:setWatch', { folder: beside, paused: false }, { transport: 'in-process' }, noEvents);
    assert.deepEqual(fine.ok && (fine.value as WatchReport).status.state, 'watching');
  } finally {
    await core.close();
  }
});

test('a data folder remembered as the scan folder (before this check) is not watched at start', async () => {
  const dataDir = await makeTempDir();
  await fs.writeFile(path.join(dataDir, 'prefs.json'), JSON.stringify({ version: 1, prefs: { language: 'en', languageChosen: true, startAtLogin: false, watchFolder: dataDir, watchPaused: false } }));
  const { core, dispatcher } = await makeCoreHarness({ dataDir, watchSettleMs: 0, watchPollMs: 50 });
  try {
    await core.endpoint.saveSettings((await core.endpoint.readSettings()).settings, 'secret-1');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const report = await dispatcher.dispatch('scanDesk:watchStatus', {}, { transport: 'in-process' }, noEvents);
    assert.deepEqual(report.ok && (report.value as WatchReport).status, { state: 'off' });
    for (const name of stationFiles) await fs.access(path.join(dataDir, name));
  } finally {
    await core.close();
  }
});

test('a dropped file whose name Windows cannot have is taken in under a safe name; an ordinary name is kept as shown', async () => {
  const harness = await makeCoreHarness();
  try {
    const names = new Map([
      ['CON.pdf', '_CON.pdf'],
      ['a:b.pdf', 'a_b.pdf'],
      ['发票 2026-12.pdf', '发票 2026-12.pdf'],
    ]);
    let code = 800001;
    for (const [dropped, kept] of names) {
      // Each stack different, so none is "taken in before".
      const file = await writeStack([{ kind: 'cover', code: `FY-2026-${code++}` }, { kind: 'content' }], await makeTempDir(), 'pdf');
      const outcome = await harness.core.scanDesk.importUpload(dropped, new Uint8Array(await readFile(file)));
      assert.equal(outcome.status, 'ingested', dropped);
      const stack = (await harness.core.scanDesk.spool.listStacks()).find((candidate) => outcome.status === 'ingested' && candidate.id === outcome.stack.id);
      assert.equal(stack?.source.name, kept, dropped);
      assert.equal(findNameProblem(stack?.source.name ?? ''), null, dropped);
    }
  } finally {
    await harness.core.close();
  }
});

async function waitForReport(read: () => Promise<WatchReport>, done: (report: WatchReport) => boolean): Promise<WatchReport> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const report = await read();
    if (done(report)) return report;
    assert.ok(Date.now() < deadline, JSON.stringify(report.status));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('the Scan desk says the watch is failing (not "watching") when its looks fail twice in a row, and watching again once they pass', async () => {
  const root = await makeTempDir();
  const folder = path.join(root, 'scans');
  await mkdir(folder);
  // The spool's work folder's place is taken by a plain file: the spool cannot start, so no look can work.
  await mkdir(path.join(root, 'data', 'spool'), { recursive: true });
  await writeFile(path.join(root, 'data', 'spool', 'tmp'), 'in the way');
  const log = createMemoryLogger();
  const prefs = createPrefsStore({ file: path.join(root, 'prefs.json'), defaultLanguage: 'en', now: () => new Date(), log });
  const desk = createScanDeskService({ spoolDir: path.join(root, 'data', 'spool'), tmpDir: path.join(root, 'tmp'), ownFolders: [path.join(root, 'data'), path.join(root, 'data', 'spool')], log, now: () => new Date(), prefs, settings: createDeskSettingsStore(root), settleMs: 0, pollMs: 20 });
  try {
    await desk.setWatch(folder, false);
    const failing = await waitForReport(() => desk.watchReport(), (report) => report.status.state === 'failing');
    assert.equal(failing.status.state === 'failing' ? failing.status.error.code : '', 'watch-look-failed');
    await rm(path.join(root, 'data', 'spool', 'tmp'));
    await waitForReport(() => desk.watchReport(), (report) => report.status.state === 'watching' && report.status.lastLookAt !== null);
  } finally {
    await desk.close();
  }
});

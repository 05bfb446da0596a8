import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createPrefsStore } from '../../../../electron/core/prefs/prefs-store.js';
import { createDeskSettingsStore } from '../../../../electron/core/spool/desk-settings.js';
import { createScanDeskService, type WatchReport } from '../../../../electron/core/spool/scan-desk-service.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

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
  const desk = createScanDeskService({ spoolDir: path.join(root, 'data', 'spool'), tmpDir: path.join(root, 'tmp'), log, now: () => new Date(), prefs, settings: createDeskSettingsStore(root), settleMs: 0, pollMs: 20 });
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

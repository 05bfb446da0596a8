import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createCore } from '../../../../electron/core/create-core.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { defaultEndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const profile = { ...defaultEndpointSettings, profileName: 'Head office', preset: 'private', host: '10.20.30.40', port: 8080, scheme: 'http', apiAddress: 'http://10.20.30.40:8080/api', clientId: 'erp-fin', stationId: 'it-template' };

async function startCore(dataDir: string, firstRunProfiles: string[] = []) {
  const log = createMemoryLogger();
  const core = await createCore({ dataDir, appVersion: 'test', log, firstRunProfiles });
  return { core, log };
}

test('a silent install: the profile beside the app configures a fresh station once, keeping the station id; a configured station is never overwritten', async () => {
  const appDir = await makeTempDir();
  const besideApp = path.join(appDir, 'scan-station-profile.json');
  await writeFile(besideApp, JSON.stringify(profile));
  const dataDir = await makeTempDir();
  let { core, log } = await startCore(dataDir, [besideApp]);
  const { settings } = await core.endpoint.readSettings();
  assert.deepEqual([settings.profileName, settings.host, settings.clientId], ['Head office', '10.20.30.40', 'erp-fin']);
  assert.equal(settings.stationId, defaultEndpointSettings.stationId, 'the station keeps its own id, as config import does');
  assert.ok(log.records.some((record) => record.event === 'first-run-profile.imported'));
  await core.close();
  // IT changes the file later, or the station was set up by hand: the saved profile stands.
  await writeFile(besideApp, JSON.stringify({ ...profile, host: '10.99.99.99' }));
  ({ core, log } = await startCore(dataDir, [besideApp]));
  assert.equal((await core.endpoint.readSettings()).settings.host, '10.20.30.40');
  assert.ok(!log.records.some((record) => record.event === 'first-run-profile.imported'));
  await core.close();
});

test('the data folder\'s own roll-out file comes first; a broken or hostile one is refused and logged, the station stays on its defaults', async () => {
  const dataDir = await makeTempDir();
  await writeFile(path.join(dataDir, 'scan-station-profile.json'), JSON.stringify({ ...profile, apiAddress: 'ftp://nowhere', port: 0 }));
  const { core, log } = await startCore(dataDir);
  assert.equal((await core.endpoint.readSettings()).settings.profileName, defaultEndpointSettings.profileName);
  const refused = log.records.find((record) => record.event === 'first-run-profile.refused');
  assert.ok(refused, 'named in the log');
  assert.equal(existsSync(path.join(dataDir, 'endpoint.json')), false, 'nothing half-saved');
  await core.close();
  // A FIFO where the file should be is not waited on.
  const fifoDir = await makeTempDir();
  const fifo = path.join(fifoDir, 'scan-station-profile.json');
  execFileSync('mkfifo', [fifo]);
  {
    const other = await startCore(await makeTempDir(), [fifo]);
    assert.ok(other.log.records.some((record) => record.event === 'first-run-profile.unreadable'));
    await other.core.close();
  }
  assert.ok((await readFile(path.join(dataDir, 'scan-station-profile.json'), 'utf8')).includes('ftp://'), 'the file is left for IT to see');
});

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createPrefsStore } from '../../../../electron/core/prefs/prefs-store.js';
import { createScanIdentity } from '../../../../electron/core/desk/scan-identity.js';
import { defaultEndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const open = (dataDir: string) => {
  const log = createMemoryLogger();
  return createScanIdentity({ dataDir, prefs: createPrefsStore({ file: path.join(dataDir, 'prefs.json'), defaultLanguage: 'en', now: () => new Date(), log }), log });
};

test('the signed-in clerk wins over the station scan user, is kept across restarts until signed out, and is checked like the settings', async () => {
  const dataDir = await makeTempDir();
  assert.deepEqual(await open(dataDir).current(), { user: null, point: null }, 'a fresh station records nobody, nowhere');
  await writeFile(path.join(dataDir, 'endpoint.json'), JSON.stringify({ ...defaultEndpointSettings, scanPoint: 'SP-1', scanUser: 'station-user' }));
  assert.deepEqual(await open(dataDir).current(), { user: 'station-user', point: 'SP-1' });
  assert.deepEqual(await open(dataDir).signIn(' 王小明 '), { signedIn: '王小明', stationUser: 'station-user', scanPoint: 'SP-1' });
  assert.deepEqual(await open(dataDir).current(), { user: '王小明', point: 'SP-1' }, 'kept across a restart');
  for (const bad of ['x'.repeat(51), 'a\nb', 'evil\u202etxt.exe', 'u\u20601024', 'u\u00ad1024']) {
    await assert.rejects(open(dataDir).signIn(bad), (error: unknown) => error instanceof CoreError && error.code === 'scan-user-invalid' && error.params['max'] === 50);
  }
  assert.equal((await open(dataDir).view()).signedIn, '王小明', 'a refused sign-in changes nothing');
  assert.deepEqual(await open(dataDir).signIn('  '), { signedIn: null, stationUser: 'station-user', scanPoint: 'SP-1' }, 'blank signs out');
  assert.equal('scanUser' in (JSON.parse(await readFile(path.join(dataDir, 'prefs.json'), 'utf8')) as { prefs: object }).prefs, false);
});

test('a hand-edited value the ERP could not keep is not recorded, and a damaged profile does not stop intake', async () => {
  const dataDir = await makeTempDir();
  await writeFile(path.join(dataDir, 'prefs.json'), JSON.stringify({ version: 1, prefs: { language: 'en', languageChosen: true, startAtLogin: false, scanUser: 'x'.repeat(60) } }));
  await writeFile(path.join(dataDir, 'endpoint.json'), JSON.stringify({ ...defaultEndpointSettings, scanPoint: 'a\u0007b', scanUser: 'ok-user' }));
  assert.deepEqual(await open(dataDir).current(), { user: 'ok-user', point: null });
  await writeFile(path.join(dataDir, 'endpoint.json'), '{ not json');
  assert.deepEqual(await open(dataDir).current(), { user: null, point: null });
});

import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createPrefsStore } from '../../../../electron/core/prefs/prefs-store.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const now = () => new Date('2026-11-23T08:00:00Z');

test('missing file gives defaults; updates persist in a versioned file', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'prefs.json');
  const store = createPrefsStore({ file, defaultLanguage: 'zh-CN', now, log: createMemoryLogger() });
  assert.deepEqual(await store.readPrefs(), { language: 'zh-CN', languageChosen: false, startAtLogin: false });
  assert.deepEqual(await store.inspectPrefsFile(), { state: 'missing' });
  // Remembering the page is not choosing a language: the UI may still follow the browser's.
  assert.deepEqual(await store.updatePrefs({ lastArea: 'covers' }), { language: 'zh-CN', languageChosen: false, startAtLogin: false, lastArea: 'covers' });
  assert.deepEqual(await store.updatePrefs({ language: 'en' }), { language: 'en', languageChosen: true, startAtLogin: false, lastArea: 'covers' });
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { version: 1, prefs: { language: 'en', languageChosen: true, startAtLogin: false, lastArea: 'covers' } });
  const reopened = createPrefsStore({ file, defaultLanguage: 'zh-CN', now, log: createMemoryLogger() });
  assert.deepEqual(await reopened.readPrefs(), { language: 'en', languageChosen: true, startAtLogin: false, lastArea: 'covers' });
});

test('a file written before languageChosen existed counts as a choice', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'prefs.json');
  await writeFile(file, '{"version":1,"prefs":{"language":"en"}}');
  const store = createPrefsStore({ file, defaultLanguage: 'zh-CN', now, log: createMemoryLogger() });
  assert.deepEqual(await store.readPrefs(), { language: 'en', languageChosen: true, startAtLogin: false });
});

test('a damaged file is set aside (not deleted), defaults are used and the event is logged', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'prefs.json');
  await writeFile(file, '{"version":1,"prefs":{"language":"klingon"}');
  const log = createMemoryLogger();
  const store = createPrefsStore({ file, defaultLanguage: 'en', now, log });
  assert.deepEqual(await store.readPrefs(), { language: 'en', languageChosen: false, startAtLogin: false });
  const state = await store.inspectPrefsFile();
  assert.equal(state.state, 'recovered');
  const files = await readdir(dir);
  assert.deepEqual(files, ['prefs.json.corrupt-2026-11-23T08-00-00-000Z']);
  assert.equal(await readFile(path.join(dir, files[0] ?? ''), 'utf8'), '{"version":1,"prefs":{"language":"klingon"}');
  assert.equal(log.records[0]?.event, 'prefs.corrupt');
});

test('concurrent updates are serialised, the last one wins', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'prefs.json');
  const store = createPrefsStore({ file, defaultLanguage: 'zh-CN', now, log: createMemoryLogger() });
  const results = await Promise.all([store.updatePrefs({ language: 'en' }), store.updatePrefs({ language: 'zh-CN' }), store.updatePrefs({ language: 'en' })]);
  assert.deepEqual(results.map((prefs) => prefs.language), ['en', 'zh-CN', 'en']);
  assert.deepEqual(await store.readPrefs(), { language: 'en', languageChosen: true, startAtLogin: false });
});

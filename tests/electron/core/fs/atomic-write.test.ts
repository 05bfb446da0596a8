import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../../../electron/core/fs/atomic-write.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('replaces the file and leaves no temp file behind', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'nested', 'prefs.json');
  await writeFileAtomic(file, 'one');
  await writeFileAtomic(file, 'two');
  assert.equal(await readFile(file, 'utf8'), 'two');
  assert.deepEqual(await readdir(path.dirname(file)), ['prefs.json']);
});

test('a failed write keeps the old content and cleans up', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'target');
  // A folder where the file should be makes the final rename fail.
  await mkdir(file);
  await writeFile(path.join(file, 'keep'), 'old');
  await assert.rejects(writeFileAtomic(file, 'new'));
  assert.equal(await readFile(path.join(file, 'keep'), 'utf8'), 'old');
  assert.deepEqual(await readdir(dir), ['target']);
});

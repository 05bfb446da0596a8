import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** A real 1 MB file system for the spool, where this machine allows mounting one (root on Linux). */
function mountSmallDisk(dir: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
}

test('a full disk mid-intake: a clear error, the source untouched, nothing half in the spool, and the next intake works once there is room', async (t) => {
  const disk = path.join(await makeTempDir(), 'small-disk');
  await mkdir(disk);
  if (!mountSmallDisk(disk)) return t.skip('cannot mount a 1 MB tmpfs here (needs root on Linux)');
  try {
    const spool = createSpool({ dir: path.join(disk, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-11-27T11:00:00Z'), rules: defaultCodeRules });
    await spool.recover();
    // About 2 MB of pages: more than the disk holds.
    const big = await writeStack(Array.from({ length: 16 }, (_, n) => (n % 4 === 0 ? { kind: 'cover' as const, code: `FY-2026-0013${String(n).padStart(2, '0')}` } : { kind: 'content' as const })), await makeTempDir(), 'pdf', 200);
    const before = createHash('sha256').update(await readFile(big)).digest('hex');
    await assert.rejects(spool.ingest(big, { moveSourceTo: path.join(path.dirname(big), 'imported') }), (error) => error instanceof CoreError && error.code === 'disk-full' && error.params['dir'] === path.join(disk, 'spool'));
    assert.equal(createHash('sha256').update(await readFile(big)).digest('hex'), before, 'the source is untouched and still in place');
    assert.deepEqual(await readdir(path.join(disk, 'spool', 'tmp')), [], 'no half-written stack');
    assert.deepEqual(await readdir(path.join(disk, 'spool', 'stacks')), []);
    // A small stack fits: the spool carries on.
    const small = await writeStack([{ kind: 'cover', code: 'FY-2026-001399' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
    assert.equal((await spool.ingest(small)).status, 'ingested');
  } finally {
    execFileSync('umount', [disk]);
  }
});

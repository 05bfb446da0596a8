import assert from 'node:assert/strict';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { defaultDocumentLimits } from '../../../../electron/core/document/document-limits.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** A sparse file: its size is real, its bytes take no disk (and read back as zeros, fast). */
async function sparseFile(file: string, size: number, head = ''): Promise<string> {
  const handle = await open(file, 'w');
  try {
    if (head) await handle.write(head, 0, 'latin1');
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
  return file;
}

test('a huge file is refused by its size and type before it is hashed: at once, not after reading gigabytes', async () => {
  const dir = await makeTempDir();
  const spoolDir = path.join(dir, 'spool');
  const refusal = async (file: string, limits = defaultDocumentLimits) => {
    const spool = createSpool({ dir: spoolDir, log: createMemoryLogger(), now: () => new Date('2026-11-27T09:00:00Z'), rules: defaultCodeRules, limits });
    const started = performance.now();
    const error = await spool.ingest(file).then(() => null, (caught: unknown) => caught);
    return { code: error instanceof CoreError ? error.code : String(error), ms: performance.now() - started };
  };
  // 2 GB, as a scanner share may hold: hashing it first took 20 s here (SHA-256 of every byte).
  const tooLarge = await refusal(await sparseFile(path.join(dir, 'huge.pdf'), 2 * 1024 ** 3, '%PDF-1.7\n'));
  assert.equal(tooLarge.code, 'file-too-large');
  assert.ok(tooLarge.ms < 1500, `${Math.round(tooLarge.ms)} ms`);
  // Within a (raised) size limit but no document at all: refused by its first kilobyte.
  const unknown = await refusal(await sparseFile(path.join(dir, 'zeros.pdf'), 2 * 1024 ** 3), { ...defaultDocumentLimits, maxBytes: 4 * 1024 ** 3 });
  assert.equal(unknown.code, 'unsupported-format');
  assert.ok(unknown.ms < 1500, `${Math.round(unknown.ms)} ms`);
  assert.deepEqual(await readdir(spoolDir).catch(() => []), [], 'nothing was stored');
});

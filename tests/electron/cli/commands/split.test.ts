import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout, stderr };
}

test('split --json: the documented shape; exit 0 when every bill is clean, 1 when anything is held, 2 on an unreadable file', async () => {
  const dir = await makeTempDir();
  const clean = await writeStack([{ kind: 'cover', code: 'FY-2026-000301' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-2026-000302' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  const ok = await cli(['split', clean, '--json']);
  assert.equal(ok.code, 0, ok.stdout);
  assert.deepEqual(JSON.parse(ok.stdout), {
    stacks: [
      {
        file: clean,
        pages: 5,
        bills: [
          { code: 'FY-2026-000301', cover: 1, pages: [1, 2], held: null },
          { code: 'FY-2026-000302', cover: 4, pages: [4, 5], held: null },
        ],
        orphans: [],
        blank: [3],
        error: null,
      },
    ],
  });
  const held = await writeStack([{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-000303' }, { kind: 'content' }], await makeTempDir(), 'jpeg-folder');
  const one = await cli(['split', held]);
  assert.equal(one.code, 1);
  assert.match(one.stdout, /pages before the first cover: 1/);
  const junk = path.join(dir, 'junk.pdf');
  await writeFile(junk, 'not a pdf');
  const bad = await cli(['split', junk, '--json']);
  assert.equal(bad.code, 2);
  assert.equal((JSON.parse(bad.stdout) as { stacks: Array<{ error: { code: string } }> }).stacks[0]?.error.code, 'unsupported-format');
  assert.equal((await cli(['split'])).code, 2);
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { findNameProblem } from '../../../../electron/shared/file-names.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeCoreHarness, type CoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

let harness: CoreHarness;

before(async () => {
  harness = await makeCoreHarness();
});

after(async () => {
  await harness?.core.close();
});

test('a dropped file whose name Windows cannot have is taken in under a safe name; an ordinary name is kept as shown', async () => {
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
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createCore } from '../../../../electron/core/create-core.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createHandlers } from '../../../../electron/ipc/handlers.js';
import { ipcEvents } from '../../../../electron/shared/ipc-contract.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const ctx = { emit: () => undefined };

test('changes are pushed: a stack taken in and a release reach the listeners within a moment, with the one model\'s counts (the same as the status bar reads)', async () => {
  const core = await createCore({ dataDir: await makeTempDir(), appVersion: 'test', log: createMemoryLogger(), startUploadQueue: false });
  const handlers = createHandlers(core, 'browser');
  const heard: Array<{ revision: number; counts: Record<string, number> }> = [];
  const unsubscribe = core.scanDesk.onChanged((change) => heard.push(ipcEvents['station:changed'].parse(change)));
  try {
    await core.scanDesk.settings.save({ ...(await core.scanDesk.settings.read()), release: 'review' });
    const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000981' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000982' }, { kind: 'content' }], await makeTempDir(), 'pdf');
    await handlers['scanDesk:import']({ name: 'push.pdf', dataBase64: Buffer.from(await readFile(file)).toString('base64') }, ctx);
    const waitFor = async (check: () => boolean) => {
      const deadline = Date.now() + 2000;
      while (!check()) {
        assert.ok(Date.now() < deadline, `heard ${JSON.stringify(heard)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await waitFor(() => heard.at(-1)?.counts['review'] === 2);
    const released = await handlers['scanDesk:releaseReviewed']({}, ctx);
    assert.equal(released.released, 2);
    await waitFor(() => heard.at(-1)?.counts['ready'] === 2 && heard.at(-1)?.counts['review'] === 0);
    const last = heard.at(-1);
    // What was pushed is what the status bar's poll reads.
    assert.deepEqual(last?.counts, (await handlers['scanDesk:watchStatus']({}, ctx)).counts);
    assert.ok((last?.revision ?? 0) <= (await handlers['scanDesk:watchStatus']({}, ctx)).revision);
    // The queue card's status carries the same counts.
    assert.deepEqual((await handlers['upload:status']({}, ctx)).station, last?.counts);
  } finally {
    unsubscribe();
    await core.close();
  }
});

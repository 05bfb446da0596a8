import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { writeStack, type StackPage } from '../../fixtures/stacks.js';
import type { CoreHarness } from '../../helpers/core-harness.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Takes a generated stack in as the Scan desk does, and waits until the upload queue has nothing left to send. */
export async function scanAndSettle(harness: CoreHarness, name: string, pages: StackPage[]): Promise<void> {
  const file = await writeStack(pages, await makeTempDir(), 'pdf');
  assert.equal((await harness.core.scanDesk.importUpload(name, new Uint8Array(await readFile(file)))).status, 'ingested');
  harness.core.upload.nudge();
  for (let tries = 0; tries < 300; tries += 1) {
    const status = await harness.core.upload.status();
    if (status.counts.queued + status.counts.sending + status.counts.waiting === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('the queue did not settle');
}

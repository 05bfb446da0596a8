import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPixelScratch } from '../../../../electron/core/document/opened-document.js';

test('a pixel scratch reuses its buffer, grows for a larger page and lets go of an unusually large one', () => {
  const scratch = createPixelScratch();
  const first = scratch.take(1000);
  assert.ok(first.length >= 1000);
  assert.equal(scratch.take(800), first, 'a smaller page reuses the buffer');
  const larger = scratch.take(5000);
  assert.ok(larger.length >= 5000 && larger !== first);
  scratch.trim(10_000);
  assert.equal(scratch.take(100), larger, 'kept while under the bound');
  scratch.trim(1000);
  const fresh = scratch.take(100);
  assert.notEqual(fresh, larger, 'let go once over the bound');
  assert.ok(fresh.length >= 100 && fresh.length < 5000);
});

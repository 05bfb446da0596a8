import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createProcessIo } from '../../../electron/cli/process-io.js';
import { registerNativeWork } from '../../../electron/core/base/native-work.js';

test('a SIGTERM during a command that does not wait for stops exits 143 only once the pages on native threads are done; a second one at once', async () => {
  const before = { term: process.listeners('SIGTERM'), int: process.listeners('SIGINT'), out: process.stdout.listeners('error') };
  const exits: number[] = [];
  createProcessIo((code) => void exits.push(code));
  const added = process.listeners('SIGTERM').filter((listener) => !before.term.includes(listener));
  let release: () => void = () => undefined;
  const decoding = new Promise<void>((resolve) => (release = resolve));
  const unregister = registerNativeWork(() => decoding);
  try {
    for (const listener of added) listener('SIGTERM');
    await delay(100);
    assert.deepEqual(exits, [], 'no exit while a page is being decoded (that exit aborted with 134)');
    release();
    await delay(20);
    assert.deepEqual(exits, [143]);
    for (const listener of added) listener('SIGTERM');
    assert.deepEqual(exits, [143, 143]);
  } finally {
    unregister();
    for (const listener of added) process.removeListener('SIGTERM', listener);
    for (const listener of process.listeners('SIGINT')) if (!before.int.includes(listener)) process.removeListener('SIGINT', listener);
    for (const listener of process.stdout.listeners('error')) if (!before.out.includes(listener)) process.stdout.removeListener('error', listener as (error: Error) => void);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildScanStationApi } from '../../../electron/shared/ipc-api.js';
import { channelNames, eventNames, ipcContract } from '../../../electron/shared/ipc-contract.js';

test('channel names follow domain:action', () => {
  for (const channel of channelNames) assert.match(channel, /^[a-z][A-Za-z]*:[a-z][A-Za-z]*$/);
  for (const event of eventNames) assert.match(event, /^[a-z][A-Za-z]*:[a-z][A-Za-z]*$/);
});

test('the API exposes exactly the contract channels, grouped by domain, plus on()', async () => {
  const calls: Array<[string, unknown]> = [];
  const api = buildScanStationApi(
    async (channel, args) => {
      calls.push([channel, args]);
      return { ok: true, value: null };
    },
    () => () => undefined,
  ) as unknown as Record<string, Record<string, (args?: unknown) => Promise<unknown>> | (() => void)>;
  const exposed = Object.entries(api)
    .filter(([key]) => key !== 'on')
    .flatMap(([domain, methods]) => Object.keys(methods).map((action) => `${domain}:${action}`))
    .sort();
  assert.deepEqual(exposed, Object.keys(ipcContract).sort());
  assert.equal(typeof api['on'], 'function');
  const app = api['app'] as Record<string, (args?: unknown) => Promise<unknown>>;
  await app['info']?.();
  assert.deepEqual(calls, [['app:info', {}]]);
});

test('on() refuses event names outside the contract', () => {
  const api = buildScanStationApi(async () => null, () => () => undefined);
  assert.throws(() => api.on('fs:changed' as never, () => undefined), /unknown event channel/);
  assert.equal(typeof api.on('diagnose:progress', () => undefined), 'function');
});

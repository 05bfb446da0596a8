import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreError } from '../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../electron/core/log/logger.js';
import { createDispatcher, type SenderInfo } from '../../../electron/ipc/dispatcher.js';
import { createHandlers, type HandlerTable } from '../../../electron/ipc/handlers.js';
import { isTrustedElectronSender } from '../../../electron/ipc/sender-check.js';
import { makeCoreHarness } from '../../helpers/core-harness.js';

const ourWindow = 7;
const trusted = (sender: SenderInfo) => isTrustedElectronSender(sender, new Set([ourWindow]));
const fromApp: SenderInfo = { transport: 'electron', url: 'app://scan-station/index.html', isMainFrame: true, webContentsId: ourWindow };
const noEvents = () => undefined;

test('a call from an unexpected sender is refused before the handler runs', async () => {
  const { dispatcher, records, dataDir } = await makeCoreHarness({ isTrustedSender: trusted });
  const foreign: SenderInfo[] = [
    { ...fromApp, url: 'https://evil.example/' },
    { ...fromApp, url: 'file:///tmp/x.html' },
    { ...fromApp, isMainFrame: false },
    { ...fromApp, webContentsId: 99 },
    { transport: 'in-process' },
  ];
  for (const sender of foreign) {
    const result = await dispatcher.dispatch('prefs:set', { language: 'en' }, sender, noEvents);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'untrusted-sender');
  }
  assert.equal(records.filter((record) => record.event === 'ipc.untrusted-sender').length, foreign.length);
  // Nothing was written: the refused prefs:set never reached core.
  const read = await dispatcher.dispatch('prefs:get', {}, fromApp, noEvents);
  assert.deepEqual(read, { ok: true, value: { language: 'zh-CN', languageChosen: false, startAtLogin: false } });
  assert.ok(dataDir);
});

test('invalid arguments are refused with the channel and the failing field', async () => {
  const { dispatcher } = await makeCoreHarness({ isTrustedSender: trusted });
  const cases: unknown[] = [{ language: 'fr' }, { language: 'en', extra: 1 }, 'not an object', [1, 2]];
  for (const args of cases) {
    const result = await dispatcher.dispatch('prefs:set', args, fromApp, noEvents);
    assert.equal(result.ok, false, JSON.stringify(args));
    if (!result.ok) {
      assert.equal(result.error.code, 'invalid-arguments');
      assert.equal(result.error.params?.['channel'], 'prefs:set');
    }
  }
  const badJob = await dispatcher.dispatch('diagnose:stationCheck', { jobId: '../../etc' }, fromApp, noEvents);
  assert.equal(!badJob.ok && badJob.error.code, 'invalid-arguments');
  assert.equal(!badJob.ok ? badJob.error.params?.['fields'] : '', 'jobId');
  assert.match(!badJob.ok ? badJob.error.message : '', /jobId/, 'zod’s words stay in the English log message');
});

test('unknown channels are refused', async () => {
  const { dispatcher } = await makeCoreHarness({ isTrustedSender: trusted });
  for (const channel of ['app:nope', 'constructor', '__proto__', 'toString']) {
    const result = await dispatcher.dispatch(channel, {}, fromApp, noEvents);
    assert.equal(!result.ok && result.error.code, 'unknown-channel', channel);
  }
});

test('a valid call returns { ok: true, value } and long jobs emit validated progress events', async () => {
  const { dispatcher } = await makeCoreHarness({ isTrustedSender: trusted });
  const events: Array<{ event: string; payload: unknown }> = [];
  const result = await dispatcher.dispatch('diagnose:stationCheck', { jobId: 'job-1' }, fromApp, (event, payload) => events.push({ event, payload }));
  assert.equal(result.ok, true);
  assert.equal(events.length, 5);
  assert.ok(events.every((entry) => entry.event === 'diagnose:progress' && (entry.payload as { jobId: string }).jobId === 'job-1'));
});

test('typed core errors become results; anything else becomes internal-error without details', async () => {
  const { core } = await makeCoreHarness();
  const log = createMemoryLogger();
  const real = createHandlers(core, 'cli');
  const failing: HandlerTable = {
    ...real,
    'prefs:get': async () => {
      throw new CoreError('prefs-corrupt', { reason: 'not-json' });
    },
    'app:info': async () => {
      throw new Error('disk exploded at /secret/path');
    },
  };
  const dispatcher = createDispatcher({ handlers: failing, isTrustedSender: () => true, log });
  const typed = await dispatcher.dispatch('prefs:get', {}, { transport: 'in-process' }, noEvents);
  assert.deepEqual(typed, {
    ok: false,
    error: { code: 'prefs-corrupt', message: 'The preferences file is damaged: the file is not JSON', params: { reason: 'not-json' } },
  });
  const internal = await dispatcher.dispatch('app:info', {}, { transport: 'in-process' }, noEvents);
  assert.equal(!internal.ok && internal.error.code, 'internal-error');
  assert.ok(!JSON.stringify(internal).includes('/secret/path'), 'internal details stay in the log');
  assert.equal(log.records.at(-1)?.event, 'ipc.internal-error');
});

test('a handler returning a value outside the contract is caught', async () => {
  const { core } = await makeCoreHarness();
  const handlers: HandlerTable = { ...createHandlers(core, 'cli'), 'prefs:get': async () => ({ language: 'xx' }) as never };
  const dispatcher = createDispatcher({ handlers, isTrustedSender: () => true, log: createMemoryLogger() });
  const result = await dispatcher.dispatch('prefs:get', {}, { transport: 'in-process' }, noEvents);
  assert.equal(!result.ok && result.error.code, 'invalid-result');
});

test('scanDesk:signIn and support:lookup from a hostile renderer: wrong types, huge or hidden-character ids and hostile page numbers are refused; an untrusted sender signs nobody in', async () => {
  const { dispatcher } = await makeCoreHarness({ isTrustedSender: trusted });
  for (const args of [{ scanUser: 1024 }, { scanUser: ['u'] }, { scanUser: { toString: 'u' } }, { scanUser: 'x'.repeat(501) }, { scanUser: 'u', admin: true }, { scanUser: undefined }, 'u', null]) {
    const result = await dispatcher.dispatch('scanDesk:signIn', args, fromApp, noEvents);
    assert.equal(!result.ok && result.error.code, 'invalid-arguments', JSON.stringify(args) ?? String(args));
  }
  for (const scanUser of ['u'.repeat(51), 'u\u001b[2J', 'u\u202e1', 'u\u200b1', 'u\u20601', 'u\ud8001']) {
    const result = await dispatcher.dispatch('scanDesk:signIn', { scanUser }, fromApp, noEvents);
    assert.equal(!result.ok && result.error.code, 'scan-user-invalid', JSON.stringify(scanUser));
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    if (!result.ok) assert.doesNotMatch(String(result.error.params?.['value']), /[\u001b\u202e\u200b\u2060]/, 'shown escaped');
  }
  const refused = await dispatcher.dispatch('scanDesk:signIn', { scanUser: 'intruder' }, { ...fromApp, url: 'https://evil.example/' }, noEvents);
  assert.equal(!refused.ok && refused.error.code, 'untrusted-sender');
  const view = await dispatcher.dispatch('scanDesk:signIn', { scanUser: '  CON  ' }, fromApp, noEvents);
  assert.equal(view.ok && (view.value as { signedIn: string | null }).signedIn, 'CON', 'a Windows device name is an ordinary id here: it never names a file');
  for (const page of [0, -1, 1.5, 1e9, 501, Number.NaN, '2', null]) {
    const result = await dispatcher.dispatch('support:lookup', { text: 'FY-1', page }, fromApp, noEvents);
    assert.equal(!result.ok && result.error.code, 'invalid-arguments', String(page));
  }
});

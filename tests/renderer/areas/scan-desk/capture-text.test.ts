import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scannerConditions } from '../../../../electron/shared/capture/capture-types.js';
import { createTranslator } from '../../../../electron/shared/i18n/catalog.js';
import { describeCondition, describeProgress, describeShown, showCondition, toneOfShown, describeSettings, describeSplit, fitSettings, isRunning, listInterrupted, offeredSettings, scanKey, toneOfCondition, type CaptureJob, type CaptureState, type ScannerDevice } from '../../../../renderer/src/areas/scan-desk/capture-text.js';

const zh = createTranslator('zh-CN').t;
const en = createTranslator('en').t;

/** A scanner as the picker lists it, offering what `capabilities` says. */
function device(capabilities: Partial<NonNullable<ScannerDevice['capabilities']>> | null): ScannerDevice {
  return {
    id: 'http://127.0.0.1:9000/eSCL',
    kind: 'escl',
    name: 'Brother ADS-2700W',
    origin: 'typed',
    capabilities: capabilities === null ? null : { makeAndModel: 'Brother ADS-2700W', sources: ['adf', 'duplex', 'flatbed'], resolutions: [100, 200, 300, 600], colors: ['gray', 'color'], formats: ['image/jpeg'], feederCapacity: 50, ...capabilities },
    status: { condition: 'ready', detail: null },
    error: null,
  };
}

/** A job in `phase` with `pages` received. */
function job(phase: CaptureJob['phase'], pages: number, batchId: string | null = null): CaptureJob {
  return { id: 'j1', batchId, device: { id: 'x', name: 'X' }, settings: { source: 'duplex', dpi: 200, color: 'gray' }, phase, pages, startedAt: '2026-12-06T10:00:00Z', lastPageAt: null, recent: [], bills: [], stackId: null, error: null };
}

test('every scanner state has clerk words in both languages and a colour: ready green, paper to put in amber, jam/cover/offline red', () => {
  for (const condition of scannerConditions) {
    const zhText = describeCondition(zh, 'HP M480', condition);
    const enText = describeCondition(en, 'HP M480', condition);
    assert.ok(zhText.includes('HP M480') && !zhText.includes('capture.'), zhText);
    assert.ok(enText.includes('HP M480') && !enText.includes('capture.'), enText);
  }
  assert.equal(describeCondition(zh, 'HP', 'jammed'), '扫描仪 HP：卡纸');
  assert.equal(describeCondition(en, 'HP', 'door-open'), 'Scanner HP: cover open');
  assert.equal(describeCondition(zh, 'HP', 'feeder-empty'), '扫描仪 HP：进纸器里没有纸');
  assert.equal(toneOfCondition('ready'), 'pass');
  assert.equal(toneOfShown('scanning'), 'info');
  assert.equal(toneOfCondition('feeder-empty'), 'warn');
  assert.equal(toneOfCondition('busy'), 'warn');
  for (const condition of ['jammed', 'door-open', 'offline', 'error'] as const) assert.equal(toneOfCondition(condition), 'fail');
});

test('only what the picked scanner offers is offered; a scanner never read offers the desk’s usual choices', () => {
  assert.deepEqual(offeredSettings(device({ sources: ['adf'], resolutions: [150, 300], colors: ['color'] })), { sources: ['adf'], resolutions: [300], colors: ['color'] });
  assert.deepEqual(offeredSettings(device(null)), { sources: ['adf', 'duplex', 'flatbed'], resolutions: [200, 300], colors: ['gray', 'color'] });
  assert.deepEqual(offeredSettings(null), { sources: ['adf', 'duplex', 'flatbed'], resolutions: [200, 300], colors: ['gray', 'color'] });
});

test('picking a scanner moves the settings onto what it offers: duplex to one-sided feeder, 200 dpi to 300, grey to colour', () => {
  const settings = { device: 'd', source: 'duplex' as const, dpi: 200, color: 'gray' as const };
  assert.deepEqual(fitSettings(settings, device({ sources: ['adf', 'flatbed'], resolutions: [300, 600], colors: ['color'] })), { device: 'd', source: 'adf', dpi: 300, color: 'color' });
  // A glass-only scanner takes the glass; what it offers stays as it was.
  assert.deepEqual(fitSettings({ ...settings, source: 'adf' }, device({ sources: ['flatbed'] })), { ...settings, source: 'flatbed' });
  assert.deepEqual(fitSettings(settings, device({})), settings);
  assert.deepEqual(fitSettings(settings, null), settings);
});

test('the settings line, the live line and the split so far read in both languages', () => {
  assert.equal(describeSettings(zh, { source: 'duplex', dpi: 300, color: 'gray' }), '进纸器（双面） · 300 dpi · 灰度');
  assert.equal(describeSettings(en, { source: 'flatbed', dpi: 200, color: 'color' }), 'Flatbed (glass) · 200 dpi · Colour');
  assert.equal(describeProgress(zh, job('scanning', 7)), '已收到第 7 页');
  assert.equal(describeProgress(en, job('scanning', 7)), 'Page 7 received');
  assert.equal(describeProgress(en, job('scanning', 0)), 'Waiting for the first page…');
  assert.equal(describeProgress(zh, job('checking', 0)), '正在查看扫描仪状态…');
  assert.match(describeProgress(en, job('cancelling', 3)), /Cancelling/);
  assert.deepEqual(describeSplit(zh, [{ code: null, pages: 2 }, { code: 'FY-2026-000101', pages: 3 }]), ['封面之前的页：2 页', 'FY-2026-000101：3 页']);
  assert.deepEqual(describeSplit(en, [{ code: 'FY-2026-000101', pages: 3 }]), ['FY-2026-000101 — pages: 3']);
});

test('a job runs from checking to finishing; Esc cancels only then', () => {
  for (const phase of ['checking', 'scanning', 'cancelling', 'finishing'] as const) assert.equal(isRunning(job(phase, 0)), true, phase);
  for (const phase of ['done', 'failed', 'cancelled'] as const) assert.equal(isRunning(job(phase, 0)), false, phase);
  assert.equal(isRunning(null), false);
  assert.equal(scanKey, 'F8');
});

test('a failed job’s batch is offered once: by its error, not again among the interrupted scans', () => {
  const scans = [
    { batchId: 'b1', device: { id: 'x', name: 'X' }, pages: 4, openedAt: '2026-12-06T10:00:00Z', lastAt: null },
    { batchId: 'b2', device: { id: 'x', name: 'X' }, pages: 9, openedAt: '2026-12-06T09:00:00Z', lastAt: null },
  ];
  const state: CaptureState = { job: job('failed', 4, 'b1'), interrupted: scans, scanner: null, platform: 'linux' };
  assert.deepEqual(listInterrupted(state).map((scan) => scan.batchId), ['b2']);
  assert.deepEqual(listInterrupted({ ...state, job: job('done', 4, 'b1') }).map((scan) => scan.batchId), ['b1', 'b2']);
});

test('busy with this desk’s own scan reads “scanning”, then “scan just finished”, never “someone else is using it”', () => {
  const started = '2026-12-06T10:00:00.000Z';
  const busy = (at: string) => ({ status: { condition: 'busy' as const, detail: null }, at });
  assert.equal(showCondition(busy('2026-12-06T10:00:01.000Z'), { ...job('scanning', 3), startedAt: started }), 'scanning');
  assert.equal(showCondition(busy('2026-12-06T10:00:01.000Z'), { ...job('done', 3), startedAt: started }), 'just-scanned');
  // Busy read before this desk's job (someone else's) stays busy; no job, the device's own word.
  assert.equal(showCondition(busy('2026-12-06T09:59:00.000Z'), { ...job('done', 3), startedAt: started }), 'busy');
  assert.equal(showCondition(busy(started), null), 'busy');
  assert.equal(showCondition({ status: { condition: 'jammed', detail: null }, at: started }, { ...job('failed', 3), startedAt: started }), 'jammed');
  assert.equal(describeCondition(zh, 'HP', 'scanning'), '扫描仪 HP：正在扫描');
  assert.equal(describeShown(en, 'just-scanned'), 'scan just finished');
  assert.equal(describeShown(en, 'busy'), 'busy');
});

test('a scan that failed on the device shows what it ran into, never “ready” read before or after it dropped the job', () => {
  const started = '2026-12-06T10:00:00.000Z';
  const ready = { device: 'http://s/eSCL', status: { condition: 'ready' as const, detail: null }, at: '2026-12-06T10:00:05.000Z' };
  const failed = (code: string) => ({ ...job('failed', 3), startedAt: started, device: { id: 'http://s/eSCL', name: 'S' }, error: { code, params: {} } });
  assert.equal(showCondition(ready, failed('scanner-jammed')), 'jammed');
  assert.equal(showCondition(ready, failed('scanner-unreachable')), 'offline');
  assert.equal(showCondition(ready, failed('scanner-door-open')), 'door-open');
  // Another scanner's failure, or an error that is not the device's, leaves the state read as it is.
  assert.equal(showCondition({ ...ready, device: 'http://other/eSCL' }, failed('scanner-jammed')), 'ready');
  assert.equal(showCondition(ready, failed('spool-write-failed')), 'ready');
});

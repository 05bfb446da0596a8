import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEsclScanSettings, describeEsclStatus, parseEsclCapabilities, parseEsclStatus, summarizeEsclCapabilities } from '../../../../electron/core/scanner/escl-xml.js';
import { canonLikeCapabilities, epsonLikeCapabilities, hpLikeCapabilities, brotherLikeCapabilities, statusXml } from '../../../fixtures/escl-documents.js';

test('a Brother-like capabilities document: glass, feeder one and both sides, 100–600 dpi, grey and colour, PDF and JPEG, 20 sheets', () => {
  const caps = parseEsclCapabilities(brotherLikeCapabilities());
  assert.deepEqual(summarizeEsclCapabilities(caps), {
    makeAndModel: 'Brother MFC-L8690CDW series',
    sources: ['adf', 'duplex', 'flatbed'],
    resolutions: [100, 200, 300, 600],
    colors: ['gray', 'color'],
    formats: ['application/pdf', 'image/jpeg'],
    feederCapacity: 20,
  });
  assert.equal(caps.uuid, '00000000-0000-1000-8000-0018d7024a10');
  assert.deepEqual([caps.inputs.flatbed?.maxWidth, caps.inputs.flatbed?.maxHeight, caps.inputs.duplex?.maxHeight], [2550, 3507, 4200]);
  assert.deepEqual(caps.inputs.adf?.colorModes, ['BlackAndWhite1', 'Grayscale8', 'RGB24']);
});

test('an HP-like document with escl: as its prefix is read by local names; duplex caps of their own', () => {
  const caps = parseEsclCapabilities(hpLikeCapabilities());
  const summary = summarizeEsclCapabilities(caps);
  assert.equal(summary.makeAndModel, 'HP LaserJet MFP M428fdw');
  assert.deepEqual(summary.sources, ['adf', 'duplex', 'flatbed']);
  assert.deepEqual(summary.resolutions, [75, 100, 200, 300, 600]);
  assert.equal(summary.feederCapacity, 50);
  // Both sides offered in colour only on this device: the per-input caps keep that apart from the union.
  assert.deepEqual(caps.inputs.duplex?.colorModes, ['RGB24']);
  assert.deepEqual(summary.colors, ['gray', 'color']);
});

test('a Canon-like feeder with Duplex only as an AdfOption counts as duplex; X ≠ Y pairs do not add a resolution; entities decoded', () => {
  const summary = summarizeEsclCapabilities(parseEsclCapabilities(canonLikeCapabilities()));
  assert.deepEqual(summary.sources, ['adf', 'duplex']);
  assert.deepEqual(summary.resolutions, [150, 300]);
  assert.deepEqual(summary.formats, ['image/jpeg']);
  assert.equal(summary.makeAndModel, 'Canon iR-ADV C3530 & friends');
  assert.equal(summary.feederCapacity, null);
});

test('an Epson-like glass-only device with a resolution range offers the usual steps inside it', () => {
  const summary = summarizeEsclCapabilities(parseEsclCapabilities(epsonLikeCapabilities()));
  assert.deepEqual(summary.sources, ['flatbed']);
  assert.deepEqual(summary.resolutions, [75, 100, 150, 200, 240, 300, 400, 600, 1200]);
  assert.deepEqual(summary.colors, ['color']);
});

test('junk is refused with a reason: HTML, broken XML, another root, an oversized answer', () => {
  assert.throws(() => parseEsclCapabilities('<html><body>Login</body></html>'), /no ScannerCapabilities/);
  assert.throws(() => parseEsclCapabilities('<scan:ScannerCapabilities><pwg:MakeAndModel>x'), /not XML/);
  assert.throws(() => parseEsclStatus(hpLikeCapabilities()), /no ScannerStatus/);
  assert.throws(() => parseEsclCapabilities(`<a>${'x'.repeat(1024 * 1024)}</a>`), /over/);
});

test('status in one word: jam and open door first, then a running job, then an empty feeder, then the device state', () => {
  const word = (state: string, adf?: string) => describeEsclStatus(parseEsclStatus(statusXml(state, adf)));
  assert.deepEqual(word('Idle', 'ScannerAdfLoaded'), { condition: 'ready', detail: 'Idle / ScannerAdfLoaded' });
  assert.deepEqual(word('Idle'), { condition: 'ready', detail: 'Idle' });
  assert.equal(word('Idle', 'ScannerAdfEmpty').condition, 'feeder-empty');
  assert.equal(word('Processing', 'ScannerAdfJam').condition, 'jammed');
  assert.equal(word('Idle', 'ScannerAdfDoorOpen').condition, 'door-open');
  assert.equal(word('Idle', 'ScannerAdfCoverOpen').condition, 'door-open');
  assert.equal(word('Processing', 'ScannerAdfEmpty').condition, 'busy');
  assert.equal(describeEsclStatus(parseEsclStatus(statusXml('Processing', 'ScannerAdfEmpty')), { ownJobRunning: true }).condition, 'feeder-empty', 'our own job running: the feeder speaks');
  assert.equal(describeEsclStatus(parseEsclStatus(statusXml('Processing', 'ScannerAdfLoaded')), { ownJobRunning: true }).condition, 'ready');
  assert.equal(word('Testing').condition, 'busy');
  assert.equal(word('Stopped').condition, 'error');
  assert.equal(word('Down').condition, 'offline');
  const jobs = parseEsclStatus(statusXml('Processing', 'ScannerAdfLoaded', [{ uri: '/eSCL/ScanJobs/7', state: 'Processing', images: 3 }])).jobs;
  assert.deepEqual(jobs, [{ uri: '/eSCL/ScanJobs/7', state: 'Processing', imagesCompleted: 3 }]);
});

test('the scan settings document: Feeder with Duplex for a feeder job, Platen without it, the region and the modes', () => {
  const duplex = buildEsclScanSettings({ source: 'duplex', color: 'gray', dpi: 300, format: 'image/jpeg', width: 2480, height: 3508 });
  assert.match(duplex, /<pwg:InputSource>Feeder<\/pwg:InputSource>/);
  assert.match(duplex, /<scan:Duplex>true<\/scan:Duplex>/);
  assert.match(duplex, /<scan:ColorMode>Grayscale8<\/scan:ColorMode>/);
  assert.match(duplex, /<pwg:Width>2480<\/pwg:Width>[\s\S]*<pwg:Height>3508<\/pwg:Height>/);
  assert.match(duplex, /<scan:XResolution>300<\/scan:XResolution>\s*<scan:YResolution>300<\/scan:YResolution>/);
  assert.match(buildEsclScanSettings({ source: 'adf', color: 'color', dpi: 200, format: 'image/jpeg', width: 2480, height: 3508 }), /<scan:Duplex>false<\/scan:Duplex>[\s\S]*$/);
  const platen = buildEsclScanSettings({ source: 'flatbed', color: 'color', dpi: 200, format: 'image/jpeg', width: 2480, height: 3508 });
  assert.match(platen, /<pwg:InputSource>Platen<\/pwg:InputSource>/);
  assert.match(platen, /<scan:ColorMode>RGB24<\/scan:ColorMode>/);
  assert.doesNotMatch(platen, /Duplex/);
  // What we send is XML we can read back ourselves.
  assert.doesNotThrow(() => parseEsclCapabilities(platen.replace(/ScanSettings/g, 'ScannerCapabilities')));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CoreError } from '../../../../electron/core/base/errors.js';
import { parseSaneDeviceList } from '../../../../electron/core/scanner/sane-devices.js';
import { classifySaneMode, classifySaneSource, parseSaneOptionLine, readSaneDeviceOptions, toSaneCapabilities } from '../../../../electron/core/scanner/sane-options.js';
import { describeSaneFailure, readSaneStatus } from '../../../../electron/core/scanner/sane-status.js';

// `scanimage -A` of real devices as their owners published them (scanservjs' test data, forum posts
// and scripts), shortened to the option lines around the ones the station reads.

/** Fujitsu fi-7260 over the net backend: a flatbed and a feeder with front, back and duplex. */
const fujitsuFi7260 = `scanimage -A
Output format is not set, using pnm as a default.

All options specific to device \`net:<IP address>:fujitsu:fi-7260:1208958':
  Standard:
    --source Flatbed|ADF Front|ADF Back|ADF Duplex [Flatbed]
        Selects the scan source (such as a document-feeder).
    --mode Lineart|Halftone|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 50..600dpi (in steps of 1) [600]
        Sets the resolution of the scanned image.
  Geometry:
    --page-width 0..224.846mm (in steps of 0.0211639) [inactive]
        Specifies the width of the media.  Required for automatic centering of
        sheet-fed scans.
    -l 0..227.809mm (in steps of 0.0211639) [0]
        Top-left x position of scan area.
  Advanced:
    --df-action Default|Continue|Stop [Default]
        Action following double feed error
    --side[=(yes|no)] [no] [read-only]
        Tells which side (0=front, 1=back) of a duplex scan the next call to
        sane_read will return.
  Sensors:
    --cover-open[=(yes|no)] [no] [hardware]
        Cover open
    --function <int> [0] [hardware]
        Function character on screen
`;

/** Fujitsu ScanSnap S1500: a feeder only. */
const scanSnapS1500 = `
All options specific to device \`fujitsu:ScanSnap S1500:8176':
  Standard:
    --source ADF Front|ADF Back|ADF Duplex [ADF Front]
        Selects the scan source (such as a document-feeder).
    --mode Lineart|Halftone|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 50..600dpi (in steps of 1) [600]
        Sets the resolution of the scanned image.
  Advanced:
    --swskip 0..100% (in steps of 0.100006) [0]
        Request driver to discard pages with low percentage of dark pixels
`;

/** An Epson flatbed (epson backend) with a transparency unit: no feeder, a long resolution list. */
const epsonFlatbed = `All options specific to device \`epson:libusb:001:016':
  Scan Mode:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --halftoning None|Halftone A (Hard Tone)|Halftone B (Soft Tone)|Halftone C (Net Screen) [Halftone A (Hard Tone)]
        Selects the halftone.
    --resolution 50|60|72|75|80|90|100|120|133|144|150|160|175|180|200|216|240|266|300|320|350|360|400|480|600|720|800|900|1200|1600|1800|2400|3200dpi [50]
        Sets the resolution of the scanned image.
  Optional equipment:
    --source Flatbed|Transparency Unit [Flatbed]
        Selects the scan source (such as a document-feeder).
    --bay  1 | 2 | 3 | 4 | 5 | 6  [inactive]
        Select bay to scan
    --adf_mode Simplex|Duplex [inactive]
        Selects the ADF mode (simplex/duplex)
`;

/** HP Color LaserJet MFP M476dw (hpaio): duplex is a source of its own. */
const hpM476dw = `Options specific to device \`hpaio:/net/HP_Color_LaserJet_MFP_M476dw?ip=192.168.1.99':
  Scan mode:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 75|100|150|200|300|600|1200dpi [75]
        Sets the resolution of the scanned image.
    --source Flatbed|ADF|Duplex [Flatbed]
        Selects the scan source (such as a document-feeder).
  Advanced:
    --brightness -1000..1000 [0]
        Controls the brightness of the acquired image.
    --compression None|JPEG [JPEG]
        Selects the scanner compression method for faster scans, possibly at
        the expense of image quality.
`;

/** HP PSC 1600 (hpaio): a flatbed with an inactive duplex switch, advanced-tagged options. */
const hpPsc1600 = `
All options specific to device \`hpaio:/usb/PSC_1600_series?serial=MY4C3C30Z5L0':
  Scan mode:
    --mode Lineart|Gray|Color [Color]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 75|100|150|200|300|600|1200dpi [75]
        Sets the resolution of the scanned image.
  Advanced:
    --contrast -127..127 [0] [advanced]
        Controls the contrast of the acquired image.
    --batch-scan[=(yes|no)] [no] [advanced]
        Enables continuous scanning with automatic document feeder (ADF).
    --source Flatbed [Flatbed] [advanced]
        Selects the scan source (such as a document-feeder).
    --duplex[=(yes|no)] [inactive]
        Enables scanning on both sides of the page.
`;

/** Brother MFC-9342CDW (brscan4): its own mode names, and brackets inside a default. */
const brotherMfc9342 = `Options specific to device \`brother4:net1;dev0':
  Mode:
    --mode Black & White|Gray[Error Diffusion]|True Gray|24bit Color[Fast] [24bit Color[Fast]]
        Select the scan mode
    --resolution 100|150|200|300|400|600|1200|2400|4800|9600dpi [200]
        Sets the resolution of the scanned image.
    --source FlatBed|Automatic Document Feeder(left aligned)|Automatic Document Feeder(left aligned,Duplex)|Automatic Document Feeder(centrally aligned)|Automatic Document Feeder(centrally aligned,Duplex) [Automatic Document Feeder(left aligned)]
        Selects the scan source (such as a document-feeder).
    --brightness -50..50% (in steps of 1) [inactive]
        Controls the brightness of the acquired image.
`;

/** Made up from the hpaio lines above (not one device's output): a feeder source beside hpaio's `--duplex` switch, as `--help` prints it with scanimage's --format line. */
const hpWithDuplexSwitch = `Usage: scanimage [OPTION]...
    --format=pnm|tiff|png|jpeg|pdf  file format of output file
Options specific to device \`hpaio:/usb/Feeder_Model?serial=X':
  Scan mode:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 75|100|200|300|600|1200dpi [75]
        Sets the resolution of the scanned image.
  Advanced:
    --source Flatbed|ADF [Flatbed] [advanced]
        Selects the scan source (such as a document-feeder).
    --duplex[=(yes|no)] [inactive]
        Enables scanning on both sides of the page.
`;

test('reads option lines: lists with a unit, ranges with steps, bools, inactive and tagged values', () => {
  assert.deepEqual(parseSaneOptionLine('    --resolution 75|150|300dpi [75]'), { name: 'resolution', bool: false, choices: ['75', '150', '300'], range: null, value: '75', inactive: false });
  assert.deepEqual(parseSaneOptionLine('    --resolution 50..1200dpi (in steps of 1) [300]')?.range, { min: 50, max: 1200, step: 1 });
  assert.deepEqual(parseSaneOptionLine('    --brightness -1000..1000 [0]')?.range, { min: -1000, max: 1000, step: 0 });
  const duplex = parseSaneOptionLine('    --duplex[=(yes|no)] [inactive]');
  assert.equal(duplex?.bool, true);
  assert.equal(duplex?.inactive, true);
  assert.equal(duplex?.value, null);
  assert.deepEqual(parseSaneOptionLine('    --source Flatbed [Flatbed] [advanced]')?.choices, ['Flatbed']);
  const mode = parseSaneOptionLine('    --mode Black & White|Gray[Error Diffusion]|True Gray|24bit Color[Fast] [24bit Color[Fast]]');
  assert.deepEqual(mode?.choices, ['Black & White', 'Gray[Error Diffusion]', 'True Gray', '24bit Color[Fast]']);
  assert.equal(mode?.value, '24bit Color[Fast]');
  assert.equal(parseSaneOptionLine('    --function <int> [0] [hardware]')?.choices, null);
  assert.equal(parseSaneOptionLine('        Selects the scan source (such as a document-feeder).'), null);
  assert.equal(parseSaneOptionLine('  Scan Mode:'), null);
});

test('names sources and modes the way backends spell them', () => {
  for (const [name, kind] of [
    ['Flatbed', 'flatbed'], ['FlatBed', 'flatbed'], ['ADF', 'adf'], ['ADF Front', 'adf'], ['Automatic Document Feeder', 'adf'],
    ['Automatic Document Feeder(left aligned,Duplex)', 'duplex'], ['ADF Duplex', 'duplex'], ['Duplex', 'duplex'],
    ['ADF Back', null], ['Transparency Unit', null], ['Negative Film', null],
  ] as const) {
    assert.equal(classifySaneSource(name), kind, name);
  }
  for (const [name, kind] of [
    ['Gray', 'gray'], ['Grey', 'gray'], ['Grayscale', 'gray'], ['True Gray', 'gray'], ['Color', 'color'], ['Colour', 'color'], ['24bit Color', 'color'],
    ['Lineart', null], ['Halftone', null], ['Black & White', null], ['Gray[Error Diffusion]', null],
  ] as const) {
    assert.equal(classifySaneMode(name), kind, name);
  }
});

test('a Fujitsu fi-7260: flatbed, feeder and duplex, 200 and 300 dpi from its range, the raw names kept', () => {
  const device = readSaneDeviceOptions(fujitsuFi7260);
  assert.deepEqual(device.sources, { adf: 'ADF Front', duplex: 'ADF Duplex', flatbed: 'Flatbed' });
  assert.deepEqual(device.colors, { gray: 'Gray', color: 'Color' });
  assert.deepEqual(device.resolutions, [200, 300]);
  assert.equal(device.formats, null, 'plain -A output has no --format line');
  assert.deepEqual(toSaneCapabilities(device, 'FUJITSU fi-7260'), {
    makeAndModel: 'FUJITSU fi-7260',
    sources: ['adf', 'duplex', 'flatbed'],
    resolutions: [200, 300],
    colors: ['gray', 'color'],
    formats: ['image/jpeg'],
    feederCapacity: null,
  });
});

test('a ScanSnap S1500 has no flatbed; an Epson flatbed has no feeder and keeps its whole resolution list', () => {
  const snap = readSaneDeviceOptions(scanSnapS1500);
  assert.deepEqual(toSaneCapabilities(snap, null).sources, ['adf', 'duplex']);
  const epson = readSaneDeviceOptions(epsonFlatbed);
  assert.deepEqual(toSaneCapabilities(epson, null).sources, ['flatbed'], 'the transparency unit is no paper source, the inactive adf_mode no duplex');
  assert.equal(epson.resolutions.length, 33);
  assert.ok(epson.resolutions.includes(200) && epson.resolutions.includes(300));
  assert.deepEqual(epson.colors, { gray: 'Gray', color: 'Color' });
});

test('HP devices: duplex as a source, as a switch beside the feeder, or not at all', () => {
  assert.deepEqual(readSaneDeviceOptions(hpM476dw).sources, { adf: 'ADF', duplex: 'Duplex', flatbed: 'Flatbed' });
  assert.deepEqual(readSaneDeviceOptions(hpM476dw).resolutions, [75, 100, 150, 200, 300, 600, 1200]);
  const psc = readSaneDeviceOptions(hpPsc1600);
  assert.deepEqual(psc.sources, { flatbed: 'Flatbed' });
  assert.deepEqual(psc.duplexArgs, []);
  const officejet = readSaneDeviceOptions(hpWithDuplexSwitch);
  assert.deepEqual(officejet.sources, { adf: 'ADF', duplex: 'ADF', flatbed: 'Flatbed' });
  assert.deepEqual(officejet.duplexArgs, ['--duplex=yes']);
  assert.deepEqual(officejet.formats, ['image/tiff', 'image/png', 'image/jpeg']);
});

test('a Brother (brscan4): True Gray for gray, its colour mode, the plainest feeder source', () => {
  const brother = readSaneDeviceOptions(brotherMfc9342);
  assert.deepEqual(brother.colors, { gray: 'True Gray', color: '24bit Color[Fast]' });
  assert.deepEqual(brother.sources, { adf: 'Automatic Document Feeder(left aligned)', duplex: 'Automatic Document Feeder(left aligned,Duplex)', flatbed: 'FlatBed' });
  assert.deepEqual(brother.resolutions, [100, 150, 200, 300, 400, 600, 1200, 2400, 4800, 9600]);
});

test('a device without --source or --mode is a flatbed scanning in its one mode', () => {
  const device = readSaneDeviceOptions('All options specific to device `x`:\n    --resolution 100..600dpi [100]\n');
  assert.deepEqual(device.sources, { flatbed: null });
  assert.deepEqual(device.colors, { gray: null });
  // A range without a step takes any whole value.
  assert.deepEqual(device.resolutions, [200, 300]);
});

test('the device list: names with spaces and colons, vendor and model joined, a cut-off last record dropped', () => {
  const text = 'fujitsu:ScanSnap S1500:8176\u001fFUJITSU\u001fScanSnap S1500\u001fscanner\u001e\n'
    + 'test:0\u001fNoname\u001ffrontend-tester\u001fvirtual device\u001e\n'
    + 'test:0\u001fNoname\u001ffrontend-tester\u001fvirtual device\u001e\n'
    + 'airscan:e0:Brother\u001fBrother';
  assert.deepEqual(parseSaneDeviceList(text), [
    { id: 'sane:fujitsu:ScanSnap S1500:8176', kind: 'sane', name: 'FUJITSU ScanSnap S1500', origin: 'sane' },
    { id: 'sane:test:0', kind: 'sane', name: 'Noname frontend-tester', origin: 'sane' },
  ]);
  assert.deepEqual(parseSaneDeviceList(''), []);
});

test('SANE statuses from scanimage words or its exit code', () => {
  assert.equal(readSaneStatus('scanimage: sane_read: Document feeder jammed\n', 6), 'JAMMED');
  assert.equal(readSaneStatus('scanimage: sane_start: Document feeder out of documents\n', 0), 'NO_DOCS');
  assert.equal(readSaneStatus('scanimage: sane_read: Scanner cover is open\n', 8), 'COVER_OPEN');
  assert.equal(readSaneStatus('', 3), 'DEVICE_BUSY');
  assert.equal(readSaneStatus('something else', 1), null);
  const code = (error: CoreError) => [error.code, error.params['reason']];
  assert.deepEqual(code(describeSaneFailure('scanimage: open of device nosuch failed: Invalid argument\n', 1, 'X')), ['scanner-not-found', undefined]);
  assert.deepEqual(code(describeSaneFailure('scanimage: open of device hp failed: Device busy\n', 1, 'X')), ['scanner-busy', undefined]);
  assert.deepEqual(code(describeSaneFailure('scanimage: open of device hp failed: Error during device I/O\n', 1, 'X')), ['scanner-unreachable', 'EIO']);
  assert.deepEqual(code(describeSaneFailure('scanimage: sane_read: Access to resource has been denied\n', 11, 'X')), ['scanner-failed', 'EACCES']);
  assert.deepEqual(code(describeSaneFailure('scanimage: sane_start: Error during device I/O\n', 9, 'X')), ['scanner-failed', 'EIO']);
  assert.deepEqual(code(describeSaneFailure('weird\n', 1, 'X')), ['scanner-failed', 'unrecognised']);
  const setting = describeSaneFailure('scanimage: setting of option --source failed (Invalid argument)\n', 1, 'X', ['-d', 'x', '--source', 'ADF Duplex']);
  assert.deepEqual([setting.code, setting.params['setting'], setting.params['value']], ['scanner-setting-unsupported', 'source', 'ADF Duplex']);
  // The device's raw words stay in detail (the log), out of the clerk's message params.
  assert.equal(describeSaneFailure('scanimage: sane_read: Document feeder jammed\n', 6, 'X').params['detail'], 'scanimage: sane_read: Document feeder jammed');
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Bonjour, type Service } from 'bonjour-service';
import { XMLParser } from 'fast-xml-parser';
import sharp from 'sharp';
import { openDocument } from '../../../../electron/core/document/read-document.js';
import { startReferenceScanner, type ReferenceScanner } from '../../../../electron/core/scanner/escl-server.js';
import { compareNatural } from '../../../../electron/core/text/natural-order.js';
import { encodeColourJpeg } from '../../../fixtures/colour-stack.js';
import { encodeJpeg, encodeMultiPageTiff, encodePng, encodeVectorPdf } from '../../../fixtures/encode.js';
import { renderStackPage, writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const run = promisify(execFile);
const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });

// A duplex stack as a feeder yields it: each sheet's front, then its back.
const stack: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000501' }, { kind: 'blank' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'invoice' }, { kind: 'content' }];
let stackPdf = '';
let stackJpegs: Buffer[] = [];

before(async () => {
  stackPdf = await writeStack(stack, await makeTempDir(), 'pdf', 200);
  const document = await openDocument(stackPdf);
  stackJpegs = [];
  for (let index = 0; index < document.pageCount; index += 1) stackJpegs.push(Buffer.from((await (document.readEncoded as NonNullable<typeof document.readEncoded>)(index)).bytes));
  document.close();
});

const running: ReferenceScanner[] = [];
after(async () => {
  await Promise.all(running.map((scanner) => scanner.close()));
});

async function start(options: Partial<Parameters<typeof startReferenceScanner>[0]> = {}): Promise<ReferenceScanner> {
  const scanner = await startReferenceScanner({ port: 0, pages: stackPdf, ...options });
  running.push(scanner);
  return scanner;
}

function settings(options: { source?: string; duplex?: boolean; color?: string; dpi?: number; format?: string } = {}): string {
  const source = options.source ?? 'Feeder';
  return (
    '<?xml version="1.0" encoding="UTF-8"?><scan:ScanSettings xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">' +
    '<pwg:Version>2.63</pwg:Version><scan:Intent>Document</scan:Intent>' +
    '<pwg:ScanRegions><pwg:ScanRegion><pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits><pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset><pwg:Width>2480</pwg:Width><pwg:Height>3508</pwg:Height></pwg:ScanRegion></pwg:ScanRegions>' +
    `<pwg:InputSource>${source}</pwg:InputSource><scan:ColorMode>${options.color ?? 'Grayscale8'}</scan:ColorMode>` +
    `<pwg:DocumentFormat>${options.format ?? 'image/jpeg'}</pwg:DocumentFormat><scan:XResolution>${options.dpi ?? 200}</scan:XResolution><scan:YResolution>${options.dpi ?? 200}</scan:YResolution>` +
    (source === 'Feeder' || options.duplex !== undefined ? `<scan:Duplex>${options.duplex ?? false}</scan:Duplex>` : '') +
    '</scan:ScanSettings>'
  );
}

async function post(scanner: ReferenceScanner, body: string): Promise<Response> {
  return fetch(`${scanner.url}/ScanJobs`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
}

/** Starts a job and returns its absolute URL (the request's host, as clients use it). */
async function startJob(scanner: ReferenceScanner, body = settings({ duplex: true })): Promise<string> {
  const answer = await post(scanner, body);
  assert.equal(answer.status, 201, await answer.text());
  const location = answer.headers.get('location') ?? '';
  assert.match(location, /^http:\/\/127\.0\.0\.1:\d+\/eSCL\/ScanJobs\/[0-9a-f-]{36}$/);
  return location;
}

async function next(job: string): Promise<{ status: number; bytes: Buffer; type: string | null; retryAfter: string | null }> {
  const answer = await fetch(`${job}/NextDocument`);
  return { status: answer.status, bytes: Buffer.from(await answer.arrayBuffer()), type: answer.headers.get('content-type'), retryAfter: answer.headers.get('retry-after') };
}

async function status(scanner: ReferenceScanner): Promise<{ State: string; AdfState: string; Jobs: { JobInfo?: unknown } }> {
  const answer = await fetch(`${scanner.url}/ScannerStatus`);
  assert.equal(answer.status, 200);
  return (xml.parse(await answer.text()) as { ScannerStatus: { State: string; AdfState: string; Jobs: { JobInfo?: unknown } } }).ScannerStatus;
}

const jobInfos = (jobs: { JobInfo?: unknown }): Array<{ JobUri: string; JobState: string; ImagesCompleted: string }> => {
  const info = jobs.JobInfo;
  return (Array.isArray(info) ? info : info ? [info] : []) as Array<{ JobUri: string; JobState: string; ImagesCompleted: string }>;
};

test('capabilities: platen and a duplex feeder, grey and colour JPEG at 200 and 300 dpi, the model, a UUID and the feeder size', async () => {
  const scanner = await start();
  assert.match(scanner.url, /^http:\/\/127\.0\.0\.1:\d+\/eSCL$/);
  const answer = await fetch(`${scanner.url}/ScannerCapabilities`);
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get('content-type') ?? '', /text\/xml/);
  interface InputCaps {
    SettingProfiles: { SettingProfile: { ColorModes: { ColorMode: string[] }; DocumentFormats: { DocumentFormat: string }; SupportedResolutions: { DiscreteResolutions: { DiscreteResolution: Array<{ XResolution: string }> } } } };
  }
  const caps = (xml.parse(await answer.text()) as { ScannerCapabilities: { MakeAndModel: string; UUID: string; Platen: { PlatenInputCaps: InputCaps }; Adf: { FeederCapacity: string; AdfSimplexInputCaps: InputCaps; AdfDuplexInputCaps: InputCaps } } }).ScannerCapabilities;
  assert.equal(caps.MakeAndModel, 'Scan Station reference scanner');
  assert.match(caps.UUID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(caps.Adf.FeederCapacity, '100');
  for (const input of [caps.Platen.PlatenInputCaps, caps.Adf.AdfSimplexInputCaps, caps.Adf.AdfDuplexInputCaps]) {
    const profile = input.SettingProfiles.SettingProfile;
    assert.deepEqual(profile.ColorModes.ColorMode, ['Grayscale8', 'RGB24']);
    assert.equal(profile.DocumentFormats.DocumentFormat, 'image/jpeg');
    const resolutions = profile.SupportedResolutions.DiscreteResolutions.DiscreteResolution.map((r) => Number(r.XResolution));
    assert.ok(resolutions.includes(200) && resolutions.includes(300), String(resolutions));
  }
  // The same name keeps the same UUID (discovery de-duplicates by it).
  const again = await start();
  const uuidOf = async (s: ReferenceScanner) => (xml.parse(await (await fetch(`${s.url}/ScannerCapabilities`)).text()) as { ScannerCapabilities: { UUID: string } }).ScannerCapabilities.UUID;
  assert.equal(await uuidOf(again), caps.UUID);
  const idle = await status(scanner);
  assert.equal(idle.State, 'Idle');
  assert.equal(idle.AdfState, 'ScannerAdfLoaded');
  assert.equal((await fetch(`${scanner.url}/Nothing`)).status, 404);
  assert.equal((await fetch(`${scanner.url}/ScannerCapabilities`, { method: 'PUT' })).status, 405);
});

test('a duplex feeder job sends every page in order, as the PDF holds them, then 404; the status follows it; a second job meanwhile is 503', async () => {
  const scanner = await start();
  const job = await startJob(scanner);
  const busy = await status(scanner);
  assert.equal(busy.State, 'Processing');
  assert.equal(jobInfos(busy.Jobs)[0]?.JobState, 'Processing');
  assert.equal((await post(scanner, settings())).status, 503);
  for (let page = 0; page < stack.length; page += 1) {
    const answer = await next(job);
    assert.equal(answer.status, 200, `page ${page + 1}`);
    assert.equal(answer.type, 'image/jpeg');
    // A scanner PDF's page at the asked resolution and colour goes out untouched: the same bytes, in order.
    assert.ok(answer.bytes.equals(stackJpegs[page] as Buffer), `page ${page + 1} is the PDF's page ${page + 1}`);
  }
  assert.equal((await next(job)).status, 404);
  assert.equal((await next(job)).status, 404, 'still done');
  const done = await status(scanner);
  assert.equal(done.State, 'Idle');
  assert.deepEqual(jobInfos(done.Jobs).map((info) => [info.JobUri, info.JobState, info.ImagesCompleted]), [[new URL(job).pathname, 'Completed', String(stack.length)]]);
  assert.deepEqual(scanner.jobs().map((kept) => [kept.state, kept.imagesCompleted, kept.settings.duplex, kept.settings.source]), [['Completed', stack.length, true, 'Feeder']]);
  // The feeder is loaded again for the next job; deleting a finished job cleans it up.
  assert.equal((await fetch(job, { method: 'DELETE' })).status, 200);
  assert.equal((await next(job)).status, 410);
  const second = await startJob(scanner, settings({ duplex: false }));
  assert.equal((await next(second)).status, 200);
});

test('settings the scanner does not have are 409; a body that is no settings document 400; one over 64 KB 413', async () => {
  const scanner = await start();
  const refused = [settings({ source: 'Camera' }), settings({ color: 'BlackAndWhite1' }), settings({ dpi: 1200 }), settings({ format: 'application/pdf' }), settings({ source: 'Platen', duplex: true })];
  for (const body of refused) {
    const answer = await post(scanner, body);
    assert.equal(answer.status, 409, body);
    assert.match(await answer.text(), /unsupported (InputSource|ColorMode|XResolution|DocumentFormat|Duplex)/);
  }
  assert.equal((await post(scanner, 'not xml <<<')).status, 400);
  assert.equal((await post(scanner, '<Other/>')).status, 400);
  assert.equal((await post(scanner, `<scan:ScanSettings xmlns:scan="x">${' '.repeat(70 * 1024)}</scan:ScanSettings>`)).status, 413);
  assert.equal(scanner.jobs().length, 0, 'no job was made');
  assert.equal((await status(scanner)).State, 'Idle');
});

test('a slow scanner answers 503 (Retry-After) until the page is ready; every n-th request is 503 once', async () => {
  const scanner = await start({ slowMs: 600 });
  const job = await startJob(scanner);
  const early = await next(job);
  assert.equal(early.status, 503);
  assert.equal(early.retryAfter, '1');
  await new Promise((resolve) => setTimeout(resolve, 650));
  assert.equal((await next(job)).status, 200);
  assert.equal((await next(job)).status, 503, 'the second page takes its own time');
  await fetch(job, { method: 'DELETE' });

  const flaky = await start({ unavailableEvery: 3 });
  const flakyJob = await startJob(flaky);
  const statuses: number[] = [];
  for (let call = 0; call < 10; call += 1) statuses.push((await next(flakyJob)).status);
  assert.deepEqual(statuses, [200, 200, 503, 200, 200, 503, 200, 200, 503, 404]);
  assert.equal(flaky.jobs()[0]?.imagesCompleted, stack.length);
});

test('a jam: the pages before it, then 500 with the status saying ScannerAdfJam and the job Aborted; a feeder job is refused until the jammed job is deleted', async () => {
  const scanner = await start({ jamAfter: 2 });
  const job = await startJob(scanner);
  assert.equal((await next(job)).status, 200);
  assert.equal((await next(job)).status, 200);
  assert.equal((await next(job)).status, 500);
  assert.equal((await next(job)).status, 500, 'the job stays aborted');
  const jammed = await status(scanner);
  assert.equal(jammed.AdfState, 'ScannerAdfJam');
  assert.equal(jammed.State, 'Idle');
  assert.deepEqual(jobInfos(jammed.Jobs).map((info) => [info.JobState, info.ImagesCompleted]), [['Aborted', '2']]);
  assert.equal((await post(scanner, settings())).status, 409);
  assert.equal((await fetch(job, { method: 'DELETE' })).status, 200);
  assert.equal((await status(scanner)).AdfState, 'ScannerAdfLoaded');
  // The platen never jams.
  const platen = await startJob(scanner, settings({ source: 'Platen' }));
  assert.equal((await next(platen)).status, 200);
});

test('an empty feeder: the status says ScannerAdfEmpty, a feeder job is 409, the platen still scans one page', async () => {
  const scanner = await start({ adfEmpty: true });
  const empty = await status(scanner);
  assert.equal(empty.AdfState, 'ScannerAdfEmpty');
  assert.equal(empty.State, 'Idle');
  assert.equal((await post(scanner, settings({ duplex: true }))).status, 409);
  const platen = await startJob(scanner, settings({ source: 'Platen' }));
  const page = await next(platen);
  assert.equal(page.status, 200);
  assert.ok(page.bytes.equals(stackJpegs[0] as Buffer));
  assert.equal((await next(platen)).status, 404);
  assert.equal(scanner.jobs()[0]?.state, 'Completed');
});

test('DELETE cancels a running job: NextDocument is 410, the status shows it Canceled and the scanner idle; an unknown job is 404', async () => {
  const scanner = await start();
  const job = await startJob(scanner);
  assert.equal((await next(job)).status, 200);
  assert.equal((await fetch(job, { method: 'DELETE' })).status, 200);
  assert.equal((await next(job)).status, 410);
  const after = await status(scanner);
  assert.equal(after.State, 'Idle');
  assert.deepEqual(jobInfos(after.Jobs).map((info) => [info.JobState, info.ImagesCompleted]), [['Canceled', '1']]);
  assert.equal((await fetch(`${scanner.url}/ScanJobs/00000000-0000-0000-0000-000000000000/NextDocument`)).status, 404);
  assert.equal((await fetch(`${scanner.url}/ScanJobs/00000000-0000-0000-0000-000000000000`, { method: 'DELETE' })).status, 404);
  // The scanner is free again.
  await startJob(scanner);
});

test('a folder of page images in natural name order; PNG sent as JPEG; grey, colour and resolution as asked', async () => {
  const dir = await makeTempDir();
  const gray = renderStackPage({ kind: 'cover', code: 'FY-2026-000777' }, 200, 1);
  const names = ['page10.jpg', 'page2.png', 'page1.jpg', '~page3.jpg', 'notes.txt'];
  await writeFile(path.join(dir, 'page1.jpg'), await encodeColourJpeg(gray, 200, true));
  await writeFile(path.join(dir, 'page2.png'), await encodePng(gray, 200));
  await writeFile(path.join(dir, 'page10.jpg'), await encodeJpeg(gray, 200));
  await writeFile(path.join(dir, '~page3.jpg'), 'a scanner temp file');
  await writeFile(path.join(dir, 'notes.txt'), 'not a page');
  assert.deepEqual(names.filter((name) => /\.(jpg|png)$/.test(name) && !name.startsWith('~')).sort(compareNatural), ['page1.jpg', 'page2.png', 'page10.jpg']);
  const scanner = await start({ pages: dir });
  assert.equal(scanner.pageCount, 3);
  const shapes = async (job: string) => {
    const out: Array<{ channels: number; width: number; format: string }> = [];
    for (;;) {
      const answer = await next(job);
      if (answer.status === 404) return out;
      assert.equal(answer.status, 200);
      const meta = await sharp(answer.bytes).metadata();
      out.push({ channels: meta.channels as number, width: meta.width as number, format: meta.format as string });
    }
  };
  // Grey at the pages' own 200 dpi: the colour JPEG turned grey, the PNG encoded, the grey JPEG as it is.
  assert.deepEqual(await shapes(await startJob(scanner, settings({ color: 'Grayscale8', dpi: 200 }))), [
    { channels: 1, width: gray.width, format: 'jpeg' },
    { channels: 1, width: gray.width, format: 'jpeg' },
    { channels: 1, width: gray.width, format: 'jpeg' },
  ]);
  // Colour at 300 dpi: three channels (a colour client refuses one), resampled to 1.5 times the width.
  const wide = Math.round(gray.width * 1.5);
  assert.deepEqual(await shapes(await startJob(scanner, settings({ color: 'RGB24', dpi: 300 }))), [
    { channels: 3, width: wide, format: 'jpeg' },
    { channels: 3, width: wide, format: 'jpeg' },
    { channels: 3, width: wide, format: 'jpeg' },
  ]);
  // An empty folder is refused at start.
  await assert.rejects(startReferenceScanner({ port: 0, pages: await makeTempDir() }), { code: 'file-empty' });
  await assert.rejects(startReferenceScanner({ port: 0, pages: path.join(dir, 'missing.pdf') }), { code: 'file-unreadable' });
});

test('other documents the station reads: a vector PDF rendered and a multi-page TIFF decoded, each page sent as JPEG', async () => {
  const dir = await makeTempDir();
  const vector = path.join(dir, 'template.pdf');
  await writeFile(vector, await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000888', placement: 'top-right', sizeMm: 22 }] }));
  const tiff = path.join(dir, 'stack.tif');
  await writeFile(tiff, await encodeMultiPageTiff([renderStackPage({ kind: 'content' }, 100, 1), renderStackPage({ kind: 'blank' }, 100, 2)], 100));
  for (const [file, pages] of [[vector, 1], [tiff, 2]] as const) {
    const scanner = await start({ pages: file });
    assert.equal(scanner.pageCount, pages);
    const job = await startJob(scanner, settings({ color: 'RGB24', dpi: 200 }));
    for (let page = 0; page < pages; page += 1) {
      const answer = await next(job);
      assert.equal(answer.status, 200);
      const meta = await sharp(answer.bytes).metadata();
      assert.deepEqual([meta.format, meta.channels], ['jpeg', 3], `${file} page ${page + 1}`);
      // A4 at the asked 200 dpi, whatever the source's own resolution.
      assert.ok(Math.abs((meta.width as number) - 1654) <= 2, `${file}: ${meta.width}`);
    }
    assert.equal((await next(job)).status, 404);
  }
});

test('close() ends kept-alive connections and stops listening', async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: stackPdf });
  const agent = new http.Agent({ keepAlive: true });
  const socketClosed = new Promise<void>((resolve) => {
    http.get(`${scanner.url}/ScannerStatus`, { agent }, (res) => {
      res.resume();
      res.socket.once('close', () => resolve());
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await scanner.close();
  await socketClosed;
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  await assert.rejects(fetch(`${scanner.url}/ScannerStatus`));
  agent.destroy();
});

test('advertise: _uscan._tcp with the TXT keys AirScan clients read, on every interface; gone (goodbye) on close', async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: stackPdf, advertise: true, name: `Reference ${process.pid}` });
  const port = Number(new URL(scanner.url).port);
  const bonjour = new Bonjour();
  try {
    let seen: Service | null = null;
    const browser = bonjour.find({ type: 'uscan' });
    const down = new Promise<void>((resolve) => browser.on('down', (service: Service) => service.port === port && resolve()));
    seen = await new Promise<Service | null>((resolve) => {
      browser.on('up', (service: Service) => service.port === port && resolve(service));
      setTimeout(() => resolve(null), 8000);
    });
    assert.ok(seen, 'the scanner was announced');
    assert.equal(seen.name, `Reference ${process.pid}`);
    assert.deepEqual({ ...seen.txt }, { txtvers: '1', vers: '2.63', rs: 'eSCL', uuid: seen.txt.uuid, ty: 'Scan Station reference scanner', pdl: 'image/jpeg', cs: 'grayscale,color', is: 'platen,adf', duplex: 'T' });
    // It answers at an announced address, not only on loopback.
    const address = (seen.addresses ?? []).find((candidate) => /^\d+\.\d+\.\d+\.\d+$/.test(candidate));
    assert.ok(address, String(seen.addresses));
    assert.equal((await fetch(`http://${address}:${port}/eSCL/ScannerStatus`)).status, 200);
    await scanner.close();
    await Promise.race([down, new Promise((_, reject) => setTimeout(() => reject(new Error('no goodbye')), 5000))]);
  } finally {
    await scanner.close();
    bonjour.destroy();
  }
});

// ---- A third-party client: Debian's sane-airscan backend driven by scanimage ----

const scanimage = ['/usr/bin/scanimage', '/usr/local/bin/scanimage'].find((file) => existsSync(file));
const airscanInstalled = ['/usr/lib/x86_64-linux-gnu/sane/libsane-airscan.so.1', '/usr/lib/aarch64-linux-gnu/sane/libsane-airscan.so.1', '/usr/lib/sane/libsane-airscan.so.1'].some((file) => existsSync(file));
const noSaneAirscan = scanimage && airscanInstalled ? false : 'scanimage or sane-airscan is not installed (Debian sane-utils, sane-airscan)';

/** A SANE config folder that knows only airscan, with discovery off and the scanner typed in. */
async function saneConfig(scanner: ReferenceScanner): Promise<NodeJS.ProcessEnv> {
  const dir = await makeTempDir('sane-config-');
  await writeFile(path.join(dir, 'dll.conf'), 'airscan\n');
  await writeFile(path.join(dir, 'airscan.conf'), `[devices]\n"Ref" = ${scanner.url}\n\n[options]\ndiscovery = disable\n`);
  return { PATH: process.env['PATH'], HOME: dir, SANE_CONFIG_DIR: dir, LANG: 'C' };
}

/** Runs scanimage in batch mode; its exit code, what it said, and the pages it wrote (sorted). */
async function scanWithSane(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stderr: string; files: string[] }> {
  const out = await makeTempDir('sane-out-');
  const result = await run(scanimage as string, ['-d', 'airscan:e0:Ref', '--format=jpeg', `--batch=${path.join(out, 'p%02d.jpg')}`, ...args], { env, timeout: 90_000, maxBuffer: 1024 * 1024 }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code?: number; stderr?: string }) => ({ code: typeof error.code === 'number' ? error.code : -1, stderr: error.stderr ?? '' }),
  );
  const files = (await readdir(out)).sort().map((name) => path.join(out, name));
  return { ...result, files };
}

/** The mean grey of a page's middle (where sane-airscan's white padding never reaches). */
async function meanGrey(jpeg: Buffer): Promise<number> {
  const image = sharp(jpeg);
  const { width = 0, height = 0 } = await image.metadata();
  const stats = await image.extract({ left: Math.round(width * 0.1), top: Math.round(height * 0.05), width: Math.round(width * 0.8), height: Math.round(height * 0.6) }).grayscale().stats();
  return stats.channels[0]?.mean as number;
}

test('sane-airscan lists the reference scanner and scans an ADF duplex stack from it: every page, in order, grey at 200 dpi, then "out of documents"', { skip: noSaneAirscan }, async () => {
  const scanner = await start();
  const env = await saneConfig(scanner);
  const list = await run(scanimage as string, ['-L'], { env, timeout: 30_000 });
  assert.match(list.stdout, /device `airscan:e0:Ref' is a eSCL Ref/);
  const options = await run(scanimage as string, ['-d', 'airscan:e0:Ref', '-A'], { env, timeout: 30_000 });
  assert.match(options.stdout, /--source Flatbed\|ADF\|ADF Duplex/);
  assert.match(options.stdout, /--mode Color\|Gray/);
  assert.match(options.stdout, /--resolution 150\|200\|300dpi/);

  const scan = await scanWithSane(env, ['--source', 'ADF Duplex', '--mode', 'Gray', '--resolution', '200', '-x', '210', '-y', '297']);
  assert.equal(scan.code, 0, scan.stderr);
  assert.match(scan.stderr, new RegExp(`Batch terminated, ${stack.length} pages scanned`));
  assert.equal(scan.files.length, stack.length);
  const job = scanner.jobs()[0];
  assert.deepEqual([job?.settings.source, job?.settings.duplex, job?.settings.colorMode, job?.settings.resolution, job?.imagesCompleted, job?.deleted], ['Feeder', true, 'Grayscale8', 200, stack.length, true]);
  for (const [index, file] of scan.files.entries()) {
    const bytes = await readFile(file);
    const meta = await sharp(bytes).metadata();
    // 210 × 297 mm at 200 dpi, one channel.
    assert.deepEqual([meta.width, meta.height, meta.channels], [1654, 2339, 1], file);
    // The page that arrived is the stack's page at that place (blank backs and content differ clearly in grey).
    const sent = await meanGrey(stackJpegs[index] as Buffer);
    assert.ok(Math.abs((await meanGrey(bytes)) - sent) < 3, `page ${index + 1}: ${await meanGrey(bytes)} vs ${sent}`);
  }
});

test('sane-airscan scans the flatbed in colour at 300 dpi (the grey page sent as RGB, resampled): one page', { skip: noSaneAirscan }, async () => {
  const scanner = await start();
  const env = await saneConfig(scanner);
  const scan = await scanWithSane(env, ['--source', 'Flatbed', '--mode', 'Color', '--resolution', '300', '-x', '210', '-y', '297', '--batch-count=1']);
  assert.equal(scan.code, 0, scan.stderr);
  assert.equal(scan.files.length, 1);
  const bytes = await readFile(scan.files[0] as string);
  const meta = await sharp(bytes).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [2480, 3508, 3]);
  assert.ok(Math.abs((await meanGrey(bytes)) - (await meanGrey(stackJpegs[0] as Buffer))) < 3);
  assert.deepEqual(scanner.jobs().map((job) => [job.settings.source, job.settings.colorMode, job.settings.resolution, job.imagesCompleted, job.state]), [['Platen', 'RGB24', 300, 1, 'Completed']]);
});

test('sane-airscan through a slow, flaky scanner: it retries the 503s and gets every page', { skip: noSaneAirscan }, async () => {
  const scanner = await start({ slowMs: 300, unavailableEvery: 4 });
  const env = await saneConfig(scanner);
  const scan = await scanWithSane(env, ['--source', 'ADF', '--mode', 'Gray', '--resolution', '200', '-x', '210', '-y', '297']);
  assert.equal(scan.code, 0, scan.stderr);
  assert.equal(scan.files.length, stack.length);
  assert.ok((scanner.jobs()[0]?.nextDocumentRequests ?? 0) > stack.length + 1, 'some requests were answered 503');
});

test('sane-airscan reads a jam as "Document feeder jammed" after the pages before it, and an empty feeder as "out of documents"', { skip: noSaneAirscan }, async () => {
  const jamming = await start({ jamAfter: 3 });
  const jam = await scanWithSane(await saneConfig(jamming), ['--source', 'ADF Duplex', '--mode', 'Gray', '--resolution', '200']);
  assert.notEqual(jam.code, 0);
  assert.match(jam.stderr, /Document feeder jammed/);
  assert.equal(jam.files.length, 3);
  // sane-airscan deletes the job after reading the status: the jam is cleared.
  assert.deepEqual(jamming.jobs().map((job) => [job.state, job.imagesCompleted, job.deleted]), [['Aborted', 3, true]]);

  const empty = await start({ adfEmpty: true });
  const none = await scanWithSane(await saneConfig(empty), ['--source', 'ADF', '--mode', 'Gray', '--resolution', '200']);
  assert.match(none.stderr, /Document feeder out of documents/);
  assert.equal(none.files.length, 0);
  assert.equal(empty.jobs().length, 0, 'no job was made');
});

test('compareNatural orders numbered pages as people read them', () => {
  assert.deepEqual(['p10.jpg', 'p9.jpg', 'P1.jpg', 'p01.jpg', 'a.jpg'].sort(compareNatural), ['a.jpg', 'P1.jpg', 'p01.jpg', 'p9.jpg', 'p10.jpg']);
});

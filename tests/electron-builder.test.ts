import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { minimatch } from 'minimatch';
import packageJson from '../package.json' with { type: 'json' };

const require = createRequire(import.meta.url);
// electron-builder's own YAML and glob libraries (dependencies of app-builder-lib), as it reads this file.
const { load } = require('js-yaml') as { load(text: string): unknown };
const config = load(readFileSync(path.resolve('electron-builder.yml'), 'utf8')) as {
  files: string[];
  asarUnpack: string[];
  asar: boolean;
  electronFuses: Record<string, boolean>;
  nsis: Record<string, unknown>;
};

test('electron-builder.yml passes electron-builder\'s own schema (and the validator does refuse a wrong key)', async () => {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(config, new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...config, nsis: { ...config.nsis, perMachineTypo: true } }, new DebugLogger(false)), /configuration\.nsis/);
});

test('the fuses shut what a packaged app must not offer', () => {
  assert.deepEqual(config.electronFuses, {
    // No ELECTRON_RUN_AS_NODE, no NODE_OPTIONS (so NODE_EXTRA_CA_CERTS is ignored too: corporate CAs come
    // from the profile's CA setting), no --inspect, only the signed asar, cookies encrypted, file:// plain.
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  });
  assert.equal(config.asar, true);
});

/** Every file under a folder (relative to the project), for matching against the builder's globs. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(process.cwd(), path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

const included = (file: string) => config.files.filter((glob) => !glob.startsWith('!')).some((glob) => minimatch(file, glob, { dot: true })) && !config.files.filter((glob) => glob.startsWith('!')).some((glob) => minimatch(file, glob.slice(1), { dot: true }));
const unpacked = (file: string) => config.asarUnpack.some((glob) => minimatch(file, glob, { dot: true }));

test('every runtime file the packaged app loads ships, and native code is unpacked from the asar', () => {
  // From dist/ (built by the unit suite's build step): the main bundle, the preload, the workers, the fonts, the icon.
  for (const file of ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/electron/inspection-worker.cjs', 'dist/electron/page-reader-worker.cjs', 'dist/assets/fonts/NotoSansSC-Regular.ttf', 'dist/assets/fonts/NotoSansSC-Bold.ttf', 'dist/assets/fonts/OFL.txt']) {
    assert.ok(existsSync(file), `${file} is built`);
    assert.ok(included(file), `${file} is in electron-builder's files`);
  }
  // The renderer is built by the full build (the e2e suite's); its files only need to be included.
  for (const file of ['dist/renderer/index.html', 'dist/renderer/assets/index.js']) assert.ok(included(file), `${file} is in electron-builder's files`);
  assert.equal(included('dist/electron/main.cjs.map'), false, 'source maps stay out');
  // From node_modules: shipped because their packages are production dependencies (electron-builder
  // copies those), read where the code resolves them (require.resolve inside the package).
  const dependencies = Object.keys(packageJson.dependencies);
  const runtime = [
    { pkg: '@hyzyla/pdfium', file: require.resolve('@hyzyla/pdfium/pdfium.wasm'), native: false },
    { pkg: 'zxing-wasm', file: require.resolve('zxing-wasm/reader/zxing_reader.wasm'), native: false },
  ];
  for (const entry of runtime) {
    assert.ok(dependencies.includes(entry.pkg), `${entry.pkg} is a production dependency`);
    assert.ok(existsSync(entry.file), entry.file);
  }
  // Native addons: every .node file of sharp (libvips) and libjpeg-turbo sits under an asarUnpack glob,
  // since a native library cannot be loaded from inside an archive.
  const nativeFiles = [...filesUnder('node_modules/@img'), ...filesUnder('node_modules/sharp'), ...filesUnder('node_modules/@julusian/jpeg-turbo')].filter((file) => file.endsWith('.node') || /\.so(\.\d+)*$/.test(file) || file.endsWith('.dll') || file.endsWith('.dylib'));
  assert.ok(nativeFiles.length > 0, 'native files found');
  for (const file of nativeFiles) assert.ok(unpacked(file), `${file} is unpacked`);
  for (const pkg of ['sharp', '@julusian/jpeg-turbo']) assert.ok(dependencies.includes(pkg), `${pkg} is a production dependency`);
});

test('installers carry the version; the NSIS addition copies the roll-out profile the app reads at first start', async () => {
  const raw = load(readFileSync(path.resolve('electron-builder.yml'), 'utf8')) as { artifactName: string; nsis: { artifactName: string; include: string; perMachine: boolean; oneClick: boolean } };
  assert.match(raw.artifactName, /\$\{version\}/);
  assert.match(raw.nsis.artifactName, /\$\{version\}/);
  // Assisted installer with the install-mode page: per user or per machine (IT: /S /allusers).
  assert.deepEqual([raw.nsis.oneClick, raw.nsis.perMachine], [false, false]);
  const { firstRunProfileName } = await import('../electron/core/endpoint/first-run-profile.js');
  const script = readFileSync(path.resolve(raw.nsis.include), 'utf8');
  assert.ok(script.includes(`$EXEDIR\\${firstRunProfileName}`) && script.includes(`$INSTDIR\\${firstRunProfileName}`), 'copies the file the app looks for');
});

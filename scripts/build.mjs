// Builds everything the app runs from: the renderer (Vite) and three Node bundles (esbuild):
// the Electron main process, the sandboxed preload, and the CLI.
import { build as esbuild } from 'esbuild';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.includes('--renderer-only') ? 'renderer' : process.argv.includes('--node-only') ? 'node' : 'all';

// Bundles are CommonJS (Electron's sandboxed preload requires it); source code reads its own
// location through import.meta.url, which this banner supplies in CommonJS.
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl' },
};

// Native code (sharp/libvips) and WebAssembly packages load their binaries from their own package
// folders at run time, so they stay external and ship as real dependencies.
const nativeAndWasm = ['sharp', '@julusian/jpeg-turbo', 'zxing-wasm', 'zxing-wasm/*', '@hyzyla/pdfium', 'subset-font'];

async function buildNode() {
  await rm(`${root}dist/electron`, { recursive: true, force: true });
  await rm(`${root}dist/cli`, { recursive: true, force: true });
  const results = await Promise.all([
    esbuild({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs', external: ['electron', ...nativeAndWasm] }),
    // The preload loads with every window: minified, names only (no schemas), under 1 KB. No banner:
    // it never reads import.meta.url, and a sandboxed preload should need nothing but electron.
    esbuild({ ...common, banner: {}, define: {}, minify: true, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] }),
    // Top-level await in the CLI entry needs ESM, so the CLI bundle is .mjs-free CJS via a wrapper entry.
    esbuild({ ...common, metafile: true, entryPoints: ['electron/cli/bundle-entry.ts'], outfile: 'dist/cli/scan-station.cjs', external: nativeAndWasm }),
    // The inspection worker sits next to each bundle that starts it (see inspection-pool.ts).
    esbuild({ ...common, metafile: true, entryPoints: ['electron/core/inspection/inspection-worker.ts'], outfile: 'dist/cli/inspection-worker.cjs', external: nativeAndWasm }),
    esbuild({ ...common, entryPoints: ['electron/core/inspection/inspection-worker.ts'], outfile: 'dist/electron/inspection-worker.cjs', external: nativeAndWasm }),
    // The page readers of the split and the spool, likewise.
    esbuild({ ...common, metafile: true, entryPoints: ['electron/core/split/page-reader-worker.ts'], outfile: 'dist/cli/page-reader-worker.cjs', external: nativeAndWasm }),
    esbuild({ ...common, entryPoints: ['electron/core/split/page-reader-worker.ts'], outfile: 'dist/electron/page-reader-worker.cjs', external: nativeAndWasm }),
  ]);
  await writeCliSources(results.filter((result) => result.metafile).map((result) => result.metafile));
}

/**
 * `dist/cli/sources.json`: every source file (outside node_modules) the CLI bundles were built from,
 * with its size and modification time, plus the package manifests. `bin/scan-station.mjs` runs the
 * bundle only while all of them are unchanged, so an edited checkout never runs a stale bundle.
 */
async function writeCliSources(metafiles) {
  const inputs = new Set(['package.json', 'package-lock.json']);
  for (const metafile of metafiles) for (const input of Object.keys(metafile.inputs)) if (!input.startsWith('node_modules/') && !input.includes(':')) inputs.add(input);
  const files = [];
  for (const input of [...inputs].sort()) {
    const info = await stat(`${root}${input}`).catch(() => null);
    if (info) files.push([input, info.size, info.mtimeMs]);
  }
  await writeFile(`${root}dist/cli/sources.json`, `${JSON.stringify({ version: 1, files })}\n`);
}

/** The cover font (Noto Sans SC Regular and Bold, OFL-1.1) with its licence, beside the bundles. */
async function copyFonts() {
  const from = `${root}node_modules/@expo-google-fonts/noto-sans-sc`;
  const to = `${root}dist/assets/fonts`;
  await mkdir(to, { recursive: true });
  await Promise.all([
    copyFile(`${from}/400Regular/NotoSansSC_400Regular.ttf`, `${to}/NotoSansSC-Regular.ttf`),
    copyFile(`${from}/700Bold/NotoSansSC_700Bold.ttf`, `${to}/NotoSansSC-Bold.ttf`),
    copyFile(`${from}/LICENSE_FONT`, `${to}/OFL.txt`),
  ]);
}

/**
 * The app icon, drawn from assets/icon.svg: build/icon.png (1024 px) for electron-builder, which makes
 * the Windows .ico and the Linux sizes from it, and dist/assets/icon.png for the window on Linux.
 */
async function makeIcons() {
  const { default: sharp } = await import('sharp');
  const svg = await readFile(`${root}assets/icon.svg`);
  await mkdir(`${root}build`, { recursive: true });
  await mkdir(`${root}dist/assets`, { recursive: true });
  await sharp(svg, { density: 1152 }).resize(1024, 1024).png().toFile(`${root}build/icon.png`);
  await sharp(svg, { density: 288 }).resize(256, 256).png().toFile(`${root}dist/assets/icon.png`);
}

async function buildRenderer() {
  await viteBuild({ configFile: `${root}renderer/vite.config.ts`, logLevel: 'warn' });
}

const started = Date.now();
if (only !== 'renderer') {
  await buildNode();
  await Promise.all([copyFonts(), makeIcons()]);
}
if (only !== 'node') await buildRenderer();
console.log(`build: ${only} done in ${Date.now() - started} ms → dist/`);

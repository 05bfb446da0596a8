// How a worker thread of the core is started, from a build or from source.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How to start the worker `name` whose source sits in `sourceDir`: the bundled .cjs next to this
 * bundle in a build; from source, a small bootstrap that registers tsx (as bin/scan-station.mjs does)
 * and imports the TypeScript worker.
 */
export function resolveWorkerScript(name: string, sourceDir: string): { script: string; eval: boolean } {
  // In a build every module is in one bundle, so import.meta.url is the bundle and the worker sits beside it.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const bundled = path.join(here, `${name}.cjs`);
  if (existsSync(bundled)) return { script: bundled, eval: false };
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const worker = pathToFileURL(path.join(sourceDir, `${name}.ts`)).href;
  return { script: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`, eval: true };
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout or install folder. This file runs either from source (electron/cli/) or bundled
 * into dist/cli/; both sit two levels below the root.
 */
export function resolveAppRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Where the build puts the renderer. */
export function defaultRendererDir(): string {
  return path.join(resolveAppRoot(), 'dist', 'renderer');
}

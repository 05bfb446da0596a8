import { promises as fs } from 'node:fs';
import path from 'node:path';
import { supportedExtensions } from '../document/detect-format.js';

/** An input the user named: a file to check, or a path that does not exist. */
export type CollectedInput = { path: string; missing: false } | { path: string; missing: true };

/**
 * Expands the given paths: files are kept as given (whatever their extension: content decides),
 * folders are walked recursively for supported extensions, sorted, hidden entries skipped.
 */
export async function collectInputFiles(paths: string[]): Promise<CollectedInput[]> {
  const out: CollectedInput[] = [];
  for (const given of paths) {
    const stat = await fs.stat(given).catch(() => null);
    if (!stat) out.push({ path: given, missing: true });
    else if (stat.isDirectory()) for (const file of await walk(given)) out.push({ path: file, missing: false });
    else out.push({ path: given, missing: false });
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile() && (supportedExtensions as readonly string[]).includes(path.extname(entry.name).toLowerCase())) files.push(full);
  }
  return files;
}

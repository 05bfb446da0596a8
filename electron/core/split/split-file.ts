import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AppErrorInfo } from '../../shared/error-codes.js';
import { causeParams, CoreError, formatErrorEnglish } from '../base/errors.js';
import type { ImageCodeRules } from '../codes/image-code-rules.js';
import { isIgnoredName, supportedExtensions } from '../document/detect-format.js';
import type { DocumentLimits } from '../document/document-limits.js';
import { openDocument } from '../document/read-document.js';
import { defaultBlankInkShare } from './classify-page.js';
import type { PageReaderPool } from './page-reader-pool.js';
import { readStackPages } from './read-stack-pages.js';
import { defaultSplitOptions, splitStack, type ClassifiedPage, type SplitOptions, type SplitResult } from './split-stack.js';

/** A stack as the split saw it: its pages, its bills, or the error that stopped it. */
export interface SplitReport extends SplitResult {
  file: string;
  pageCount: number;
  /** Page n of the stack came from this file (and that file's page): one-JPEG-per-page folders. */
  sources: Array<{ file: string; page: number }>;
  error: AppErrorInfo | null;
}

/** How a stack is read and split. */
export interface SplitFileOptions {
  rules: ImageCodeRules;
  blankInkShare?: number;
  split?: SplitOptions;
  limits?: DocumentLimits;
  /** Resolution assumed for images that record none. */
  fallbackDpi?: number;
  onPage?: (page: number, pageCount: number) => void;
  /** Page readers on worker threads. */
  pool?: PageReaderPool;
}

const naturalOrder = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * The files of a stack: a file is one stack; a folder is one stack of its image files in natural
 * name order (`page2` before `page10`), as scanners write one JPEG per page. Hidden and temporary
 * scanner files are skipped; links and anything that is not a regular file are refused.
 */
export async function listStackFiles(input: string): Promise<string[]> {
  const stat = await fs.lstat(input).catch((error: unknown) => {
    throw new CoreError('file-unreadable', { name: path.basename(input), ...causeParams(error) }, { cause: error });
  });
  if (stat.isFile()) return [input];
  if (!stat.isDirectory()) throw new CoreError('file-unreadable', { name: path.basename(input), reason: 'not-regular-file' });
  const entries = await fs.readdir(input, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !isIgnoredName(entry.name) && (supportedExtensions as readonly string[]).includes(path.extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort(naturalOrder.compare)
    .map((name) => path.join(input, name));
}

/**
 * Reads a stack page by page (one page in memory at a time), classifies every page and splits it
 * into bills. A bad file becomes a report with its error, never a throw.
 */
export async function splitFile(input: string, options: SplitFileOptions): Promise<SplitReport> {
  const classified: ClassifiedPage[] = [];
  const sources: SplitReport['sources'] = [];
  const finish = (error: AppErrorInfo | null): SplitReport => ({ file: input, pageCount: classified.length, sources, error, ...splitStack(classified, options.split ?? defaultSplitOptions) });
  try {
    const files = await listStackFiles(input);
    for (const file of files) {
      const document = await openDocument(file, { limits: options.limits, fallbackDpi: options.fallbackDpi });
      try {
        for await (const { index, what } of readStackPages(document, { name: path.basename(file), rules: options.rules, blankInkShare: options.blankInkShare ?? defaultBlankInkShare, limits: options.limits, pool: options.pool, thumbnails: false })) {
          classified.push({ page: classified.length + 1, what });
          sources.push({ file, page: index + 1 });
          options.onPage?.(classified.length, files.length === 1 ? document.pageCount : classified.length);
        }
      } finally {
        document.close();
      }
    }
    return finish(null);
  } catch (error) {
    if (error instanceof CoreError) return finish({ code: error.code, message: error.message, params: error.params });
    const params = { name: path.basename(input), ...causeParams(error) };
    return finish({ code: 'inspection-crashed', message: formatErrorEnglish('inspection-crashed', params), params });
  }
}

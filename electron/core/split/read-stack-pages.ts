import { sharp } from '../base/sharp.js';
import { causeParams, CoreError } from '../base/errors.js';
import type { DocumentLimits } from '../document/document-limits.js';
import { defaultDocumentLimits } from '../document/document-limits.js';
import type { OpenedDocument, PageRaster } from '../document/opened-document.js';
import { documentPageReads, gatherPageEvidence, judgeEvidenceWithQr, type ClassifyOptions, type PagePoint } from './classify-page.js';
import { encodeOrRefuse, thumbnailPng, type JpegPageRead } from './read-jpeg-page.js';
import type { PageKind } from './split-stack.js';
import type { PageReaderPool } from './page-reader-pool.js';

/** One page of a stack as read for the split (and, when asked, for storing). */
export interface StackPageRead {
  index: number;
  what: PageKind;
  /** The corners of the QR the judgement rests on, as shares of the page; null without one. */
  qr: PagePoint[] | null;
  /** The page's thumbnail (PNG); empty when `thumbnails: false` was asked. */
  thumbPng: Uint8Array;
  /** The page as it will be stored and sent: its own JPEG bytes, or lossless PNG (only with `store`). */
  stored: { format: 'jpeg' | 'png'; bytes: Uint8Array } | null;
}

/** How a stack's pages are read. */
export interface ReadStackOptions extends ClassifyOptions {
  name: string;
  limits?: DocumentLimits;
  /** Page readers on worker threads; without them pages are read on this thread. */
  pool?: PageReaderPool;
  /** Also hand back each page as it will be stored. */
  store?: boolean;
  /** Make each page's thumbnail (default true); a dry-run split, which shows none, skips them. */
  thumbnails?: boolean;
}

/** A page as the imaging system will receive it when it is not a JPEG: lossless PNG (1-bit when bilevel). */
export async function encodeLosslessPage(raster: PageRaster, name = 'page'): Promise<{ format: 'png'; bytes: Uint8Array }> {
  const { data, width, height } = raster.image;
  const bilevel = data.every((value) => value === 0 || value === 255);
  const bytes = await encodeOrRefuse(name, () => {
    const png = sharp(Buffer.from(data.buffer, data.byteOffset, data.length), { raw: { width, height, channels: 1 } }).withMetadata({ density: raster.dpi });
    return bilevel ? png.png({ palette: true, colours: 2, compressionLevel: 9 }).toBuffer() : png.png({ compressionLevel: 6 }).toBuffer();
  });
  return { format: 'png', bytes: new Uint8Array(bytes) };
}

/** Reads one page on this thread; the QR reader's own throws (ZXing is WebAssembly) become the page's CoreError too. */
async function readPageHere(document: OpenedDocument, index: number, options: ReadStackOptions): Promise<StackPageRead> {
  try {
    const { evidence, overview, whole } = await gatherPageEvidence(documentPageReads(document, index));
    let stored: StackPageRead['stored'] = null;
    if (options.store) {
      const encoded = document.readEncoded ? await document.readEncoded(index) : null;
      stored = whole?.encoded ?? (encoded ? { format: 'jpeg', bytes: encoded.bytes } : await encodeLosslessPage(whole ?? (await document.readPage(index)), options.name));
    }
    return { index, ...judgeEvidenceWithQr(evidence, options), thumbPng: options.thumbnails === false ? new Uint8Array(0) : thumbnailPng(overview), stored };
  } catch (error) {
    if (error instanceof CoreError) throw error;
    throw new CoreError('inspection-crashed', { name: options.name, ...causeParams(error) }, { cause: error });
  }
}

/** A page whose image data would not decode (a half-overwritten scan): it becomes a damaged page, never a blank one. */
function isPageDamage(error: unknown): error is CoreError {
  return error instanceof CoreError && error.code === 'corrupt-image';
}

let placeholder: Promise<Uint8Array> | undefined;

/** A flat mid-gray page (170 × 240 px PNG), shown and kept where a damaged page was: it is in no bill and never uploaded. */
export function damagedPlaceholder(): Promise<Uint8Array> {
  placeholder ??= sharp(Buffer.alloc(170 * 240, 160), { raw: { width: 170, height: 240, channels: 1 } })
    .png()
    .toBuffer()
    .then((png) => new Uint8Array(png));
  return placeholder;
}

async function damagedPage(index: number, error: CoreError, options: ReadStackOptions): Promise<StackPageRead> {
  const png = await damagedPlaceholder();
  return { index, what: { kind: 'damaged', reason: String(error.params['reason'] ?? 'image-data') }, qr: null, thumbPng: png, stored: options.store ? { format: 'png', bytes: png } : null };
}

/**
 * Reads every page of a document in order, a few pages ahead on the page readers when the pages
 * are JPEGs (a scanner PDF, a JPEG file): the main thread only reads bytes, the workers decode and
 * search, and pages still come out in order. Memory: at most `3 × pool size` pages in flight. A
 * page whose image does not decode comes out as `damaged` and the rest go on; a file of which no
 * page decodes is refused with the first page's error.
 */
export async function* readStackPages(document: OpenedDocument, options: ReadStackOptions): AsyncGenerator<StackPageRead> {
  let firstDamage: CoreError | null = null;
  let damaged = 0;
  for await (const read of readStackPagesRaw(document, options)) {
    if ('damage' in read) {
      firstDamage ??= read.damage;
      damaged += 1;
      yield await damagedPage(read.index, read.damage, options);
    } else yield read;
  }
  if (firstDamage && damaged === document.pageCount) throw firstDamage;
}

async function* readStackPagesRaw(document: OpenedDocument, options: ReadStackOptions): AsyncGenerator<StackPageRead | { index: number; damage: CoreError }> {
  const pool = document.readEncoded ? options.pool : undefined;
  if (!pool || !document.readEncoded) {
    for (let index = 0; index < document.pageCount; index += 1) {
      try {
        yield await readPageHere(document, index, options);
      } catch (error) {
        if (!isPageDamage(error)) throw error;
        yield { index, damage: error };
      }
    }
    return;
  }
  const readEncoded = document.readEncoded.bind(document);
  // Every reader busy with its pages, and one more page read from disk per reader, waiting.
  const ahead = pool.size * (pool.pagesPerReader + 1);
  const inFlight: Array<Promise<{ index: number; bytes: Uint8Array; read: JpegPageRead } | { index: number; error: unknown }>> = [];
  let next = 0;
  const launch = () => {
    const index = next++;
    // Settled here with its page's error: a later page failing first is never unhandled meanwhile.
    const read = readEncoded(index).then(
      async (encoded) => ({
        index,
        bytes: encoded.bytes,
        // Bytes to be stored stay here and the worker gets a copy (moved to it, not copied again); bytes
        // only read, and the caller's alone, are moved as they are (a copy of a heavy page cost about
        // 1 ms of this thread). (A plain Uint8Array: a Buffer's slice() is a view, and moving it would
        // empty the bytes kept here.)
        read: await pool.read({ name: options.name, page: index + 1, thumbnail: options.thumbnails !== false, bytes: options.store || !encoded.owned ? new Uint8Array(encoded.bytes) : encoded.bytes, width: encoded.width, height: encoded.height, dpi: encoded.dpi, limits: options.limits ?? defaultDocumentLimits }),
      }),
    ).catch((error: unknown) => ({ index, error }));
    inFlight.push(read);
  };
  try {
    while (next < document.pageCount && inFlight.length < ahead) launch();
    while (inFlight.length > 0) {
      const settled = await (inFlight.shift() as (typeof inFlight)[number]);
      if (next < document.pageCount) launch();
      if ('error' in settled) {
        if (!isPageDamage(settled.error)) throw settled.error;
        yield { index: settled.index, damage: settled.error };
        continue;
      }
      const { index, bytes, read } = settled;
      yield { index, ...judgeEvidenceWithQr(read.evidence, options), thumbPng: read.thumbPng, stored: options.store ? { format: 'jpeg', bytes } : null };
    }
  } finally {
    // A failure or an early stop: let what is still running finish (its errors are not ours any more).
    await Promise.allSettled(inFlight);
  }
}

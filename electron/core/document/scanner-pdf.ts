import { open, type FileHandle } from 'node:fs/promises';
import { createObjectReader, readAt, readXrefSection, type ObjectReader, type XrefEntry } from './pdf-objects.js';
import { isDict, isName, isRef, latin1, NotSimple, type PdfDict, type PdfValue } from './pdf-syntax.js';

// A reader for the one kind of PDF scanners write: every page one JPEG image drawn over the whole
// page. It finds each page's JPEG bytes from the cross-reference table and reads them from disk on
// demand, so a 1,000-page, 400 MB scan is never held in memory (PDFium, as WebAssembly, needs the
// whole file in its heap). Anything it does not fully understand returns null and PDFium reads
// the file instead: this is a fast path, never a second opinion.

/** One page of a simple scanner PDF: where its JPEG is and how large the page is. */
export interface ScannerPdfPage {
  offset: number;
  length: number;
  width: number;
  height: number;
  widthPt: number;
  heightPt: number;
}

/** A simple scanner PDF, opened: its pages and a way to read each page's JPEG bytes. */
export interface ScannerPdf {
  /** Its pages, or only the first `maxPages + 1` of a longer file (reading stops there). */
  pages: ScannerPdfPage[];
  /** The page count the page tree's root declares (/Count), when it is a number; may lie. */
  declaredPages: number | null;
  readJpeg(index: number): Promise<Uint8Array>;
  /** Reads part of a page's JPEG (from its first byte), for a reader that takes only what it keeps. */
  readJpegRange(index: number, offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens `file` as a simple scanner PDF, or returns null when it is anything else (PDFium then
 * reads it). Also null when the file does not end in a complete cross-reference section: it may
 * still be being written.
 */
export async function openScannerPdf(file: string, size: number, maxPages: number): Promise<ScannerPdf | null> {
  const handle = await open(file, 'r');
  try {
    const table = await readPageTable(handle, size, maxPages);
    if (!table) {
      await handle.close();
      return null;
    }
    const { pages, declaredPages } = table;
    return {
      pages,
      declaredPages,
      async readJpeg(index) {
        const page = pages[index];
        if (!page) throw new Error(`no page ${index + 1}`);
        const bytes = new Uint8Array(page.length);
        const { bytesRead } = await handle.read(bytes, 0, page.length, page.offset);
        if (bytesRead !== page.length) throw new Error('the file changed while it was read');
        // Whether the bytes are a JPEG is the caller's to judge: a damaged page, not a damaged file.
        return bytes;
      },
      async readJpegRange(index, offset, length) {
        const page = pages[index];
        if (!page) throw new Error(`no page ${index + 1}`);
        const size = Math.max(0, Math.min(length, page.length - offset));
        const bytes = new Uint8Array(size);
        const { bytesRead } = await handle.read(bytes, 0, size, page.offset + offset);
        if (bytesRead !== size) throw new Error('the file changed while it was read');
        return bytes;
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readPageTable(handle: FileHandle, size: number, maxPages: number): Promise<{ pages: ScannerPdfPage[]; declaredPages: number | null } | null> {
  try {
    const tail = await readAt(handle, Math.max(0, size - 1024), Math.min(1024, size));
    const text = latin1.decode(tail);
    const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
    if (!match) return null;
    const xref = new Map<number, XrefEntry>();
    let trailer: PdfDict | null = null;
    const seen = new Set<number>();
    let at: number | null = Number(match[1]);
    while (at !== null) {
      if (seen.has(at) || at >= size || seen.size > 64) throw new NotSimple('xref chain');
      seen.add(at);
      const section = await readXrefSection(handle, at, size);
      for (const [num, entry] of section.entries) if (!xref.has(num)) xref.set(num, entry);
      trailer ??= section.trailer;
      const previous = section.trailer.get('Prev');
      at = typeof previous === 'number' ? previous : null;
    }
    if (!trailer || trailer.has('Encrypt')) return null;
    const objects = createObjectReader(handle, size, xref);
    const root = await objects.resolve(trailer.get('Root'));
    if (!isDict(root)) return null;
    const pages: ScannerPdfPage[] = [];
    const tree = await objects.resolve(root.get('Pages'));
    const count = isDict(tree) ? await objects.resolve(tree.get('Count')) : null;
    await collectPages(objects, tree, {}, pages, maxPages, new Set());
    return pages.length > 0 ? { pages, declaredPages: typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : null } : null;
  } catch (error) {
    if (error instanceof NotSimple) return null;
    throw error;
  }
}

interface Inherited {
  resources?: PdfValue;
  mediaBox?: PdfValue;
  rotate?: PdfValue;
}

async function collectPages(objects: ObjectReader, node: PdfValue | undefined, inherited: Inherited, pages: ScannerPdfPage[], maxPages: number, visited: Set<PdfValue>): Promise<void> {
  if (!isDict(node) || visited.has(node) || visited.size > maxPages * 2 + 16) throw new NotSimple('page tree');
  visited.add(node);
  const here: Inherited = {
    resources: node.get('Resources') ?? inherited.resources,
    mediaBox: node.get('MediaBox') ?? inherited.mediaBox,
    rotate: node.get('Rotate') ?? inherited.rotate,
  };
  const type = node.get('Type');
  if (isName(type) && type.name === 'Pages') {
    const kids = await objects.resolve(node.get('Kids'));
    if (!Array.isArray(kids)) throw new NotSimple('kids');
    for (const kid of kids) {
      if (pages.length > maxPages) return;
      await collectPages(objects, await objects.resolve(kid), here, pages, maxPages, visited);
    }
    return;
  }
  pages.push(await describePage(objects, node, here));
}

/** A page qualifies when it only draws one DCT image over its whole media box, unrotated. */
async function describePage(objects: ObjectReader, page: PdfDict, inherited: Inherited): Promise<ScannerPdfPage> {
  const rotate = await objects.resolve(inherited.rotate);
  if (rotate !== undefined && rotate !== null && rotate !== 0) throw new NotSimple('rotated page');
  const box = await objects.resolve(inherited.mediaBox);
  if (!Array.isArray(box) || box.length !== 4) throw new NotSimple('media box');
  const [x0, y0, x1, y1] = (await Promise.all(box.map((value) => objects.resolve(value)))) as number[];
  if ([x0, y0, x1, y1].some((value) => typeof value !== 'number') || x0 !== 0 || y0 !== 0) throw new NotSimple('media box origin');
  const widthPt = x1 as number;
  const heightPt = y1 as number;
  const resources = await objects.resolve(inherited.resources);
  if (!isDict(resources)) throw new NotSimple('resources');
  const xobjects = await objects.resolve(resources.get('XObject'));
  if (!isDict(xobjects) || xobjects.size !== 1) throw new NotSimple('xobjects');
  const [[imageName, imageRef]] = [...xobjects.entries()] as [[string, PdfValue]];
  if (!isRef(imageRef)) throw new NotSimple('image ref');
  const image = await objects.streamAt(imageRef);
  const subtype = image.dict.get('Subtype');
  const filter = image.dict.get('Filter');
  const filterName = Array.isArray(filter) && filter.length === 1 ? filter[0] : filter;
  if (!isName(subtype) || subtype.name !== 'Image' || !isName(filterName) || filterName.name !== 'DCTDecode' || image.dict.has('SMask') || image.dict.has('Mask') || image.dict.has('Decode')) throw new NotSimple('not a plain JPEG');
  const width = await objects.resolve(image.dict.get('Width'));
  const height = await objects.resolve(image.dict.get('Height'));
  if (typeof width !== 'number' || typeof height !== 'number') throw new NotSimple('image size');
  // The content must be exactly: q, one cm that fills the page, the image, Q.
  const contents = await objects.resolve(page.get('Contents'));
  const contentRef = Array.isArray(contents) && contents.length === 1 ? contents[0] : page.get('Contents');
  if (!isRef(contentRef)) throw new NotSimple('contents');
  const content = await (await objects.streamAt(contentRef)).data();
  if (content.length > 4096) throw new NotSimple('content too long');
  if (!drawsImageOverPage(latin1.decode(content), imageName, widthPt, heightPt)) throw new NotSimple('content');
  return { offset: image.dataOffset, length: image.length, width, height, widthPt, heightPt };
}

/**
 * Runs a content stream that may only save/restore state, set matrices and draw one image: true
 * when that image lands exactly on the page (no crop, no turn, no second drawing).
 */
function drawsImageOverPage(content: string, imageName: string, widthPt: number, heightPt: number): boolean {
  const stack: number[][] = [];
  let matrix = [1, 0, 0, 1, 0, 0];
  let operands: string[] = [];
  let drawn = 0;
  for (const token of content.trim().split(/\s+/)) {
    if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(token) || token.startsWith('/')) {
      operands.push(token);
      continue;
    }
    switch (token) {
      case 'q':
        stack.push(matrix);
        break;
      case 'Q':
        matrix = stack.pop() ?? matrix;
        break;
      case 'cm': {
        if (operands.length !== 6) return false;
        const [a, b, c, d, e, f] = operands.map(Number) as [number, number, number, number, number, number];
        const [A, B, C, D, E, F] = matrix as [number, number, number, number, number, number];
        matrix = [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
        break;
      }
      case 'Do':
        if (operands.length !== 1 || operands[0] !== `/${imageName}`) return false;
        drawn += 1;
        {
          const [a, b, c, d, e, f] = matrix as [number, number, number, number, number, number];
          const close = (x: number, y: number) => Math.abs(x - y) < 0.05;
          if (!close(a, widthPt) || !close(d, heightPt) || !close(b, 0) || !close(c, 0) || !close(e, 0) || !close(f, 0)) return false;
        }
        break;
      default:
        return false;
    }
    operands = [];
  }
  return drawn === 1 && operands.length === 0;
}

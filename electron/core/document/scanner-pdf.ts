import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';

// A reader for the one kind of PDF scanners write: every page one JPEG image drawn over the whole
// page. It finds each page's JPEG bytes from the cross-reference table and reads them from disk on
// demand, so a 1,000-page, 400 MB scan is never held in memory (PDFium, as WebAssembly, needs the
// whole file in its heap). Anything it does not fully understand returns null and PDFium reads
// the file instead: this is a fast path, never a second opinion.

/** A PDF value, as far as this reader needs them. */
type PdfValue = number | boolean | null | string | PdfName | PdfRef | PdfValue[] | PdfDict;
interface PdfName {
  name: string;
}
interface PdfRef {
  num: number;
  gen: number;
}
type PdfDict = Map<string, PdfValue>;

const isName = (value: PdfValue | undefined): value is PdfName => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && 'name' in value;
const isRef = (value: PdfValue | undefined): value is PdfRef => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && 'num' in value;
const isDict = (value: PdfValue | undefined): value is PdfDict => value instanceof Map;

/** Thrown inside the reader when the file is not the simple kind; turned into `null` at its edge. */
class NotSimple extends Error {}

const whitespace = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const delimiters = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const latin1 = new TextDecoder('latin1');

/** A tokenizer-parser over a byte window. */
class Parser {
  position: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.position = start;
  }

  skipSpace(): void {
    const bytes = this.bytes;
    while (this.position < bytes.length) {
      const byte = bytes[this.position] as number;
      if (whitespace.has(byte)) this.position += 1;
      else if (byte === 0x25) {
        while (this.position < bytes.length && bytes[this.position] !== 0x0a && bytes[this.position] !== 0x0d) this.position += 1;
      } else break;
    }
  }

  /** A bare word: a number, keyword or operator. */
  word(): string {
    this.skipSpace();
    const start = this.position;
    while (this.position < this.bytes.length && !whitespace.has(this.bytes[this.position] as number) && !delimiters.has(this.bytes[this.position] as number)) this.position += 1;
    return latin1.decode(this.bytes.subarray(start, this.position));
  }

  value(depth = 0): PdfValue {
    if (depth > 32) throw new NotSimple('nesting');
    this.skipSpace();
    if (this.position >= this.bytes.length) throw new NotSimple('truncated');
    const byte = this.bytes[this.position] as number;
    if (byte === 0x2f) {
      this.position += 1;
      const start = this.position;
      while (this.position < this.bytes.length && !whitespace.has(this.bytes[this.position] as number) && !delimiters.has(this.bytes[this.position] as number)) this.position += 1;
      return { name: latin1.decode(this.bytes.subarray(start, this.position)) };
    }
    if (byte === 0x3c && this.bytes[this.position + 1] === 0x3c) {
      this.position += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skipSpace();
        if (this.bytes[this.position] === 0x3e && this.bytes[this.position + 1] === 0x3e) {
          this.position += 2;
          return dict;
        }
        const key = this.value(depth + 1);
        if (!isName(key)) throw new NotSimple('dict key');
        dict.set(key.name, this.value(depth + 1));
      }
    }
    if (byte === 0x3c) {
      const end = this.bytes.indexOf(0x3e, this.position);
      if (end < 0) throw new NotSimple('hex string');
      this.position = end + 1;
      return '<hex>';
    }
    if (byte === 0x28) {
      // Literal string: balanced parentheses, backslash escapes. The content is never needed here.
      let level = 0;
      for (; this.position < this.bytes.length; this.position += 1) {
        const c = this.bytes[this.position];
        if (c === 0x5c) this.position += 1;
        else if (c === 0x28) level += 1;
        else if (c === 0x29 && --level === 0) {
          this.position += 1;
          return '<string>';
        }
      }
      throw new NotSimple('string');
    }
    if (byte === 0x5b) {
      this.position += 1;
      const array: PdfValue[] = [];
      for (;;) {
        this.skipSpace();
        if (this.bytes[this.position] === 0x5d) {
          this.position += 1;
          return array;
        }
        array.push(this.value(depth + 1));
      }
    }
    const word = this.word();
    if (word === '') throw new NotSimple('unexpected byte');
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    const number = Number(word);
    if (!Number.isFinite(number)) throw new NotSimple(`keyword ${word}`);
    // "num gen R" is a reference: look ahead without consuming when it is not.
    if (Number.isInteger(number) && number >= 0) {
      const mark = this.position;
      const gen = this.word();
      if (/^\d+$/.test(gen) && this.word() === 'R') return { num: number, gen: Number(gen) };
      this.position = mark;
    }
    return number;
  }
}

interface XrefEntry {
  /** 1: at a byte offset; 2: inside an object stream. */
  type: 1 | 2;
  offset: number;
  stream: number;
  index: number;
}

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

const maxObjectWindow = 256 * 1024;

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

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await handle.read(bytes, 0, length, offset);
  return bytes.subarray(0, bytesRead);
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

async function readXrefSection(handle: FileHandle, offset: number, size: number): Promise<{ entries: Map<number, XrefEntry>; trailer: PdfDict }> {
  const head = await readAt(handle, offset, Math.min(64, size - offset));
  if (latin1.decode(head).startsWith('xref')) {
    // A classic table: read it whole (20 bytes per entry), up to the trailer.
    const window = await readAt(handle, offset, Math.min(size - offset, 32 * 1024 * 1024));
    const parser = new Parser(window, 4);
    const entries = new Map<number, XrefEntry>();
    for (;;) {
      const mark = parser.position;
      const first = parser.word();
      if (first === 'trailer') break;
      const count = Number(parser.word());
      if (!/^\d+$/.test(first) || !Number.isInteger(count)) throw new NotSimple('xref table');
      parser.position = mark;
      parser.word();
      parser.word();
      for (let i = 0; i < count; i += 1) {
        const entryOffset = Number(parser.word());
        parser.word();
        const kind = parser.word();
        if (kind === 'n') entries.set(Number(first) + i, { type: 1, offset: entryOffset, stream: 0, index: 0 });
        else if (kind !== 'f') throw new NotSimple('xref entry');
      }
    }
    const trailer = parser.value();
    if (!isDict(trailer)) throw new NotSimple('trailer');
    return { entries, trailer };
  }
  // A cross-reference stream.
  const { dict, data } = await readStreamObject(handle, offset, size, null);
  if (!isName(dict.get('Type')) || (dict.get('Type') as PdfName).name !== 'XRef') throw new NotSimple('xref stream');
  const widths = dict.get('W');
  if (!Array.isArray(widths) || widths.length !== 3 || !widths.every((w) => typeof w === 'number' && w >= 0 && w <= 8)) throw new NotSimple('xref W');
  const [w0, w1, w2] = widths as number[];
  const sizeValue = dict.get('Size');
  const index = (dict.get('Index') as number[] | undefined) ?? [0, typeof sizeValue === 'number' ? sizeValue : 0];
  const rowLength = (w0 as number) + (w1 as number) + (w2 as number);
  const entries = new Map<number, XrefEntry>();
  const field = (row: number, start: number, width: number) => {
    let value = 0;
    for (let i = 0; i < width; i += 1) value = value * 256 + (data[row + start + i] as number);
    return value;
  };
  let row = 0;
  for (let i = 0; i + 1 < index.length; i += 2) {
    const first = index[i] as number;
    const count = index[i + 1] as number;
    for (let n = 0; n < count; n += 1, row += rowLength) {
      if (row + rowLength > data.length) throw new NotSimple('xref stream short');
      const type = w0 === 0 ? 1 : field(row, 0, w0 as number);
      const second = field(row, w0 as number, w1 as number);
      const third = field(row, (w0 as number) + (w1 as number), w2 as number);
      if (type === 1) entries.set(first + n, { type: 1, offset: second, stream: 0, index: 0 });
      else if (type === 2) entries.set(first + n, { type: 2, offset: 0, stream: second, index: third });
    }
  }
  return { entries, trailer: dict };
}

/** Reverses the PNG "Up" (and None) row predictors that cross-reference streams use. */
function unpredict(data: Uint8Array, parameters: PdfValue | undefined): Uint8Array {
  if (!isDict(parameters)) return data;
  const predictor = parameters.get('Predictor');
  if (typeof predictor !== 'number' || predictor < 10) {
    if (predictor === undefined || predictor === 1) return data;
    throw new NotSimple('predictor');
  }
  const columns = (parameters.get('Columns') as number | undefined) ?? 1;
  const stride = columns + 1;
  const out = new Uint8Array((data.length / stride) * columns);
  const previous = new Uint8Array(columns);
  for (let row = 0; row * stride < data.length; row += 1) {
    const filter = data[row * stride];
    for (let i = 0; i < columns; i += 1) {
      const raw = data[row * stride + 1 + i] as number;
      const value = filter === 0 ? raw : filter === 2 ? (raw + (previous[i] as number)) & 0xff : -1;
      if (value < 0) throw new NotSimple('png filter');
      previous[i] = value;
      out[row * columns + i] = value;
    }
  }
  return out;
}

function decodeStream(dict: PdfDict, raw: Uint8Array): Uint8Array {
  const filter = dict.get('Filter');
  const filters = filter === undefined ? [] : Array.isArray(filter) ? filter : [filter];
  if (filters.length === 0) return raw;
  if (filters.length !== 1 || !isName(filters[0]) || filters[0].name !== 'FlateDecode') throw new NotSimple('filter');
  const parameters = dict.get('DecodeParms');
  let inflated: Buffer;
  try {
    inflated = inflateSync(raw, { maxOutputLength: 64 * 1024 * 1024 });
  } catch {
    // Damaged, or expanding past 64 MB (a flate bomb): not a scanner's file; PDFium, capped, decides.
    throw new NotSimple('stream does not inflate');
  }
  return unpredict(new Uint8Array(inflated), Array.isArray(parameters) ? parameters[0] : parameters);
}

/** Reads "N G obj <<…>> stream … endstream" at `offset`: the dict and the (decoded) data. */
async function readStreamObject(handle: FileHandle, offset: number, size: number, objects: ObjectReader | null, decode = true): Promise<{ dict: PdfDict; data: Uint8Array; dataOffset: number; length: number }> {
  const window = await readAt(handle, offset, Math.min(size - offset, 16 * 1024));
  const parser = new Parser(window);
  parser.word();
  parser.word();
  if (parser.word() !== 'obj') throw new NotSimple('obj');
  const dict = parser.value();
  if (!isDict(dict)) throw new NotSimple('stream dict');
  if (parser.word() !== 'stream') throw new NotSimple('stream keyword');
  // The data starts after the end-of-line that follows "stream" (CRLF or LF).
  if (window[parser.position] === 0x0d) parser.position += 1;
  if (window[parser.position] === 0x0a) parser.position += 1;
  const lengthValue = dict.get('Length');
  const length = isRef(lengthValue) && objects ? await objects.resolve(lengthValue) : lengthValue;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) throw new NotSimple('length');
  const dataOffset = offset + parser.position;
  if (dataOffset + length > size) throw new NotSimple('stream past the end');
  // The stream must be followed by "endstream": a wrong /Length is not a simple file.
  const after = latin1.decode(await readAt(handle, dataOffset + length, Math.min(32, size - dataOffset - length)));
  if (!/^\s*endstream/.test(after)) throw new NotSimple('endstream');
  if (!decode) return { dict, data: new Uint8Array(0), dataOffset, length };
  if (length > 64 * 1024 * 1024) throw new NotSimple('stream too large');
  return { dict, data: decodeStream(dict, await readAt(handle, dataOffset, length)), dataOffset, length };
}

interface ObjectReader {
  resolve(value: PdfValue | undefined): Promise<PdfValue | undefined>;
  /** An image stream's place in the file, without reading its data. */
  streamAt(ref: PdfRef): Promise<{ dict: PdfDict; dataOffset: number; length: number; data: () => Promise<Uint8Array> }>;
}

function createObjectReader(handle: FileHandle, size: number, xref: Map<number, XrefEntry>): ObjectReader {
  const objectStreams = new Map<number, { first: number; offsets: Map<number, number>; data: Uint8Array }>();
  let resolving = 0;
  const reader: ObjectReader = {
    async resolve(value) {
      if (!isRef(value)) return value;
      const entry = xref.get(value.num);
      if (!entry) return null;
      if (++resolving > 10_000_000) throw new NotSimple('too many objects');
      if (entry.type === 1) {
        // Objects in a scanner PDF are small: read 8 KB, and more only when that cut one short.
        for (const windowSize of [8192, maxObjectWindow]) {
          const window = await readAt(handle, entry.offset, Math.min(size - entry.offset, windowSize));
          const parser = new Parser(window);
          if (Number(parser.word()) !== value.num) throw new NotSimple('object number');
          parser.word();
          if (parser.word() !== 'obj') throw new NotSimple('obj');
          try {
            return parser.value();
          } catch (error) {
            if (!(error instanceof NotSimple) || window.length < windowSize) throw error;
          }
        }
        throw new NotSimple('object too large');
      }
      let stream = objectStreams.get(entry.stream);
      if (!stream) {
        const location = xref.get(entry.stream);
        if (!location || location.type !== 1) throw new NotSimple('object stream');
        const { dict, data } = await readStreamObject(handle, location.offset, size, reader);
        const first = dict.get('First');
        const count = dict.get('N');
        if (typeof first !== 'number' || typeof count !== 'number') throw new NotSimple('object stream header');
        const header = new Parser(data);
        const offsets = new Map<number, number>();
        for (let i = 0; i < count; i += 1) offsets.set(Number(header.word()), Number(header.word()));
        stream = { first, offsets, data };
        objectStreams.set(entry.stream, stream);
      }
      const at = stream.offsets.get(value.num);
      if (at === undefined) throw new NotSimple('object not in stream');
      return new Parser(stream.data, stream.first + at).value();
    },
    async streamAt(ref) {
      const entry = xref.get(ref.num);
      if (!entry || entry.type !== 1) throw new NotSimple('image stream');
      const found = await readStreamObject(handle, entry.offset, size, reader, false);
      return { ...found, data: async () => decodeStream(found.dict, await readAt(handle, found.dataOffset, found.length)) };
    },
  };
  return reader;
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

// A PDF file's objects, read from disk on demand: cross-reference sections (tables and streams), objects in object streams, stream data.
import type { FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { isDict, isName, isRef, latin1, NotSimple, Parser, type PdfDict, type PdfName, type PdfRef, type PdfValue } from './pdf-syntax.js';

/** Where one object is: at a byte offset in the file, or inside an object stream. */
export interface XrefEntry {
  /** 1: at a byte offset; 2: inside an object stream. */
  type: 1 | 2;
  offset: number;
  stream: number;
  index: number;
}

const maxObjectWindow = 256 * 1024;

/** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
export async function readAt(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await handle.read(bytes, 0, length, offset);
  return bytes.subarray(0, bytesRead);
}

/** Reads one cross-reference section at `offset` (a classic table or a stream): its entries and trailer. */
export async function readXrefSection(handle: FileHandle, offset: number, size: number): Promise<{ entries: Map<number, XrefEntry>; trailer: PdfDict }> {
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

/** Resolves references to objects and finds streams, reading the file as needed. */
export interface ObjectReader {
  resolve(value: PdfValue | undefined): Promise<PdfValue | undefined>;
  /** An image stream's place in the file, without reading its data. */
  streamAt(ref: PdfRef): Promise<{ dict: PdfDict; dataOffset: number; length: number; data: () => Promise<Uint8Array> }>;
}

/** An object reader over a file's cross-reference entries; object streams are read once and kept. */
export function createObjectReader(handle: FileHandle, size: number, xref: Map<number, XrefEntry>): ObjectReader {
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

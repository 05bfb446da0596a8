// PDF syntax for the scanner-PDF reader: its values (numbers, names, references, arrays, dictionaries) and a parser over a byte window.

/** A PDF value, as far as this reader needs them. */
export type PdfValue = number | boolean | null | string | PdfName | PdfRef | PdfValue[] | PdfDict;

/** A PDF name (/Type). */
export interface PdfName {
  name: string;
}

/** A reference to an indirect object ("num gen R"). */
export interface PdfRef {
  num: number;
  gen: number;
}

/** A PDF dictionary. */
export type PdfDict = Map<string, PdfValue>;

/** Whether a value is a name. */
export const isName = (value: PdfValue | undefined): value is PdfName => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && 'name' in value;

/** Whether a value is a reference. */
export const isRef = (value: PdfValue | undefined): value is PdfRef => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && 'num' in value;

/** Whether a value is a dictionary. */
export const isDict = (value: PdfValue | undefined): value is PdfDict => value instanceof Map;

/** Thrown inside the reader when the file is not the simple kind; turned into `null` at its edge. */
export class NotSimple extends Error {}

const whitespace = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const delimiters = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

/** Decodes PDF bytes one byte per character. */
export const latin1 = new TextDecoder('latin1');

/** A tokenizer-parser over a byte window. */
export class Parser {
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

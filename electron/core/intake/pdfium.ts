import { PDFiumLibrary } from '@hyzyla/pdfium';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

let library: Promise<PDFiumLibrary> | undefined;

/** Where PDFium's .wasm sits in the installed package. */
export function resolvePdfiumWasmPath(): string {
  return createRequire(import.meta.url).resolve('@hyzyla/pdfium/pdfium.wasm');
}

/** PDFium (BSD/Apache, as WebAssembly), loaded once per thread from the package, never from a network. */
export function loadPdfium(wasmPath: string = resolvePdfiumWasmPath()): Promise<PDFiumLibrary> {
  library ??= readFile(wasmPath).then((bytes) =>
    PDFiumLibrary.init({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }),
  );
  return library;
}

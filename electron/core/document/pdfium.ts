import { PDFiumDocument, PDFiumLibrary, type PDFiumPage } from '@hyzyla/pdfium';
import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * The least a PDFium instance's WebAssembly heap may grow to. PDFium holds a whole decoded stream
 * at once: a 2 MB content stream that inflates to gigabytes grew the heap to its 2 GiB build limit
 * (2.2 GB resident, kept until restart) and then aborted. Growth past the limit is refused, and
 * the file is refused with the reason (`pdf-memory`); 512 MiB is more than any page of a station's
 * scans needs (a 600-dpi A3 page in colour is 210 MB decoded).
 */
export const pdfiumHeapFloor = 512 * 1024 * 1024;

/** Room beyond the PDF itself (which sits in the heap whole) for one page's work. */
export const pdfiumWorkingHeap = 384 * 1024 * 1024;

/** An instance whose heap has grown past this is replaced for the next file (a WebAssembly heap never shrinks). */
const recycleHeapBytes = 256 * 1024 * 1024;

/** The parts of the WebAssembly API used here (the project's type libraries leave it out). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What is known about one PDFium instance's health. */
interface EngineState {
  memory: WasmMemory;
  limit: number;
  /** A growth was refused since the last one that succeeded: PDFium ran into the limit. */
  refused: boolean;
  /** PDFium aborted or failed on this instance: its state is not trusted again. */
  failed: boolean;
}

const engines = new WeakMap<PDFiumLibrary, EngineState>();
let compiled: Promise<object> | undefined;
let current: Promise<PDFiumLibrary> | undefined;

/** Where PDFium's .wasm sits in the installed package. */
export function resolvePdfiumWasmPath(): string {
  return createRequire(import.meta.url).resolve('@hyzyla/pdfium/pdfium.wasm');
}

/**
 * PDFium (BSD/Apache, as WebAssembly), compiled once per thread from the package, never from a
 * network. The instance is shared while it is healthy and large enough (`heapLimit`, at least
 * `pdfiumHeapFloor`); after a failure, an abort, a refused growth or a large file, the next call
 * gets a fresh instance (the old one goes with its last document), so one bad file never breaks
 * the next.
 */
export function loadPdfium(options: { heapLimit?: number; wasmPath?: string } = {}): Promise<PDFiumLibrary> {
  const limit = Math.max(pdfiumHeapFloor, options.heapLimit ?? 0);
  const fresh = () => createEngine(limit, options.wasmPath ?? resolvePdfiumWasmPath());
  current = current ? current.then((library) => (isReusable(library, limit) ? library : fresh()), fresh) : fresh();
  return current;
}

function isReusable(library: PDFiumLibrary, limit: number): boolean {
  const state = engines.get(library);
  return state !== undefined && !state.failed && !state.refused && state.limit >= limit && state.memory.buffer.byteLength <= recycleHeapBytes;
}

/** Marks an instance as not to be used again (PDFium threw or aborted on it). */
export function markPdfiumFailed(library: PDFiumLibrary): void {
  const state = engines.get(library);
  if (state) state.failed = true;
}

/** True when the instance's heap hit its limit: whatever PDFium returned since may be missing parts. */
export function pdfiumRanOutOfHeap(library: PDFiumLibrary): boolean {
  return engines.get(library)?.refused ?? false;
}

/** The heap limit of an instance, for messages. */
export function pdfiumHeapLimit(library: PDFiumLibrary): number {
  return engines.get(library)?.limit ?? pdfiumHeapFloor;
}

async function createEngine(limit: number, wasmPath: string): Promise<PDFiumLibrary> {
  compiled ??= readFile(wasmPath).then((bytes) => wasmApi.compile(bytes));
  const wasm = await compiled;
  let state: EngineState | undefined;
  const library = await PDFiumLibrary.init({
    // The Emscripten glue grows the heap through the exported memory's grow(); refusing there makes
    // PDFium's allocation fail (it aborts or gives up) instead of taking the machine's memory.
    instantiateWasm: ((imports: object, receive: (instance: object, module: object) => void) => {
      void wasmApi.instantiate(wasm, imports).then((instance) => {
        const memory = instance.exports['memory'] as WasmMemory;
        const engine: EngineState = { memory, limit, refused: false, failed: false };
        const grow = memory.grow.bind(memory);
        Object.defineProperty(memory, 'grow', {
          value: (pages: number) => {
            if (memory.buffer.byteLength + pages * 65536 > engine.limit) {
              engine.refused = true;
              throw new RangeError(`PDFium's heap may not grow past ${engine.limit} bytes`);
            }
            const previous = grow(pages);
            engine.refused = false;
            return previous;
          },
        });
        state = engine;
        receive(instance, wasm);
      });
      return {};
    }) as never,
  });
  if (state) engines.set(library, state);
  return library;
}

/** The parts of PDFium's Emscripten module used to load a file without a JavaScript copy. */
interface PdfiumModuleInternals {
  wasmExports: { malloc(size: number): number; free(ptr: number): void };
  HEAPU8: Uint8Array;
  _FPDF_LoadMemDocument(documentPtr: number, size: number, passwordPtr: number): number;
  _FPDF_GetLastError(): number;
}

/** PDFium's FPDF_ERR_* codes that matter to users. */
const pdfiumErrors: Record<number, string> = { 1: 'unknown error', 2: 'file not found or could not be opened', 3: 'not in PDF format or corrupted', 4: 'password required', 5: 'unsupported security scheme', 6: 'page not found or content error' };

/** A PDF file held in PDFium's memory, from which documents are opened (and reopened) without reading it again. */
export interface PdfiumFileBuffer {
  /** Opens a document over the buffer; destroying it leaves the buffer in place. */
  open(): PDFiumDocument;
  /** Frees the buffer; call after the last document over it is destroyed. */
  free(): void;
}

/**
 * Reads a PDF straight from disk into PDFium's memory, in 8 MB chunks. `PDFiumLibrary.loadDocument`
 * needs the whole file as a JavaScript buffer first, which doubles the peak memory of a 1,000-page
 * scanner PDF. The buffer is kept for reopening: freeing and allocating 200 MB again on every reopen
 * fragmented the WebAssembly heap (which never shrinks) and re-read the file each time.
 */
export async function readPdfIntoPdfium(library: PDFiumLibrary, file: string, size: number): Promise<PdfiumFileBuffer> {
  const module = (library as unknown as { module: PdfiumModuleInternals }).module;
  const pointer = module.wasmExports.malloc(size);
  if (!pointer) throw new Error(`cannot allocate ${size} bytes for the PDF`);
  const handle = await open(file, 'r');
  try {
    const chunk = 8 * 1024 * 1024;
    for (let offset = 0; offset < size; offset += chunk) {
      // Re-read HEAPU8 each time: it is replaced when WebAssembly memory grows.
      const view = module.HEAPU8.subarray(pointer + offset, pointer + Math.min(size, offset + chunk));
      const { bytesRead } = await handle.read(view, 0, view.length, offset);
      if (bytesRead !== view.length) throw new Error('the file changed while it was read');
    }
  } catch (error) {
    module.wasmExports.free(pointer);
    throw error;
  } finally {
    await handle.close();
  }
  let freed = false;
  return {
    open() {
      if (freed) throw new Error('the PDF buffer was freed');
      const documentIdx = module._FPDF_LoadMemDocument(pointer, size, 0);
      if (!documentIdx) {
        const code = module._FPDF_GetLastError();
        throw new Error(pdfiumErrors[code] ?? `PDFium error ${code}`);
      }
      // documentPtr 0: PDFiumDocument.destroy() frees its pointer, and free(0) does nothing; the buffer is ours.
      return new PDFiumDocument({ module: module as never, documentPtr: 0, documentIdx });
    },
    free() {
      if (freed) return;
      freed = true;
      module.wasmExports.free(pointer);
    },
  };
}

/** The page's /Rotate in quarter turns clockwise (0–3), as PDFium reads it. */
export function pageQuarterTurns(page: PDFiumPage): number {
  const internals = page as unknown as { module: { _FPDFPage_GetRotation(pageIdx: number): number }; pageIdx: number };
  return internals.module._FPDFPage_GetRotation(internals.pageIdx);
}

/**
 * Closes a page that was not rendered. `PDFiumDocument.getPage` loads a page and only `render()`
 * closes it, so every page read through its embedded image would otherwise stay loaded (with its
 * decoded image) until the document is destroyed: hundreds of megabytes on a long scanner PDF.
 */
export function closeUnrenderedPage(page: PDFiumPage): void {
  const internals = page as unknown as { module: { _FPDF_ClosePage(pageIdx: number): void }; pageIdx: number };
  internals.module._FPDF_ClosePage(internals.pageIdx);
}

/** PDFium's raw bitmap calls, for rendering part of a page (the wrapper renders whole pages only). */
interface RegionModule {
  _FPDFBitmap_CreateEx(width: number, height: number, format: number, buffer: number, stride: number): number;
  _FPDFBitmap_FillRect(bitmap: number, left: number, top: number, width: number, height: number, color: number): void;
  _FPDF_RenderPageBitmap(bitmap: number, page: number, startX: number, startY: number, sizeX: number, sizeY: number, rotate: number, flags: number): void;
  _FPDFBitmap_Destroy(bitmap: number): void;
  _FPDF_ClosePage(page: number): void;
  wasmExports: { malloc(size: number): number; free(pointer: number): void };
  HEAPU8: Uint8Array;
}

/** FPDFBitmap_Gray, and the flags the wrapper renders gray pages with (ANNOT | LCD_TEXT | GRAYSCALE). */
const grayFormat = 1;
const grayRenderFlags = 0x01 | 0x02 | 0x08;

/**
 * Renders one rectangle of a page, in gray, at `scale` pixels per point, and closes the page. PDFium
 * lays the whole page out at its full size but rasterises only inside the bitmap (the page is placed
 * at minus the rectangle's offset), so a 36 mm corner of an A4 page costs a small share of the page's
 * time and memory.
 */
export function renderPageRegion(page: PDFiumPage, scale: number, clip: { x: number; y: number; width: number; height: number }): Uint8Array {
  const { module, pageIdx } = page as unknown as { module: RegionModule; pageIdx: number };
  const { originalWidth, originalHeight } = page.getOriginalSize();
  const size = clip.width * clip.height;
  const pointer = module.wasmExports.malloc(size);
  if (pointer === 0) {
    module._FPDF_ClosePage(pageIdx);
    throw new RangeError('PDFium could not allocate the region bitmap');
  }
  let bitmap = 0;
  try {
    bitmap = module._FPDFBitmap_CreateEx(clip.width, clip.height, grayFormat, pointer, clip.width);
    module._FPDFBitmap_FillRect(bitmap, 0, 0, clip.width, clip.height, 0xffffffff);
    module._FPDF_RenderPageBitmap(bitmap, pageIdx, -clip.x, -clip.y, Math.round(originalWidth * scale), Math.round(originalHeight * scale), 0, grayRenderFlags);
    return module.HEAPU8.slice(pointer, pointer + size);
  } finally {
    if (bitmap !== 0) module._FPDFBitmap_Destroy(bitmap);
    module._FPDF_ClosePage(pageIdx);
    module.wasmExports.free(pointer);
  }
}

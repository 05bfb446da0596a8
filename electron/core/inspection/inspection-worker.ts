import { parentPort } from 'node:worker_threads';
import { createPixelScratch } from '../document/opened-document.js';
import { loadZxing } from '../qr/zxing-reader.js';
import { inspectDocument } from './inspect-document.js';
import { toInspectOptions, type InspectionMessage, type InspectionRequest } from './inspection-task.js';

// One file at a time per worker; ZXing and PDFium instances live for the worker's lifetime.
const port = parentPort;
if (!port) throw new Error('inspection-worker must run in a worker thread');
// ZXing's WebAssembly compiles while the first file is still being read (a failure is reported by
// the first read that needs it).
loadZxing().catch(() => undefined);

// Decoded pages land in one reused buffer: pages are checked one at a time, and nothing refers to
// a page's pixels once its report (and annotation) is made. They are decoded on this thread: with
// one file at a time it would only wait while libuv's pool (shared with every file read) decoded.
const scratch = createPixelScratch();

/**
 * The buffer kept between files: a 300-dpi A3 page and less. A larger one (up to the 120-megapixel
 * limit) goes with its file, or the desktop app's long-lived workers would hold it until closed.
 */
const keptScratchBytes = 32 * 1024 * 1024;

port.on('message', (request: InspectionRequest) => {
  void inspectDocument(request.source, { ...toInspectOptions(request.settings), scratch, decodeOnThisThread: true }, ({ report, annotation }, pageCount) => {
    const message: InspectionMessage = { type: 'page', id: request.id, pageCount, report, annotation: annotation ? new Uint8Array(annotation) : undefined };
    port.postMessage(message);
  }).then((report) => {
    scratch.trim(keptScratchBytes);
    const message: InspectionMessage = { type: 'done', id: request.id, report };
    port.postMessage(message);
  });
});

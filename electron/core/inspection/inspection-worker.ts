import { parentPort } from 'node:worker_threads';
import { inspectDocument } from './inspect-document.js';
import { toInspectOptions, type InspectionMessage, type InspectionRequest } from './inspection-task.js';

// One file at a time per worker; ZXing and PDFium instances live for the worker's lifetime.
const port = parentPort;
if (!port) throw new Error('inspection-worker must run in a worker thread');

port.on('message', (request: InspectionRequest) => {
  void inspectDocument(request.source, toInspectOptions(request.settings), ({ report, annotation }, pageCount) => {
    const message: InspectionMessage = { type: 'page', id: request.id, pageCount, report, annotation: annotation ? new Uint8Array(annotation) : undefined };
    port.postMessage(message);
  }).then((report) => {
    const message: InspectionMessage = { type: 'done', id: request.id, report };
    port.postMessage(message);
  });
});

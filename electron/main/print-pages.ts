import { BrowserWindow } from 'electron';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PrintPage } from '../core/cover/cover-service.js';

/**
 * Prints page pictures through the system print dialog. Chromium prints a PDF shown in its viewer
 * as blank pages from webContents.print(), so covers are printed as full-page images from a
 * hidden, sandboxed window with JavaScript off, loaded from a temp file (data: URLs are too small).
 */
export async function printPages(pages: PrintPage[], tmpDir: string): Promise<{ printed: boolean; reason?: string }> {
  const first = pages[0];
  if (!first) return { printed: false, reason: 'nothing-to-print' };
  await fs.mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `print-${Date.now()}-${process.pid}.html`);
  const images = pages
    .map((page) => `<img src="data:image/png;base64,${Buffer.from(page.png).toString('base64')}" style="width:${page.widthMm}mm;height:${page.heightMm}mm">`)
    .join('\n');
  await fs.writeFile(
    file,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"><style>@page{size:${first.widthMm}mm ${first.heightMm}mm;margin:0}body{margin:0}img{display:block;break-after:page}</style>${images}`,
  );
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, disableBlinkFeatures: 'Auxclick' } });
  try {
    await win.loadFile(file);
    return await new Promise((resolve) => {
      win.webContents.print({ silent: false, printBackground: false, margins: { marginType: 'none' } }, (success, failureReason) =>
        resolve(success ? { printed: true } : { printed: false, reason: failureReason || 'cancelled' }),
      );
    });
  } finally {
    win.destroy();
    await fs.rm(file, { force: true });
  }
}

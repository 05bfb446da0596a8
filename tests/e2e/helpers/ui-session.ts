import type { CoreOptions } from '../../../electron/core/create-core.js';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { isTrustedHttpSender } from '../../../electron/ipc/sender-check.js';
import { startBrowserServer, type BrowserServer } from '../../../electron/server/browser-server.js';
import { makeCoreHarness, type CoreHarness } from '../../helpers/core-harness.js';
import { launchChromium, watchPageErrors } from './chromium.js';

/** The real core behind the browser-mode bridge, the built renderer, and one Chromium page on it. */
export interface UiSession {
  harness: CoreHarness;
  server: BrowserServer;
  browser: Browser;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens the app (built into dist/renderer) in Chromium, optionally on one area. */
export async function openUiSession(options: { area?: string; viewport?: { width: number; height: number }; locale?: string; core?: Partial<CoreOptions>; initScript?: string } = {}): Promise<UiSession> {
  // As in the app, the upload queue runs (it sends nothing until a connection check passes).
  const harness = await makeCoreHarness({ startUploadQueue: true, ...options.core, runtime: 'browser', isTrustedSender: isTrustedHttpSender });
  const server = await startBrowserServer({ dispatcher: harness.dispatcher, staticDir: path.resolve('dist', 'renderer'), log: harness.core.log });
  // As `serve` does: the spool's and the queue's changes are pushed to the page.
  harness.core.scanDesk.onChanged((change) => server.broadcast('station:changed', change));
  harness.core.capture.onChanged((state) => server.broadcast('capture:changed', state));
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1366, height: 900 }, acceptDownloads: true, locale: options.locale ?? 'zh-CN' });
  const problems = watchPageErrors(page);
  // Stand-ins for browser APIs a test must observe (run before the app's own scripts).
  if (options.initScript) await page.addInitScript(options.initScript);
  await page.goto(server.url);
  if (options.area) await page.getByTestId(`nav-${options.area}`).click();
  return {
    harness,
    server,
    browser,
    page,
    problems,
    async close() {
      await browser.close();
      await server.close();
      await harness.core.close();
    },
  };
}

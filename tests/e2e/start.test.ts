import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { launchChromium, saveScreenshot, watchPageErrors } from './helpers/chromium.js';

test('npm start without the Electron runtime explains itself and serves the UI on 127.0.0.1', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, SCAN_STATION_DATA_DIR: await makeTempDir(), LANG: 'zh_CN.UTF-8' };
  // No display and no runtime download: exactly the situation of this offline machine and CI.
  delete env['DISPLAY'];
  delete env['WAYLAND_DISPLAY'];
  const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build', '--no-install'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 20 s:\n${output}`)), 20_000);
      const poll = setInterval(() => {
        const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+/.exec(output);
        if (match) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(match[0]);
        }
      }, 50);
      child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
    });
    assert.match(output, /浏览器模式/);
    assert.match(output, /browser mode/);
    assert.match(output, /no graphical display|没有图形界面/);

    const browser = await launchChromium();
    try {
      // Until a language is chosen, the UI follows the browser's language, not the server's LANG.
      const english = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      await english.goto(url);
      await english.getByRole('heading', { level: 1, name: en.nav.scanDesk }).waitFor();
      await english.close();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      const problems = watchPageErrors(page);
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: zhCN.nav.scanDesk }).waitFor();
      // The runtime label appears once app:info has answered.
      await page.getByTestId('status-bar').getByText(zhCN.status.runtimeBrowser).waitFor();
      await saveScreenshot(page, 'npm-start-browser-mode');
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  } finally {
    // The start script and its server child share a process group.
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  }
});

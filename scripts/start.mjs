// `npm start`: build, then run the desktop app; where the Electron runtime cannot be had,
// serve the same UI in browser mode on 127.0.0.1 and say so plainly.
//   --browser      skip Electron and go straight to browser mode
//   --no-install   do not try to download the Electron runtime
//   --no-build     use the existing dist/
// Other arguments (e.g. --port 8080) are passed to `scan-station serve`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const passThrough = args.filter((arg) => !['--browser', '--no-install', '--no-build'].includes(arg));

function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function tryInstallElectron() {
  const installer = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return { zh: '缺少 electron 依赖包（请先运行 npm ci）', en: 'the electron package is missing (run npm ci)' };
  console.log('扫描台助手：正在下载 Electron 运行时… / Scan Station: fetching the Electron runtime…');
  const run = spawnSync(process.execPath, [installer], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (run.status === 0 && electronBinary()) return null;
  const lines = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n');
  const detail = run.error?.message ?? lines.find((line) => /Error|failed/i.test(line)) ?? lines.at(-1) ?? `exit ${run.status}`;
  return { zh: `无法下载 Electron 运行时（${detail.trim()}）`, en: `the Electron runtime could not be downloaded (${detail.trim()})` };
}

function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

if (!flag('--no-build')) {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

let reason = null;
if (flag('--browser')) reason = { zh: '已指定浏览器模式（--browser）', en: 'browser mode was requested (--browser)' };
else if (!hasDisplay()) reason = { zh: '没有图形界面（未设置 DISPLAY / WAYLAND_DISPLAY）', en: 'there is no graphical display (DISPLAY / WAYLAND_DISPLAY unset)' };
else if (!electronBinary()) {
  reason = flag('--no-install')
    ? { zh: '未安装 Electron 运行时（--no-install）', en: 'the Electron runtime is not installed (--no-install)' }
    : tryInstallElectron();
}

const binary = reason ? null : electronBinary();
if (binary) {
  const child = spawn(binary, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    [
      '',
      '────────────────────────────────────────────────────────────────────────',
      `无法启动桌面程序：${reason.zh}。`,
      '扫描台助手改为“浏览器模式”：同样的界面和功能，只在本机 127.0.0.1 上提供，带一次性访问令牌。',
      '要使用桌面程序，请在能访问 Electron 下载地址的电脑上运行 npm start（或设置 ELECTRON_MIRROR 指向内网镜像）。',
      '',
      `The desktop app cannot start: ${reason.en}.`,
      'Scan Station falls back to browser mode: the same UI and handlers, served on 127.0.0.1 only, with a',
      'per-run access token. For the desktop window, run npm start where the Electron download is reachable',
      '(or point ELECTRON_MIRROR at an internal mirror).',
      '────────────────────────────────────────────────────────────────────────',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'scan-station.cjs'), 'serve', ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

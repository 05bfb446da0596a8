// Preloaded with `node -r` by the bench: prints the process's peak RSS (MB) on stderr at exit.
// On Linux it is VmHWM, this process image's own high-water mark: getrusage's maxRSS survives fork
// and exec, so a child of a big parent (the bench after generating its fixtures) reported the
// parent's size (measured: a bare `node -e 0` read 404 MB under a 400 MB parent; VmHWM 40 MB).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload
const { readFileSync, writeSync } = require('node:fs');

function readPeakKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // No /proc (macOS, Windows): getrusage's figure.
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  writeSync(2, `\npeak-rss-mb ${(readPeakKb() / 1024).toFixed(0)}\n`);
});

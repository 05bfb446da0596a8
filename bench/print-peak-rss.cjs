// Preloaded with `node -r` by the bench: prints the process's peak RSS (MB) on stderr at exit.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload
const { writeSync } = require('node:fs');

process.on('exit', () => {
  writeSync(2, `\npeak-rss-mb ${(process.resourceUsage().maxRSS / 1024).toFixed(0)}\n`);
});

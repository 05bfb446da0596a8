// Running scanimage as a child process: bounded in time and output, stopped on a signal, never left running behind the station.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The scanimage the station runs unless told otherwise (found on PATH). */
export const defaultScanimage = 'scanimage';

const live = new Set<ChildProcess>();

/** util-linux's setpriv where it is (every Debian-based desk): it gives scanimage a signal for the station's death. */
const deathSignalWrapper = process.platform === 'linux' ? (['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file)) ?? null) : null;
let exitHookSet = false;

/** Starts scanimage (no shell) and keeps it on the list killed when the station exits. */
export function spawnScanimage(scanimage: string, args: string[], env: NodeJS.ProcessEnv | undefined, options: { dieWithStation?: boolean } = {}): ChildProcess {
  if (!exitHookSet) {
    exitHookSet = true;
    // A station that exits (an uncaught error, process.exit) takes its scans with it; a kill -9 cannot be caught.
    process.once('exit', () => {
      for (const child of live) child.kill('SIGKILL');
    });
  }
  // The C locale keeps scanimage's messages and numbers in the form the parsers read.
  const spawnOptions = { env: { ...(env ?? process.env), LC_ALL: 'C', LANGUAGE: '' }, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], windowsHide: true };
  // A station killed outright (kill -9, a power button) cannot stop its scan itself: on Linux the
  // kernel kills scanimage when the station dies (setpriv execs it, same pid) instead of letting it
  // feed sheets into a folder nobody reads (SIGKILL: scanimage's own SIGTERM handling waits for the
  // page under way, and nobody is left to finish the job).
  // Only a scan job gets it (list and option reads are short and bounded, and keep spawn's own ENOENT for a missing scanimage).
  const wrapper = options.dieWithStation ? deathSignalWrapper : null;
  const child = wrapper ? spawn(wrapper, ['--pdeathsig', 'KILL', '--', scanimage, ...args], spawnOptions) : spawn(scanimage, args, spawnOptions);
  live.add(child);
  child.once('close', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Whether the child has ended (exited, killed, or never started). */
export function hasEnded(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

/**
 * Ends a child: SIGTERM first (scanimage then cancels the scan on the device, which lets a feeder
 * stop cleanly), SIGKILL when it is still there after `graceMs`. Resolves once it has gone.
 */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasEnded(child)) return;
  const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
  }
}

/** What one bounded scanimage run gave back. */
export interface ScanimageResult {
  stdout: string;
  stderr: string;
  /** The exit code; null when it was killed. */
  code: number | null;
  /** Killed because it ran past its time. */
  timedOut: boolean;
  /** Killed because it wrote more than its byte bound. */
  overflowed: boolean;
}

/** Runs scanimage to its end, at most `timeoutMs` and `maxBytes` of output; a start failure (ENOENT) rejects. */
export async function runScanimage(options: {
  scanimage: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}): Promise<ScanimageResult> {
  options.signal?.throwIfAborted();
  const child = spawnScanimage(options.scanimage, options.args, options.env);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let bytes = 0;
  let timedOut = false;
  let overflowed = false;
  const collect = (into: Buffer[]) => (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > options.maxBytes) {
      if (!overflowed) void stopChild(child, 1000);
      overflowed = true;
      return;
    }
    into.push(chunk);
  };
  child.stdout?.on('data', collect(out));
  child.stderr?.on('data', collect(err));
  const timer = setTimeout(() => {
    timedOut = true;
    void stopChild(child, 1000);
  }, options.timeoutMs);
  const onAbort = () => void stopChild(child, 1000);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    });
    options.signal?.throwIfAborted();
    return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, timedOut, overflowed };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (!hasEnded(child)) await stopChild(child, 1000);
  }
}

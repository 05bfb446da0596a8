// One scanimage batch: pages read as scanimage finishes each file, in order, each file removed once read; the process and its folder never outlive the job.
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { readBoundedFile } from '../fs/read-bounded.js';
import type { Logger } from '../log/logger.js';
import type { ScanJob, ScannedPage } from './scanner-driver.js';
import { spawnScanimage, stopChild } from './sane-process.js';
import { describeSaneFailure, readSaneStatus, saneErrorLines } from './sane-status.js';

/** What one batch needs: the command line is built by the driver, the folder is the job's own. */
export interface SaneJobOptions {
  scanimage: string;
  /** scanimage's arguments before `--batch` (device, settings, format, extra arguments). */
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The job's own folder (created here, removed on close). */
  jobDir: string;
  /** The file extension of the format asked for (`jpg`). */
  extension: string;
  mime: ScannedPage['mime'];
  /** The device's name for messages. */
  device: string;
  /** A feeder job: zero pages is an empty feeder; a flatbed job scans one page. */
  feeder: boolean;
  /** Longest wait for the next page before the job is given up (default 120 s). */
  pageTimeoutMs: number;
  /** Largest page file read. */
  maxPageBytes: number;
  /** How long scanimage has to stop after SIGTERM before SIGKILL. */
  killGraceMs: number;
  log: Logger;
  /** Called once when the job has ended and cleaned up (the driver's busy flag). */
  onEnd: () => void;
}

/** How scanimage ended, read once it has. */
type Ending = { kind: 'done' } | { kind: 'failed'; error: CoreError };

const maxLine = 4096;
const maxStderr = 64 * 1024;

/**
 * Starts a scanimage batch into `jobDir` and returns the job that hands its pages out one by one,
 * once the first page is finished (or scanimage ended): SANE has no status call, so an empty feeder,
 * a jam or an open cover before any page fails the start, as the driver contract wants.
 */
export async function startSaneJob(options: SaneJobOptions, signal: AbortSignal): Promise<ScanJob> {
  // scanimage expands the pattern with printf: a % in the folder name must stay literal.
  const pattern = path.join(options.jobDir.replaceAll('%', '%%'), `p%04d.${options.extension}`);
  const args = [...options.args, `--batch=${pattern}`, '--batch-print', ...(options.feeder ? [] : ['--batch-count=1'])];
  options.log.info('sane-job-start', { device: options.device, args });
  let child: ChildProcess;
  try {
    await fs.mkdir(options.jobDir, { recursive: true });
    child = spawnScanimage(options.scanimage, args, options.env, { dieWithStation: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (error) {
    await fs.rm(options.jobDir, { recursive: true, force: true });
    options.onEnd();
    // No scanimage to run is a device out of reach; a work folder that cannot be made is the station's own failure.
    const reason = (error as { code?: string }).code ?? 'unrecognised';
    const code = (error as { syscall?: string }).syscall?.startsWith('spawn') ? 'scanner-unreachable' : 'scanner-failed';
    throw new CoreError(code, { device: options.device, reason, detail: String(error) }, { cause: error });
  }
  const job = new SaneJob(child, args, options);
  await job.started(signal);
  return job;
}

/** The job over a running scanimage: a queue of finished files and, once it has exited, how it ended. */
class SaneJob implements ScanJob {
  private readonly files: string[] = [];
  private printed = 0;
  private handedOut = 0;
  private stderr = '';
  private partial = '';
  private ending: Ending | null = null;
  private stopping = false;
  private closing: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastProgress = Date.now();

  constructor(
    private readonly child: ChildProcess,
    private readonly args: string[],
    private readonly options: SaneJobOptions,
  ) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.readLines(chunk));
    child.stderr?.on('data', (chunk: string) => {
      // Every "Scanning page N" is progress too: a slow page is not a stalled device.
      if (/Scanning page/.test(chunk)) this.lastProgress = Date.now();
      this.stderr = (this.stderr + chunk).slice(-maxStderr);
    });
    child.once('close', (code, signal) => {
      this.ending = this.readEnding(code, signal);
      this.notify();
    });
  }

  /** Waits for the first finished page or scanimage's end; a failure before any page is thrown (the job closed). */
  async started(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) {
        await this.close();
        throw new CoreError('scan-cancelled', { pages: 0 });
      }
      if (this.files.length > 0) return;
      if (this.ending) {
        if (this.ending.kind === 'done') return;
        await this.close();
        throw this.ending.error;
      }
      await this.waitForChange(signal);
    }
  }

  async nextPage(signal: AbortSignal): Promise<ScannedPage | null> {
    for (;;) {
      if (signal.aborted) {
        await this.close();
        throw new CoreError('scan-cancelled', { pages: this.handedOut });
      }
      if (this.closing) return null;
      const file = this.files.shift();
      if (file !== undefined) return this.takePage(file);
      if (this.ending) {
        if (this.ending.kind === 'failed') {
          await this.close();
          throw this.ending.error;
        }
        await this.close();
        return null;
      }
      await this.waitForChange(signal);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      try {
        await stopChild(this.child, this.options.killGraceMs);
      } finally {
        await fs.rm(this.options.jobDir, { recursive: true, force: true }).catch((error: unknown) => {
          this.options.log.warn('sane-job-folder-left', { folder: this.options.jobDir, error });
        });
        this.options.onEnd();
      }
    })();
    return this.closing;
  }

  /** Waits for a finished page, the end of scanimage, a cancel, or the page timeout (which stops the job). */
  private async waitForChange(signal: AbortSignal): Promise<void> {
    const left = this.lastProgress + this.options.pageTimeoutMs - Date.now();
    if (left <= 0) {
      this.options.log.warn('sane-job-stalled', { device: this.options.device, pages: this.printed });
      await this.close();
      throw new CoreError('scanner-failed', { device: this.options.device, reason: 'ETIMEDOUT', detail: `no page for ${Math.round(this.options.pageTimeoutMs / 1000)} s` });
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, left);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private notify(): void {
    this.wake?.();
  }

  /** scanimage prints each finished file's path on its own line (`--batch-print`). */
  private readLines(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > maxLine) this.partial = '';
    for (const line of lines) {
      const file = line.replace(/\r$/, '');
      if (file === '') continue;
      // Only a page file in the job's own folder is read, whatever else a wrapper may print.
      if (path.dirname(file) !== this.options.jobDir || !/^p\d{4,}\.[a-z]+$/.test(path.basename(file))) {
        this.options.log.warn('sane-job-unexpected-output', { line: file.slice(0, 300) });
        continue;
      }
      this.printed += 1;
      this.lastProgress = Date.now();
      this.files.push(file);
    }
    this.notify();
  }

  private async takePage(file: string): Promise<ScannedPage> {
    try {
      const bytes = await readBoundedFile(file, this.options.maxPageBytes);
      this.handedOut += 1;
      return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), mime: this.options.mime };
    } catch (error) {
      await this.close();
      if (error instanceof CoreError && error.code === 'file-too-large') throw error;
      throw new CoreError('scanner-failed', { device: this.options.device, reason: 'unrecognised', detail: error instanceof Error ? error.message : String(error) }, { cause: error });
    } finally {
      await fs.rm(file, { force: true });
    }
  }

  /** How scanimage ended: the batch's normal end (the feeder ran out after some pages), or the device's error. */
  private readEnding(code: number | null, signal: NodeJS.Signals | null): Ending {
    if (this.stopping) return { kind: 'done' };
    const status = readSaneStatus(this.stderr, code);
    const detail = (saneErrorLines(this.stderr).at(-1) ?? '').slice(0, 300);
    if (signal !== null) {
      return { kind: 'failed', error: new CoreError('scanner-failed', { device: this.options.device, reason: 'unrecognised', detail: `scanimage ended by ${signal}` }) };
    }
    // "Out of documents" ends every feeder batch; before the first page it means the feeder was empty.
    if (status === 'NO_DOCS' || (code === 0 && this.options.feeder)) {
      if (this.printed === 0 && this.options.feeder) return { kind: 'failed', error: new CoreError('scanner-feeder-empty', { device: this.options.device, detail }) };
      return { kind: 'done' };
    }
    if (code === 0) return { kind: 'done' };
    const error = describeSaneFailure(this.stderr, code, this.options.device, this.args);
    this.options.log.warn('sane-job-failed', { device: this.options.device, code, status, pages: this.printed, detail: this.stderr.slice(-2000) });
    return { kind: 'failed', error };
  }
}

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { stationCheckReportSchema, stationCheckStepSchema } from '../../shared/ipc-contract.js';
import { stationCheckStepIds } from '../../shared/ipc-contract.js';
import { causeParams } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { formatBytes } from '../base/format.js';
import type { CorePaths } from '../app/paths.js';
import type { PrefsStore } from '../prefs/prefs-store.js';

/** One finished self-check step. */
export type StationCheckStep = z.output<typeof stationCheckStepSchema>;

/** The self-check report. */
export type StationCheckReport = z.output<typeof stationCheckReportSchema>;

type StepId = (typeof stationCheckStepIds)[number];
type StepOutcome = Omit<StationCheckStep, 'id' | 'ms'>;

/** Below this free space scanning is likely to fail midway. */
export const diskCriticalBytes = 500 * 1024 * 1024;
/** Below this free space the station warns: a day of 300-dpi scans can take gigabytes. */
export const diskLowBytes = 2 * 1024 * 1024 * 1024;
/** The oldest Node.js this code supports. */
export const minimumNode = '20.19.0';

/** What the self-check needs from the rest of core. */
export interface StationCheckDeps {
  paths: CorePaths;
  prefs: PrefsStore;
  now: () => Date;
  nodeVersion?: string;
  /** Injected so tests can simulate a full or unreadable disk. */
  statfs?: (dir: string) => Promise<{ bavail: number; bsize: number }>;
}

/** Runs the station self-check, reporting each finished step through `onStep`. */
export async function runStationCheck(
  deps: StationCheckDeps,
  onStep: (step: StationCheckStep, index: number, total: number) => void = () => undefined,
): Promise<StationCheckReport> {
  const startedAt = deps.now().toISOString();
  const steps: StationCheckStep[] = [];
  for (const [index, id] of stationCheckStepIds.entries()) {
    const begin = performance.now();
    let outcome: StepOutcome;
    try {
      outcome = await runStep(id, deps);
    } catch (error) {
      // A step that throws is a failed step, never a failed self-check.
      outcome = { status: 'fail', code: failureCode(id), params: { ...causeParams(error), path: deps.paths.dataDir } };
    }
    const step: StationCheckStep = { id, ms: Math.round(performance.now() - begin), ...outcome };
    steps.push(step);
    onStep(step, index, stationCheckStepIds.length);
  }
  return { startedAt, finishedAt: deps.now().toISOString(), verdict: worstVerdict(steps), steps };
}

function failureCode(id: StepId): string {
  switch (id) {
    case 'data-dir':
      return 'data-dir-unwritable';
    case 'disk-space':
      return 'disk-unknown';
    case 'runtime':
      return 'runtime-old';
    case 'prefs':
      return 'prefs-corrupt';
    case 'logs':
      return 'logs-unwritable';
  }
}

async function runStep(id: StepId, deps: StationCheckDeps): Promise<StepOutcome> {
  switch (id) {
    case 'data-dir':
      return checkDataDir(deps.paths);
    case 'disk-space':
      return checkDiskSpace(deps);
    case 'runtime':
      return checkRuntime(deps.nodeVersion ?? process.versions.node);
    case 'prefs':
      return checkPrefs(deps.prefs);
    case 'logs':
      return checkLogs(deps.paths);
  }
}

async function checkDataDir(paths: CorePaths): Promise<StepOutcome> {
  const probe = path.join(paths.tmpDir, 'write-probe');
  try {
    await writeFileAtomic(probe, 'probe');
    await fs.rm(probe, { force: true });
    return { status: 'pass', code: 'data-dir-ok', params: { path: paths.dataDir } };
  } catch (error) {
    return { status: 'fail', code: 'data-dir-unwritable', params: { path: paths.dataDir, ...causeParams(error) } };
  }
}

async function checkDiskSpace(deps: StationCheckDeps): Promise<StepOutcome> {
  const statfs = deps.statfs ?? ((dir: string) => fs.statfs(dir));
  let free: number;
  try {
    const stats = await statfs(deps.paths.dataDir);
    free = stats.bavail * stats.bsize;
  } catch (error) {
    return { status: 'warn', code: 'disk-unknown', params: { ...causeParams(error) } };
  }
  if (free < diskCriticalBytes) {
    return { status: 'fail', code: 'disk-critical', params: { free: formatBytes(free), want: formatBytes(diskCriticalBytes) } };
  }
  if (free < diskLowBytes) {
    return { status: 'warn', code: 'disk-low', params: { free: formatBytes(free), want: formatBytes(diskLowBytes) } };
  }
  return { status: 'pass', code: 'disk-ok', params: { free: formatBytes(free) } };
}

/** True when dotted version `a` is at least `b`. */
export function isVersionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

function checkRuntime(node: string): StepOutcome {
  const params = { node, platform: process.platform, arch: process.arch, want: minimumNode };
  return isVersionAtLeast(node, minimumNode)
    ? { status: 'pass', code: 'runtime-ok', params }
    : { status: 'fail', code: 'runtime-old', params };
}

async function checkPrefs(prefs: PrefsStore): Promise<StepOutcome> {
  await prefs.readPrefs();
  const found = await prefs.inspectPrefsFile();
  switch (found.state) {
    case 'ok':
      return { status: 'pass', code: 'prefs-ok', params: {} };
    case 'missing':
      return { status: 'pass', code: 'prefs-missing', params: {} };
    case 'recovered':
      return { status: 'warn', code: 'prefs-corrupt', params: { backup: found.backup } };
  }
}

async function checkLogs(paths: CorePaths): Promise<StepOutcome> {
  try {
    await fs.mkdir(paths.logsDir, { recursive: true });
    const handle = await fs.open(paths.logFile, 'a');
    const { size } = await handle.stat();
    await handle.close();
    return { status: 'pass', code: 'logs-ok', params: { size: formatBytes(size) } };
  } catch (error) {
    return { status: 'fail', code: 'logs-unwritable', params: { ...causeParams(error) } };
  }
}

function worstVerdict(steps: StationCheckStep[]): StationCheckReport['verdict'] {
  if (steps.some((step) => step.status === 'fail')) return 'fail';
  if (steps.some((step) => step.status === 'warn')) return 'warn';
  return 'pass';
}

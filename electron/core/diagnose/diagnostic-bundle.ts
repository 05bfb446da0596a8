import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { EndpointSettings } from '../../shared/endpoint/endpoint-settings.js';
import { buildZip } from '../archive/zip-store.js';
import type { Spool } from '../spool/spool.js';

/** One file of a bundle: its name inside the zip and its text. */
export interface BundleFile {
  name: string;
  text: string;
}

/** The bundle's size limits: a support ticket takes a few megabytes, not the spool. */
export const bundleLimits = { logTailBytes: 512 * 1024, auditLines: 20_000, maxDays: 90 } as const;

/** What every bundle explains first, in Chinese and English. */
export function bundleReadme(created: Date, files: string[], scope: string): string {
  return [
    '扫描台助手 诊断包 / Scan Station diagnostic bundle',
    `生成时间 / Created: ${created.toISOString()}`,
    `范围 / Scope: ${scope}`,
    '',
    '本诊断包用于技术支持排查“无影像”等问题。包内不含任何密钥、令牌或扫描页面图像：',
    '接口配置中的客户端密钥从不写入（只写“是否已保存”），代理地址中的用户名和密码已删除，',
    '所有文件在打包前都按已保存的密钥（及其 Base64、URL 编码、十六进制形式）和令牌字段检查并替换为 [redacted]。',
    '',
    'This bundle helps support staff trace "no image" problems. It holds no secret, no token and no',
    'scanned page: the client secret is never written (only whether one is stored), user names and',
    'passwords are removed from the proxy address, and every file was scanned for the stored secret',
    '(also Base64, URL-encoded and hex) and token fields before packing, each replaced by [redacted].',
    '',
    '文件 / Files:',
    ...files.map((name) => `  ${name}  —  ${describeFile(name)}`),
    '',
  ].join('\r\n');
}

function describeFile(name: string): string {
  switch (name) {
    case 'station.json':
      return '本站信息：版本、操作系统、站点编号 / station facts: version, OS, station id';
    case 'endpoint-profile.json':
      return '接口配置（无密钥）/ endpoint profile (no secret)';
    case 'last-preflight.json':
      return '最近一次连接检查 / the last connection check';
    case 'self-check.json':
      return '刚刚运行的本机自检 / a self-check run for this bundle';
    case 'spool-and-queue.json':
      return '待上传、暂停处理和退回重扫的单据汇总 / spool, upload queue and returned bills summary';
    case 'audit.jsonl':
      return '所选编码或天数的审计记录 / audit lines of the chosen codes or days';
    case 'app-log-tail.log':
      return '应用日志末尾 / the end of the app log';
    case 'traces.json':
      return '所选编码的排查结论与时间线 / verdicts and timelines of the chosen codes';
    default:
      return '';
  }
}

/** The profile as a bundle shows it: no secret is in it by design; user info is cut from the proxy. */
export function redactProfile(settings: EndpointSettings): EndpointSettings {
  if (!settings.proxy) return settings;
  try {
    const proxy = new URL(settings.proxy);
    if (!proxy.username && !proxy.password) return settings;
    proxy.username = '';
    proxy.password = '';
    return { ...settings, proxy: `${proxy.toString()} (user info removed)` };
  } catch {
    return { ...settings, proxy: '[unreadable, removed]' };
  }
}

/** Every way a secret could be written down: as is, Base64 (both alphabets), URL-encoded, hex. */
function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('base64').replace(/=+$/, ''), encodeURIComponent(secret), bytes.toString('hex')];
  return [...new Set(forms.filter((form) => form.length >= 4))].sort((a, b) => b.length - a.length);
}

/**
 * Scrubs text before it leaves the station: the known secrets in every encoding, and the values of
 * token-like fields whatever they are (`access_token=…`, `"client_secret": "…"`, `sign`).
 */
export function scrubText(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) for (const form of encodingsOf(secret)) out = out.split(form).join('[redacted]');
  out = out.replace(/((?:access_token|client_secret|clientSecret|secret|token|sign|password)["']?\s*[=:]\s*["']?)[^"'&\s,}]{4,}/gi, '$1[redacted]');
  return out;
}

/** The last `maxBytes` of a log file, starting at a whole line; empty when there is none. */
export async function readLogTail(file: string, maxBytes: number): Promise<string> {
  let handle: fs.FileHandle;
  try {
    const stat = await fs.lstat(file);
    if (!stat.isFile()) return '';
    handle = await fs.open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

/** The OS as support needs it (no user names, no paths beyond the data folder). */
export function describeOs() {
  return { type: os.type(), release: os.release(), platform: process.platform, arch: process.arch, locale: Intl.DateTimeFormat().resolvedOptions().locale, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
}

/** The spool at a glance: stacks, their bills by state, orphan pages waiting, the oldest and newest intake. */
export async function summarizeSpool(spool: Pick<Spool, 'listStacks'>) {
  const stacks = await spool.listStacks();
  const bills = { ready: 0, held: 0, review: 0, discarded: 0 };
  for (const stack of stacks) for (const bill of stack.bills) bills[bill.state] += 1;
  const times = stacks.map((stack) => stack.importedAt).sort();
  return { stacks: stacks.length, pages: stacks.reduce((sum, stack) => sum + stack.pages.length, 0), bills, stacksWithOrphans: stacks.filter((stack) => stack.orphans.length > 0).length, oldestIntake: times[0] ?? null, newestIntake: times.at(-1) ?? null };
}

/** Packs the bundle: `README.txt` first, then each file, every one scrubbed, deflated (logs and JSON shrink tenfold). */
export function packBundle(files: BundleFile[], secrets: string[], created: Date, scope: string): Uint8Array {
  const all = [{ name: 'README.txt', text: bundleReadme(created, files.map((file) => file.name), scope) }, ...files];
  return buildZip(
    all.map((file) => ({ name: file.name, data: new Uint8Array(Buffer.from(scrubText(file.text, secrets), 'utf8')), modified: created })),
    { deflate: true },
  );
}

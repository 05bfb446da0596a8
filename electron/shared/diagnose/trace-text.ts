import type { Translate } from '../check-messages.js';
import { errorCodes, type MessageParams } from '../error-codes.js';
import { localizeError } from '../message-text.js';
import { erpImageStateNames, isErpImageState } from '../imaging/erp-image-state.js';

/**
 * The parts of a trace its sentences need (the core's CodeTrace and its IPC twin both fit), so the
 * CLI, the Troubleshoot page and the support ticket say exactly the same thing.
 */
export interface TraceForText {
  code: string;
  verdict: string;
  owner: string;
  facts: Record<string, string | number>;
  station: {
    bills: Array<{
      billId: string;
      state?: string;
      source?: string;
      importedAt?: string;
      upload: { held: { code: string; params: MessageParams } | null; lastError: { code: string; params: MessageParams } | null; state?: string; pages?: number; sent?: number; closedAt?: string | null; receipts?: unknown[] } | null;
    }>;
    queue: { reason: string | null };
    /** The open return this station noticed: its rescan reason's name, from the server's list (退扫原因). */
    returned?: { reasonCode: string | null; reasonName: string | null } | null;
    /** The last time a person discarded a bill with this code. */
    discarded?: { at: string; source: string | null } | null;
    coversMade?: Array<{ at: string }>;
  };
  server: { status: string; pages: unknown[]; round: number } | null;
  serverError: { code: string; params: MessageParams } | null;
  /** What 影像映射维护 shows (absent in traces from before the ERP's words). */
  erp?: {
    imageState: { code: string; name: string };
    fromServer: boolean;
    pageCount: number | null;
    scan: { user: string | null; point: string | null; stationIp: string | null; scannedAt: string | null } | null;
    rescanReason: { code: string | null; text: string } | null;
    voided: { reason: string; at: string } | null;
    needImageScan: boolean;
  } | null;
  timeline: Array<{ at: string; event: string; from: string; source?: string; pages?: number[]; reason?: string; detail?: string; by?: string; params?: MessageParams; receipts?: string[]; round?: number; status?: string }>;
}

/** A trace in words: the verdict's title, its evidence, the next step and who takes it. */
export interface TraceText {
  title: string;
  evidence: string;
  next: string;
  owner: string;
  /** One more line beside a delivered verdict: another copy of the code was discarded (not a second verdict). */
  note?: string;
  /** What 影像映射维护 will show, in one sentence (or why the station cannot know). */
  erp: string;
  /** The station's own view, in one line. */
  station: string;
}

/** Verdicts that are the station's story and the imaging system's disagreeing: the disagreement is the finding. */
export const disagreementVerdicts: ReadonlySet<string> = new Set(['close-lost', 'server-has-none', 'pages-differ', 'delivered-elsewhere', 'voided']);

/** An ERP 影像状态 in words: its Chinese name (what the ERP shows), with a gloss in English. */
export function describeImageState(t: Translate, code: string): string {
  if (!isErpImageState(code)) return code;
  const name = erpImageStateNames[code];
  const gloss = t(`troubleshoot.erp.glosses.${code}`);
  // In Chinese the gloss is the name itself: said once.
  return gloss === name ? name : t('troubleshoot.erp.state', { name, gloss });
}

/** "影像映射维护 will show 影像状态 = 影像已就绪 (image ready), 3 pages, scanned by … at scan point …". */
export function describeErp(t: Translate, trace: Pick<TraceForText, 'erp' | 'serverError'> & { station?: Pick<TraceForText['station'], 'returned'> }): string {
  const erp = trace.erp;
  if (!erp) return t(trace.serverError ? 'troubleshoot.erp.failed' : 'troubleshoot.erp.notAsked');
  const parts: string[] = [];
  if (erp.pageCount) parts.push(t('troubleshoot.erp.pages', { count: erp.pageCount }));
  const scan = erp.scan;
  if (scan?.user && scan.point) parts.push(t('troubleshoot.erp.scanUserPoint', { user: scan.user, point: scan.point }));
  else if (scan?.user) parts.push(t('troubleshoot.erp.scanUser', { user: scan.user }));
  else if (scan?.point) parts.push(t('troubleshoot.erp.scanPoint', { point: scan.point }));
  if (scan?.stationIp) parts.push(t('troubleshoot.erp.scanIp', { ip: scan.stationIp }));
  if (scan?.scannedAt) parts.push(t('troubleshoot.erp.scanTime', { at: formatWhen(scan.scannedAt) }));
  if (erp.rescanReason) parts.push(rescanReasonText(t, erp.rescanReason, trace.station?.returned ?? null));
  if (erp.voided) parts.push(t('troubleshoot.erp.voided', { reason: erp.voided.reason || '—', at: formatWhen(erp.voided.at) }));
  if (!erp.needImageScan) parts.push(t('troubleshoot.erp.noScanNeeded'));
  if (!erp.fromServer) parts.push(t('troubleshoot.erp.derived'));
  return t('troubleshoot.erp.line', { state: describeImageState(t, erp.imageState.code), details: parts.join('') });
}

/** The rescan reason as the Scan desk says it: its name (from the server's list) and the reviewer's words; a code without a known name is said to be one. */
function rescanReasonText(t: Translate, reason: { code: string | null; text: string }, noticed: { reasonCode: string | null; reasonName: string | null } | null): string {
  const name = reason.code && noticed?.reasonCode === reason.code ? noticed.reasonName : null;
  if (name) return reason.text && reason.text !== name ? t('troubleshoot.erp.rescanReasonNamed', { name, reason: reason.text }) : t('troubleshoot.erp.rescanReason', { reason: name });
  if (reason.code) return t('troubleshoot.erp.rescanReasonCoded', { reason: reason.text || '—', code: reason.code });
  return t('troubleshoot.erp.rescanReason', { reason: reason.text });
}

/** The station's own view of a code in one line: closed, sending, holding, discarded, a cover made, or nothing. */
export function describeStationView(t: Translate, trace: Pick<TraceForText, 'station'>): string {
  const bills = [...trace.station.bills].sort((a, b) => (b.importedAt ?? '').localeCompare(a.importedAt ?? ''));
  const live = bills.filter((bill) => bill.state !== 'discarded' || bill.upload);
  const done = live.find((bill) => bill.upload?.state === 'done');
  const newest = live[0];
  const pick = newest && newest !== done && newest.upload?.state !== 'done' ? newest : (done ?? newest);
  const view = (() => {
    if (pick?.upload?.state === 'done') return t('troubleshoot.stationViews.done', { at: formatWhen(pick.upload.closedAt ?? ''), pages: pick.upload.pages ?? 0, receipts: pick.upload.receipts?.length ?? 0 });
    if (pick?.upload && pick.upload.state !== 'held') return t('troubleshoot.stationViews.sending', { sent: pick.upload.sent ?? 0, pages: pick.upload.pages ?? 0 });
    if (pick && (pick.upload?.state === 'held' || pick.state === 'held' || pick.state === 'review')) return t('troubleshoot.stationViews.held', { source: pick.source ?? '—' });
    if (pick) return t('troubleshoot.stationViews.ready', { source: pick.source ?? '—' });
    if (trace.station.discarded || bills.length) return t('troubleshoot.stationViews.discarded', { at: formatWhen(trace.station.discarded?.at ?? bills[0]?.importedAt ?? '') });
    const cover = trace.station.coversMade?.at(-1);
    if (cover) return t('troubleshoot.stationViews.cover', { at: formatWhen(cover.at) });
    return t('troubleshoot.stationViews.none');
  })();
  return t('troubleshoot.stationLine', { view });
}

/** An ISO time as the station's local `YYYY-MM-DD HH:mm:ss` (what people compare with the ERP). */
export function formatWhen(iso: string | number | undefined): string {
  if (iso === undefined || iso === '') return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** Why a bill is held, in words: the split's reason, or the upload's error with its params. */
function heldText(t: Translate, trace: TraceForText): string {
  const reason = String(trace.facts['reason'] ?? '');
  if (trace.facts['stage'] === 'split') return t(`split.held.${reason}`);
  const bill = trace.station.bills.find((candidate) => candidate.billId === trace.facts['bill']);
  const held = bill?.upload?.held;
  if (!held) return reason;
  return held.code === 'held-by-person' ? t('troubleshoot.heldByPerson') : localizeError(t, held);
}

/** What the server said, in words (or why it could not be asked). */
function serverText(t: Translate, trace: TraceForText): string {
  if (trace.server) return trace.server.status === 'unknown' ? t('troubleshoot.serverUnknown') : t('troubleshoot.serverSays', { status: t(`troubleshoot.serverStatus.${trace.server.status}`), pages: trace.server.pages.length, round: trace.server.round });
  if (trace.serverError) return t('troubleshoot.serverFailed', { error: localizeError(t, trace.serverError) });
  return t('troubleshoot.serverNotAsked');
}

/** Puts a trace into words, in the translator's language. */
export function describeTrace(t: Translate, trace: TraceForText): TraceText {
  const facts: MessageParams = {};
  for (const [key, value] of Object.entries(trace.facts)) facts[key] = /At$|^at$|^since$/.test(key) ? formatWhen(value) : value === '' ? '—' : value;
  const key = `troubleshoot.verdicts.${trace.verdict}`;
  const params: MessageParams = { ...facts, code: trace.code, server: serverText(t, trace) };
  if (typeof trace.facts['imageState'] === 'string') params['stateText'] = describeImageState(t, trace.facts['imageState']);
  switch (trace.verdict) {
    case 'held':
      params['reasonText'] = heldText(t, trace);
      break;
    case 'waiting':
      params['queueText'] = trace.station.queue.reason ? t(`queuePanel.reasons.${trace.station.queue.reason}`) : trace.facts['lastError'] ? t('troubleshoot.lastError', { error: localizeError(t, trace.station.bills.find((bill) => bill.billId === trace.facts['bill'])?.upload?.lastError ?? { code: String(trace.facts['lastError']) }) }) : t('troubleshoot.queueRunning');
      break;
    case 'delivered-unverified':
      params['serverErrorText'] = trace.serverError ? localizeError(t, trace.serverError) : '—';
      break;
    case 'pages-differ':
    case 'delivered-elsewhere':
      params['serverStatusText'] = t(`troubleshoot.serverStatus.${String(trace.facts['serverStatus'] ?? 'unknown')}`);
      break;
    default:
      break;
  }
  const evidenceKey = (() => {
    switch (trace.verdict) {
      case 'not-scanned':
        return trace.facts['coverMadeAt'] ? `${key}.evidenceCover` : `${key}.evidence`;
      case 'discarded':
        return trace.facts['by'] ? `${key}.evidence` : `${key}.evidenceNoPerson`;
      case 'delivered-elsewhere':
        return trace.facts['scanUser'] || trace.facts['scanPoint'] ? `${key}.evidenceScan` : `${key}.evidence`;
      case 'no-image-needed':
        return trace.facts['fromServer'] ? `${key}.evidenceServer` : `${key}.evidence`;
      case 'voided':
        return trace.facts['bill'] ? `${key}.evidenceHere` : `${key}.evidence`;
      default:
        return `${key}.evidence`;
    }
  })();
  const nextKey = trace.verdict === 'waiting' || trace.verdict === 'voided' ? `${key}.next.${trace.owner}` : `${key}.next`;
  const note = discardedCopyNote(t, trace);
  return { title: t(`${key}.title`, params), evidence: t(evidenceKey, params), next: t(nextKey, params), owner: t(`troubleshoot.owners.${trace.owner}`), ...(note ? { note } : {}), erp: describeErp(t, trace), station: describeStationView(t, trace) };
}

/** Verdicts that say the code reached the imaging system: beside them a discarded copy is only a remark. */
const deliveredVerdicts = new Set(['delivered', 'delivered-unverified', 'pages-differ']);

/** "Another copy was discarded" for a delivered code whose other copy a person discarded; null otherwise. */
function discardedCopyNote(t: Translate, trace: TraceForText): string | null {
  if (!deliveredVerdicts.has(trace.verdict)) return null;
  const copy = trace.station.bills.find((bill) => bill.state === 'discarded');
  if (!copy && !trace.station.discarded) return null;
  return t('troubleshoot.discardedCopy', { at: formatWhen(trace.station.discarded?.at), source: trace.station.discarded?.source ?? copy?.source ?? '—' });
}

/** Why, in words: a split's held reason, an error code with its params, a template verdict, or a reviewer's own words. */
function reasonText(t: Translate, entry: TraceForText['timeline'][number]): string {
  const reason = entry.reason ?? '';
  switch (entry.event) {
    case 'held':
      return t(`split.held.${reason}`);
    case 'upload-failed':
    case 'upload-held':
      return reason === 'held-by-person' ? t('troubleshoot.heldByPerson') : (errorCodes as readonly string[]).includes(reason) ? localizeError(t, { code: reason, params: entry.params ?? {} }) : reason;
    case 'template-checked':
      return t(`troubleshoot.checkVerdicts.${reason}`);
    default:
      return reason;
  }
}

/**
 * One timeline line in words: when, what, and its particulars (file, pages, why, receipts, round,
 * who). The audit line's free-text `detail` stays in the JSON and the bundle: it is English for support.
 */
export function describeTimelineEntry(t: Translate, entry: TraceForText['timeline'][number]): { when: string; what: string; detail: string } {
  const parts: string[] = [];
  if (entry.source) parts.push(entry.source);
  if (entry.pages?.length) parts.push(entry.event === 'imported' ? t('troubleshoot.timelinePageCount', { count: entry.pages.length }) : t('troubleshoot.timelinePages', { pages: entry.pages.join(', ') }));
  if (entry.reason) parts.push(reasonText(t, entry));
  if (entry.status) parts.push(t(`troubleshoot.serverStatus.${entry.status}`));
  if (entry.round && entry.round > 1) parts.push(t('troubleshoot.timelineRound', { round: entry.round }));
  if (entry.receipts?.length) parts.push(t('troubleshoot.timelineReceipts', { count: entry.receipts.length, first: entry.receipts[0] ?? '' }));
  if (entry.by) parts.push(t('troubleshoot.timelineBy', { by: entry.by }));
  return { when: formatWhen(entry.at), what: t(`troubleshoot.events.${entry.event}`), detail: parts.join(' · ') };
}

/** The support ticket (KSM) text: the code, the verdict and its evidence, the station's facts, the timeline. */
export function composeTicket(t: Translate, traces: TraceForText[], station: { stationId: string; version: string }): string {
  const lines: string[] = [t('troubleshoot.ticket.heading'), t('troubleshoot.ticket.station', station), ''];
  for (const trace of traces) {
    const text = describeTrace(t, trace);
    lines.push(t('troubleshoot.ticket.code', { code: trace.code }), t('troubleshoot.ticket.verdict', { title: text.title }), t('troubleshoot.ticket.evidence', { evidence: text.evidence }), `  ${text.erp}`, `  ${text.station}`, ...(text.note ? [`  ${text.note}`] : []), t('troubleshoot.ticket.next', { next: text.next, owner: text.owner }));
    if (trace.timeline.length) lines.push(t('troubleshoot.ticket.timeline'));
    for (const entry of trace.timeline.slice(-12)) {
      const line = describeTimelineEntry(t, entry);
      lines.push(`  ${line.when}  ${line.what}${line.detail ? `  (${line.detail})` : ''}`);
    }
    lines.push('');
  }
  lines.push(t('troubleshoot.ticket.bundle'));
  return lines.join('\n');
}

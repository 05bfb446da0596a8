// Making covers: PDFs generated (self-checked) or printed, with live progress and the result beside the button that asked.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CoverRejection } from '../../../../electron/shared/cover-messages.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { localizeReason } from '../../../../electron/shared/message-text.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { downloadBytes } from '../../files.js';
import type { Fields, Imported, Layout } from './cover-fields.js';

/** Which half of the page asked: the single cover's form or the CSV batch. */
export type CoverTarget = 'single' | 'batch';
/** What a run came to: its colour, its sentence, and the covers it refused. */
export type Outcome = { tone: 'pass' | 'warn' | 'fail'; message: string; rejected: Array<{ line: number; code: string; problem: CoverRejection }> };
/** The covers to make: each one's CSV line (0 for the form) and fields. */
type CoverRows = Array<{ line: number; fields: Fields }>;

/** Bytes from base64 (the PDFs and zips come over the bridge as text). */
function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Runs cover jobs: `generate` downloads the PDF (or a zip of one per bill), `print` prints them
 * (desktop) or opens the PDF to print (browser); one job at a time, its progress and result kept
 * with the half of the page that asked (`singleResultRef`, `batchResultRef` take the focus).
 */
export function useCoverJobs({ runtime, layout, imported }: { runtime: ValueOf<'app:info'>['runtime'] | null; layout: Layout; imported: Imported | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const [progress, setProgress] = useState<{ done: number; total: number; target: CoverTarget } | null>(null);
  const [outcome, setOutcome] = useState<(Outcome & { target: CoverTarget }) | null>(null);
  const jobRef = useRef<string | null>(null);
  const singleResultRef = useRef<HTMLDivElement>(null);
  const batchResultRef = useRef<HTMLDivElement>(null);

  useEffect(() => api.on('covers:progress', (event) => event.jobId === jobRef.current && setProgress((previous) => (previous ? { ...previous, done: event.done, total: event.total } : previous))), [api]);

  const showResult = (next: Outcome, target: CoverTarget) => {
    setOutcome({ ...next, target });
    focusWhenPainted(() => (target === 'single' ? singleResultRef : batchResultRef).current);
  };

  const generate = async (rows: CoverRows, fileName: string, target: CoverTarget, perBill = false) => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setOutcome(null);
    setProgress({ done: 0, total: rows.length, target });
    const result = await api.covers.generate({ jobId, layout, rows, ...(perBill ? { perBill } : {}) });
    setProgress(null);
    if (!result.ok) return showResult({ tone: 'fail', message: describeError(t, result.error), rejected: [] }, target);
    const { pdfBase64, zipBase64, written, rejected, selfCheckMs } = result.value;
    if (pdfBase64) downloadBytes(base64ToBytes(pdfBase64), fileName, 'application/pdf');
    if (zipBase64) downloadBytes(base64ToBytes(zipBase64), fileName.replace(/\.pdf$/, '.zip'), 'application/zip');
    // Rows the table above already marks as refused are not listed a second time under the result.
    const refusedLines = new Set((imported?.rows ?? []).filter((row) => row.problem !== null).map((row) => row.line));
    const problems = rejected.filter((entry) => target === 'single' || !refusedLines.has(entry.line)).map((entry) => ({ ...entry, problem: entry.problem as CoverRejection }));
    showResult({ tone: written === 0 ? 'fail' : problems.length ? 'warn' : 'pass', message: t('coversPage.done', { covers: t('units.covers', { count: written }), seconds: (selfCheckMs / 1000).toFixed(1) }), rejected: problems }, target);
  };

  /**
   * Desktop: the system print dialog (pages printed as images by main). Browser mode: the PDF in a
   * new tab, opened at the click so popup blockers allow it, printed with the browser's own button.
   */
  const print = async (rows: CoverRows, target: CoverTarget) => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setOutcome(null);
    setProgress({ done: 0, total: rows.length, target });
    const tab = runtime === 'electron' ? null : window.open('', '_blank');
    const result = runtime === 'electron' ? await api.covers.print({ jobId, layout, rows }) : await api.covers.generate({ jobId, layout, rows });
    setProgress(null);
    if (!result.ok) {
      tab?.close();
      return showResult({ tone: 'fail', message: describeError(t, result.error), rejected: [] }, target);
    }
    const rejected = result.value.rejected.map((entry) => ({ ...entry, problem: entry.problem as CoverRejection }));
    if ('printed' in result.value) {
      const { printed, reason, written } = result.value;
      return showResult({ tone: printed ? 'pass' : 'warn', message: printed ? t('coversPage.printed', { covers: t('units.covers', { count: written }) }) : t('coversPage.printNotDone', { reason: localizeReason(t, reason ?? 'cancelled') }), rejected }, target);
    }
    if (result.value.pdfBase64 && tab) {
      tab.location.href = URL.createObjectURL(new Blob([base64ToBytes(result.value.pdfBase64) as BlobPart], { type: 'application/pdf' }));
      showResult({ tone: rejected.length ? 'warn' : 'pass', message: t('coversPage.printInBrowser'), rejected }, target);
    } else {
      tab?.close();
      showResult({ tone: 'fail', message: t('coversPage.done', { covers: t('units.covers', { count: result.value.written }), seconds: (result.value.selfCheckMs / 1000).toFixed(1) }), rejected }, target);
    }
  };

  const busy = progress !== null;
  return { progress, outcome, setOutcome, singleResultRef, batchResultRef, showResult, generate, print, busy };
}

/** The cover jobs' state and actions, as the page's parts read them. */
export type CoverJobs = ReturnType<typeof useCoverJobs>;
